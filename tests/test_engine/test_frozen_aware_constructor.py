# Copyright (c) mmjotr contributors. All rights reserved.
import logging

from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from torch import nn

from mmjotr.engine import FrozenAwareOptimWrapperConstructor
from mmjotr.registry import OPTIM_WRAPPER_CONSTRUCTORS


class _Capture(logging.Handler):

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _model():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    model.frozen = nn.Sequential(nn.Linear(2, 5), nn.Linear(5, 2))
    model.frozen.requires_grad_(False)
    return model


def test_frozen_parameters_left_out_with_one_line():
    init_default_scope('mmjotr')
    assert OPTIM_WRAPPER_CONSTRUCTORS.get(
        'FrozenAwareOptimWrapperConstructor') is \
        FrozenAwareOptimWrapperConstructor
    cfg = dict(
        type='OptimWrapper',
        constructor='FrozenAwareOptimWrapperConstructor',
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
        paramwise_cfg=dict(custom_keys={'0.bias': dict(decay_mult=0.)}))
    model = _model()
    logger = MMLogger.get_current_instance()
    capture = _Capture()
    logger.addHandler(capture)
    try:
        wrapper = build_optim_wrapper(model, cfg)
    finally:
        logger.removeHandler(capture)
    optimised = {
        id(p)
        for group in wrapper.optimizer.param_groups
        for p in group['params']
    }
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    assert optimised == trainable
    assert not any('requires_grad=False' in m for m in capture.messages)
    summary = [m for m in capture.messages if 'not optimised' in m]
    assert len(summary) == 1
    # 4 tensors, 2*5+5 + 5*2+2 = 27 values, all under "frozen"
    assert '4 frozen parameter tensors (27 values)' in summary[0]
    # grouped under the outermost module that is frozen as a whole
    assert summary[0].endswith('not optimised: frozen (4)')
    # the paramwise rule still applies
    decay = {
        id(p): g['weight_decay']
        for g in wrapper.optimizer.param_groups
        for p in g['params']
    }
    assert decay[id(model[0].bias)] == 0.
    assert decay[id(model[0].weight)] == 1e-4
