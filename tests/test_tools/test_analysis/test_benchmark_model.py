# Copyright (c) mmjotr contributors. All rights reserved.
import time

import torch
from mmengine.config import Config
from torch import nn

from mmjotr.models.utils import block_timer, measure_peak_memory, median_time
from mmjotr.models.utils.benchmark import run_benchmark


def test_profiling_helpers():
    for _ in range(2):  # the second time reuses glibc's heap blocks
        out, peak = measure_peak_memory(lambda: torch.ones(25_000_000).sum())
        assert out.item() == 25_000_000
        assert 90 < peak < 200  # 95.4 MiB of float32
    median, times = median_time(lambda: time.sleep(0.01), 3, warmup=0)
    assert len(times) == 3 and 0.009 < median < 0.2
    inner, outer = nn.Identity(), nn.Sequential(nn.Identity())
    outer.append(inner)
    with block_timer(dict(outer=outer, inner=inner)) as totals:
        outer(torch.zeros(1))
    assert totals['outer'] >= totals['inner'] > 0
    assert not outer._forward_hooks


def test_run_benchmark_tiny(standin_body_model_dir):
    cfg = Config.fromfile('configs/jotr/jotr_tiny_1xb4_standin-256x256.py')
    cfg.model.head.body_model_dir = str(standin_body_model_dir)
    figures = {
        name: value
        for name, value, _ in run_benchmark(
            cfg.model, repeats=1, reference_positive_scale=1.0)
    }
    trainable = figures['trainable parameters'] * 1e6
    assert 1e5 < trainable < 2e6
    assert figures['train step, batch 4, no contrastive'] > 0
    assert figures['inference per person, batch 16'] > 0
    shares = [v for k, v in figures.items() if 'time share' in k]
    assert len(shares) == 6 and all(0 < v < 100 for v in shares)
    for name in ('joint-to-joint', 'joint-to-non-joint'):
        key = [k for k in figures if k.startswith(f'{name}: |lean')]
        assert len(key) == 1 and figures[key[0]] < 1e-5
        assert figures[f'{name}: speed-up'] > 0
