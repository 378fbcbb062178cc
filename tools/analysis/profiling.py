# Copyright (c) mmjotr contributors. All rights reserved.
"""Timing and peak-memory helpers for tools/analysis/benchmark_model.py."""
import ctypes
import statistics
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Tuple

from torch import nn


def _status_kib(field: str) -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise RuntimeError(f'/proc/self/status has no {field}')


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_LARGE = 32 << 20  # glibc's upper bound of the dynamic mmap threshold


@contextmanager
def mmap_large_allocations(threshold: int = 1 << 16) -> Iterator[None]:
    """Make glibc serve large blocks with mmap inside the context (Linux).

    Without it glibc keeps freed blocks of up to 32 MiB in its heap after
    their first use, and a peak of resident memory under-states what a
    computation needs. Free heap memory is returned to the OS on entry. On
    exit the thresholds go to 32 MiB (glibc's warmed-up behaviour), as
    mmap-ing every block slows computations down.
    """
    libc = ctypes.CDLL('libc.so.6')
    libc.mallopt(_M_MMAP_THRESHOLD, threshold)
    libc.mallopt(_M_TRIM_THRESHOLD, threshold)
    libc.malloc_trim(0)
    try:
        yield
    finally:
        libc.mallopt(_M_MMAP_THRESHOLD, _LARGE)
        libc.mallopt(_M_TRIM_THRESHOLD, _LARGE)


def measure_peak_memory(fn: Callable[[], object]) -> Tuple[object, float]:
    """Run ``fn`` and return its result and its peak extra memory (MiB).

    Inside :func:`mmap_large_allocations`, the peak resident set size
    (VmHWM) is reset through ``/proc/self/clear_refs`` before the call
    (Linux); the figure is the peak minus the resident size before the call.
    """
    with mmap_large_allocations():
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        before = _status_kib('VmRSS')
        result = fn()
        return result, (_status_kib('VmHWM') - before) / 1024


def median_time(fn: Callable[[], object],
                repeats: int,
                warmup: int = 1) -> Tuple[float, List[float]]:
    """Median wall time (s) of ``repeats`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


@contextmanager
def block_timer(blocks: Dict[str, nn.Module]) -> Iterator[Dict[str, float]]:
    """Accumulate forward wall time per named module via hooks.

    Yields a dict name -> seconds, filled while the context is active.
    Nested blocks are timed inclusively.
    """
    totals: Dict[str, float] = defaultdict(float)
    starts: Dict[str, float] = {}
    handles = []
    for name, module in blocks.items():

        def pre(_m, _args, name=name):
            starts[name] = time.perf_counter()

        def post(_m, _args, _out, name=name):
            totals[name] += time.perf_counter() - starts.pop(name)

        handles.append(module.register_forward_pre_hook(pre))
        handles.append(module.register_forward_hook(post))
    try:
        yield totals
    finally:
        for handle in handles:
            handle.remove()
