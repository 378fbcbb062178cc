# Copyright (c) mmjotr contributors. All rights reserved.
import statistics
import time
from profiling import (block_timer, interleaved_times, measure_peak_memory,
                       median_ratio)

import torch
from torch import nn


def test_profiling_helpers():
    for _ in range(2):  # the second time reuses glibc's heap blocks
        out, peak = measure_peak_memory(lambda: torch.ones(25_000_000).sum())
        assert out.item() == 25_000_000
        assert 90 < peak < 200  # 95.4 MiB of float32
    times = interleaved_times(
        dict(sleep=lambda: time.sleep(0.01)), 3, warmup=0)['sleep']
    median = statistics.median(times)
    assert len(times) == 3 and 0.009 < median < 0.2
    inner, outer = nn.Identity(), nn.Sequential(nn.Identity())
    outer.append(inner)
    with block_timer(dict(outer=outer, inner=inner)) as totals:
        outer(torch.zeros(1))
    assert totals['outer'] >= totals['inner'] > 0
    assert not outer._forward_hooks


def test_interleaved_times_alternate_the_callables():
    calls = []
    times = interleaved_times(
        dict(a=lambda: calls.append('a'), b=lambda: calls.append('b')),
        repeats=3,
        warmup=1)
    # one warm-up round, then three timed rounds, always a then b
    assert calls == ['a', 'b'] * 4
    assert {k: len(v) for k, v in times.items()} == dict(a=3, b=3)
    assert median_ratio([2., 6., 3.], [1., 2., 3.]) == 2.
