# Copyright (c) mmjotr contributors. All rights reserved.
import pytest
import torch

from mmjotr.testing import build_standin_model

TINY_CONFIG = 'configs/jotr/jotr_tiny_1xb4_standin-256x256.py'


@pytest.fixture(scope='session')
def jotr_builder():
    """:func:`mmjotr.testing.build_standin_model`: the model of a config on
    the stand-in body model (plain BN, no pretrained weights)."""
    return build_standin_model


@pytest.fixture(scope='module')
def tiny_jotr(standin_body_model_dir):
    torch.manual_seed(0)  # a fixed initialisation
    return build_standin_model(TINY_CONFIG, str(standin_body_model_dir))
