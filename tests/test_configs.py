# Copyright (c) mmjotr contributors. All rights reserved.
"""Every shipped config parses and builds its model and datasets' types."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmjotr.registry import DATASETS, METRICS, TRANSFORMS
from mmjotr.testing import build_standin_model
from mmjotr.utils import register_all_modules

ROOT = osp.join(osp.dirname(__file__), '..', 'configs', 'jotr')
CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, '**', '*.py'), recursive=True))

#: Keys under which a mixed dataset holds its member datasets.
MIX_KEYS = ('datasets', 'datasets_3d', 'datasets_2d')


def _datasets(dataset):
    """A dataset config and, recursively, the members of a mix."""
    yield dataset
    for key in MIX_KEYS:
        for member in dataset.get(key, []):
            yield from _datasets(member)


def test_the_configs_are_found():
    assert 'jotr_tiny_1xb8-900it_synthocc-256x256.py' in CONFIGS
    assert len(CONFIGS) >= 18


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds(name, standin_body_model_dir):
    register_all_modules()
    cfg = Config.fromfile(osp.join(ROOT, name))
    model = build_standin_model(cfg, standin_body_model_dir, init=False)
    assert type(model).__name__ == cfg.model.type
    # every dataset (mixes included), transform and metric type that the
    # dataloaders and evaluators name is registered: building the model
    # checks none of them
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if not loader:
            continue
        for dataset in _datasets(loader.dataset):
            assert DATASETS.get(dataset.type) is not None, (name, key,
                                                            dataset.type)
            if not any(k in dataset for k in MIX_KEYS):
                assert dataset.get('pipeline'), (name, key, dataset.type)
            for t in dataset.get('pipeline', []):
                assert TRANSFORMS.get(t['type']) is not None, (name, key,
                                                               t['type'])
    for key in ('val_evaluator', 'test_evaluator'):
        evaluator = cfg.get(key)
        metrics = evaluator if isinstance(evaluator, list) else [evaluator]
        for metric in filter(None, metrics):
            assert METRICS.get(metric['type']) is not None, (name, key,
                                                             metric['type'])


TRAIN_CONFIGS = [
    name for name in CONFIGS
    if Config.fromfile(osp.join(ROOT, name)).get('train_dataloader')
]


@pytest.mark.parametrize('name', TRAIN_CONFIGS)
def test_every_trainable_parameter_gets_a_gradient(name,
                                                   standin_body_model_dir):
    """DDP fails at the second iteration when a parameter gets no gradient,
    unless the config declares ``find_unused_parameters``; then at least
    one parameter must really be unused (the declaration costs a graph
    traversal per step)."""
    import torch

    from mmjotr.testing import synthetic_batch
    register_all_modules()
    cfg = Config.fromfile(osp.join(ROOT, name))
    torch.manual_seed(0)
    model = build_standin_model(cfg, standin_body_model_dir)
    model.train()
    data = model.data_preprocessor(synthetic_batch(2), True)
    losses = model(**data, mode='loss')
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    unused = sorted(n for n, p in model.named_parameters()
                    if p.requires_grad and p.grad is None)
    declared = (cfg.get('model_wrapper_cfg')
                or {}).get('find_unused_parameters', False)
    if declared:
        assert unused, f'{name} declares unused parameters but has none'
    else:
        assert unused == [], f'{name}: no gradient for {unused[:10]}'
