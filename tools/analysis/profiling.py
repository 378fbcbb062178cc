# Copyright (c) mmjotr contributors. All rights reserved.
"""The shared timer and memory probe of the benchmarks in tools/analysis/.

Every benchmark times its code with :func:`interleaved_times`: the measured
callables and a baseline run in turn, round after round, so that load
changes on a shared machine affect all of them alike and per-round ratios
stay meaningful.
"""
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


def timed(fn: Callable[[], object]) -> Tuple[object, float]:
    """Result and wall time (s) of one call."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def interleaved_times(fns: Dict[str, Callable[[], object]],
                      repeats: int,
                      warmup: int = 1) -> Dict[str, List[float]]:
    """Wall times (s) of several callables run in turn, ``repeats`` rounds.

    Each callable first runs ``warmup`` untimed calls (in turn too).

    Args:
        fns (dict[str, callable]): name -> function without arguments.
        repeats (int): timed rounds.
        warmup (int): untimed rounds first. Defaults to 1.

    Returns:
        dict[str, list[float]]: name -> the ``repeats`` times.
    """
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            times[name].append(timed(fn)[1])
    return times


def median_ratio(num: List[float], den: List[float]) -> float:
    """Median of the per-round ratios ``num[i] / den[i]``."""
    return statistics.median(a / b for a, b in zip(num, den))


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
