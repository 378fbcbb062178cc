# Copyright (c) mmjotr contributors. All rights reserved.
from benchmark_model import run_benchmark

from mmjotr.testing import standin_config


def test_run_benchmark_tiny(standin_body_model_dir):
    cfg = standin_config('configs/jotr/jotr_tiny_1xb4_standin-256x256.py',
                         standin_body_model_dir)
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
