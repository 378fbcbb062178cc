# Copyright (c) mmjotr contributors. All rights reserved.
"""Every shipped config parses and builds its model and datasets' types."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmjotr.registry import DATASETS, MODELS
from mmjotr.testing import build_standin_model
from mmjotr.utils import register_all_modules

ROOT = osp.join(osp.dirname(__file__), '..', 'configs', 'jotr')
CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, '**', '*.py'), recursive=True))


def test_the_configs_are_found():
    assert 'jotr_tiny_1xb8-900it_synthocc-256x256.py' in CONFIGS
    assert len(CONFIGS) >= 18


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds(name, standin_body_model_dir):
    register_all_modules()
    cfg = Config.fromfile(osp.join(ROOT, name))
    model = build_standin_model(cfg, standin_body_model_dir, init=False)
    assert type(model).__name__ == cfg.model.type
    # every dataset type named by a dataloader is registered
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader:
            dataset = loader.dataset
            types = [dataset.type
                     ] + [d.type for d in dataset.get('datasets', [])]
            for t in types:
                assert DATASETS.get(t) is not None, (name, key, t)
    assert MODELS.get(cfg.model.type) is not None
