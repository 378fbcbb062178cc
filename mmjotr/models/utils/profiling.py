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


def return_freed_memory_to_os(threshold: int = 1 << 16) -> None:
    """Make glibc serve and return large blocks with mmap (Linux).

    Without it glibc keeps freed blocks of up to 32 MiB in its heap after
    the first use, and a later peak of resident memory under-states the
    memory a computation needs.
    """
    libc = ctypes.CDLL('libc.so.6')
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, threshold)
    libc.mallopt(m_trim_threshold, threshold)


def measure_peak_memory(fn: Callable[[], object]) -> Tuple[object, float]:
    """Run ``fn`` and return its result and its peak extra memory (MiB).

    The peak resident set size (VmHWM) is reset through
    ``/proc/self/clear_refs`` before the call (Linux); the figure is the
    peak minus the resident size before the call.
    """
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
