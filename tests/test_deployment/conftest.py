# Copyright (c) mmjotr contributors. All rights reserved.
import pytest
import torch
from mmengine.config import Config

from mmjotr.registry import MODELS
from mmjotr.utils import register_all_modules

TINY_CONFIG = 'configs/jotr/jotr_tiny_1xb4_standin-256x256.py'


def build_jotr(config, body_model_dir):
    """The model of a config on the stand-in body model, initialised."""
    register_all_modules()
    cfg = Config.fromfile(config)
    cfg.model.head.body_model_dir = body_model_dir
    cfg.model.backbone.pop('init_cfg', None)
    cfg.model.backbone.norm_cfg = dict(type='BN', requires_grad=True)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


@pytest.fixture(scope='session')
def jotr_builder():
    return build_jotr


@pytest.fixture(scope='module')
def tiny_jotr(standin_body_model_dir):
    torch.manual_seed(0)  # a fixed initialisation
    return build_jotr(TINY_CONFIG, str(standin_body_model_dir))
