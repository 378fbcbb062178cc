# Copyright (c) mmjotr contributors. All rights reserved.
import copy
import logging
import math

import pytest
import torch
from mmengine.logging import MMLogger
from torch import nn

from mmjotr.engine import GradNormAmpOptimWrapper, GradNormOptimWrapper
from mmjotr.registry import OPTIM_WRAPPERS
from mmjotr.utils import register_all_modules


def setup(wrapper_type, **kwargs):
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1)
    wrapper = wrapper_type(optimizer=optimizer, **kwargs)
    x, y = torch.randn(5, 4), torch.randn(5, 3)
    return model, wrapper, x, y


def loss_of(model, x, y):
    return ((model(x) - y)**2).mean()


def reference_grad_norm(model, x, y):
    """Independent fp32 gradient norm of the same loss."""
    ref = copy.deepcopy(model)
    loss_of(ref, x, y).backward()
    return math.sqrt(
        sum(float((p.grad.double()**2).sum()) for p in ref.parameters()))


def scalar(wrapper, key):
    return wrapper.message_hub.get_scalar(key).current()


def test_grad_norm_is_logged_without_clipping():
    model, wrapper, x, y = setup(GradNormOptimWrapper)
    expected = reference_grad_norm(model, x, y)
    before = [p.detach().clone() for p in model.parameters()]
    wrapper.update_params(loss_of(model, x, y))
    assert scalar(wrapper, 'train/grad_norm') == pytest.approx(
        expected, rel=1e-6)
    # AdamW's first step moves every weight by lr (no clipping)
    for p, b in zip(model.parameters(), before):
        torch.testing.assert_close(
            (p - b).abs(), torch.full_like(p, 0.1), rtol=1e-3, atol=1e-3)
    # with clip_grad mmengine clips and logs the pre-clipping norm
    model, wrapper, x, y = setup(
        GradNormOptimWrapper, clip_grad=dict(max_norm=1e-3))
    expected = reference_grad_norm(model, x, y)
    wrapper.update_params(loss_of(model, x, y))
    assert scalar(wrapper, 'train/grad_norm') == pytest.approx(
        expected, rel=1e-6)


def test_built_from_the_registry():
    register_all_modules()
    model = nn.Linear(2, 2)
    for name in ('GradNormOptimWrapper', 'GradNormAmpOptimWrapper'):
        wrapper = OPTIM_WRAPPERS.build(
            dict(
                type=name,
                optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
        assert type(wrapper).__name__ == name


def inject_inf(model):
    """A gradient hook putting one Inf into the weight's gradient."""

    def hook(grad):
        grad = grad.clone()
        grad[0, 0] = float('inf')
        return grad

    return model.weight.register_hook(hook)


def test_release_amp_skips_overflow_steps_and_resets_the_scale():
    model, wrapper, x, y = setup(GradNormAmpOptimWrapper, loss_scale=1024.)
    assert wrapper.loss_scaler.get_scale() == 1024.
    # a normal step: gradients unscaled (the logged norm is the fp32 one),
    # parameters updated, scale stays 1024
    expected = reference_grad_norm(model, x, y)
    before = [p.detach().clone() for p in model.parameters()]
    wrapper.update_params(loss_of(model, x, y))
    assert scalar(wrapper, 'train/grad_norm') == pytest.approx(
        expected, rel=1e-5)
    assert scalar(wrapper, 'train/amp_overflow') == 0.
    assert scalar(wrapper, 'train/loss_scale') == 1024.
    assert all(not torch.equal(p, b)
               for p, b in zip(model.parameters(), before))
    assert wrapper.loss_scaler.get_scale() == 1024.
    assert wrapper.optimizer.state[model.weight]['step'] == 1
    # an overflowing step: skipped (no parameter or optimizer-state change),
    # the scale is reset to 1024 (a dynamic scaler would halve it)
    handle = inject_inf(model)
    before = [p.detach().clone() for p in model.parameters()]
    wrapper.update_params(loss_of(model, x, y))
    handle.remove()
    for p, b in zip(model.parameters(), before):
        torch.testing.assert_close(p, b, rtol=0, atol=0)
    assert wrapper.optimizer.state[model.weight]['step'] == 1
    assert wrapper.loss_scaler.get_scale() == 1024.
    assert wrapper.num_skipped_steps == 1
    assert scalar(wrapper, 'train/amp_overflow') == 1.
    assert math.isinf(scalar(wrapper, 'train/grad_norm'))
    # the next normal step updates again
    wrapper.update_params(loss_of(model, x, y))
    assert wrapper.optimizer.state[model.weight]['step'] == 2
    assert wrapper.num_skipped_steps == 1
    # state_dict carries the scaler (resumes keep the scale)
    assert wrapper.state_dict()['loss_scaler']['scale'] == 1024.


def test_dynamic_scale_backs_off_instead():
    model, wrapper, x, y = setup(
        GradNormAmpOptimWrapper, loss_scale=dict(init_scale=1024.))
    handle = inject_inf(model)
    wrapper.update_params(loss_of(model, x, y))
    handle.remove()
    assert wrapper.loss_scaler.get_scale() == 512.
    assert wrapper.num_skipped_steps == 1


def test_fp16_autocast_on_the_parameters_device():
    model, wrapper, x, _ = setup(GradNormAmpOptimWrapper, loss_scale=1024.)
    with wrapper.optim_context(model):
        out = model(x)
    assert out.dtype == torch.float16
    with pytest.raises(ValueError, match='positive'):
        GradNormAmpOptimWrapper(
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
            loss_scale=0.)


def always_overflowing(**kwargs):
    """A two-layer model whose every step overflows: Inf enters the
    gradient of layer 1's output (so layer 1's weight and everything before
    it are non-finite), and layer 0's bias gets one too."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 3))
    wrapper = GradNormAmpOptimWrapper(
        optimizer=torch.optim.AdamW(model.parameters(), lr=0.1),
        loss_scale=1024.,
        **kwargs)

    def hook(grad):
        grad = grad.clone()
        grad[0, 0] = float('inf')
        return grad

    model[1].weight.register_hook(hook)
    model[0].bias.register_hook(lambda grad: grad * float('inf'))
    return model, wrapper


def overflow_step(model, wrapper):
    x = torch.randn(5, 4)
    with wrapper.optim_context(model):
        loss = model(x).square().mean()
    wrapper.update_params(loss)


def test_overflow_guard_raises_naming_the_first_module_in_backward():
    model, wrapper = always_overflowing(max_consecutive_overflows=3)
    for _ in range(2):
        overflow_step(model, wrapper)
    assert wrapper.consecutive_overflows == 2
    assert wrapper.optimizer.state == {}  # no step taken
    # backward order: layer 1 before layer 0 (parameter order: 0.weight)
    with pytest.raises(
            FloatingPointError,
            match=r'^3 optimiser steps in a row skipped.*loss scale 1024.*'
            r'backward pass: 1 \(parameter 1\.weight\)'):
        overflow_step(model, wrapper)
    # a finite step resets the count
    model, wrapper, x, y = setup(
        GradNormAmpOptimWrapper, loss_scale=1024., max_consecutive_overflows=2)
    handle = inject_inf(model)
    wrapper.update_params(loss_of(model, x, y))
    assert wrapper.consecutive_overflows == 1
    handle.remove()
    wrapper.update_params(loss_of(model, x, y))
    assert wrapper.consecutive_overflows == 0
    assert wrapper.first_nonfinite_grad() is None


def test_overflow_guard_warns_every_n_skips():
    model, wrapper = always_overflowing(
        max_consecutive_overflows=2, on_overflow='warn')
    logger = MMLogger.get_current_instance()
    messages = []
    collect = logging.Handler()
    collect.emit = lambda record: messages.append(
        (record.levelno, record.getMessage()))
    logger.addHandler(collect)
    try:
        for _ in range(5):
            overflow_step(model, wrapper)
    finally:
        logger.removeHandler(collect)
    warnings = [(level, m) for level, m in messages if 'in a row' in m]
    assert [m.split(' ')[0] for _, m in warnings] == ['2', '4']
    assert all(level == logging.WARNING for level, _ in warnings)
    assert '(parameter 1.weight)' in warnings[0][1]
    assert wrapper.num_skipped_steps == 5
    with pytest.raises(ValueError, match='on_overflow'):
        always_overflowing(on_overflow='stop')
    with pytest.raises(ValueError, match='max_consecutive_overflows'):
        always_overflowing(max_consecutive_overflows=0)
