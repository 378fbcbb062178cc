# Copyright (c) mmjotr contributors. All rights reserved.
"""Issue 17: ``tools/train.py --amp`` on CUDA must train from a fresh
initialisation. The ``--amp`` CUDA optimiser wrapper runs on the CPU with
CUDA's fp16 autocast arithmetic (:mod:`mmjotr.testing.cuda_amp_emulation`);
the optimiser's own step count says how many steps were taken."""
import logging

import pytest
import torch
from mmengine.logging import MMLogger

from mmjotr.testing.cuda_amp_emulation import (emulate_cuda_fp16_autocast,
                                               train_with_cuda_amp)

STANDIN = 'configs/jotr/jotr_tiny_1xb4_standin-256x256.py'
SYNTHOCC = 'configs/jotr/jotr_tiny_1xb8-900it_synthocc-256x256.py'
#: the release's AMP: fixed scale 1024, decoder self-attention in fp16
RELEASE_AMP = {
    'optim_wrapper.loss_scale': 1024.,
    'model.head.decoder.fp32_self_attention': False
}


@pytest.mark.parametrize('config,batch_size', [(STANDIN, 4), (SYNTHOCC, 8)])
def test_amp_takes_steps_from_a_fresh_init(config, batch_size,
                                           standin_body_model_dir):
    run = train_with_cuda_amp(config, standin_body_model_dir, 30, batch_size)
    wrapper = run['optim_wrapper']
    assert type(wrapper).__name__ == 'GradNormAmpOptimWrapper'
    assert wrapper.cast_dtype == torch.float16
    # measured: 30 of 30 on both
    assert run['steps_taken'] >= 28
    assert run['steps_taken'] + run['skipped'] == 30
    assert run['losses'][-1] < 0.9 * run['losses'][0]


def test_release_amp_skips_every_step_and_the_guard_names_the_module(
        standin_body_model_dir):
    """The release's AMP never steps (measured: 0 of 30); the guard warns
    every 10 skipped steps, naming decoder layer 0's self-attention."""
    messages = []
    collect = logging.Handler()
    collect.emit = lambda record: messages.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(collect)
    try:
        run = train_with_cuda_amp(
            STANDIN,
            standin_body_model_dir,
            30,
            4,
            cfg_options=dict(
                RELEASE_AMP, **{
                    'optim_wrapper.max_consecutive_overflows': 10,
                    'optim_wrapper.on_overflow': 'warn'
                }))
    finally:
        logger.removeHandler(collect)
    assert run['steps_taken'] == 0 and run['skipped'] == 30
    assert abs(run['losses'][-1] - run['losses'][0]) < 0.1  # flat
    warnings = [m for m in messages if 'steps in a row skipped' in m]
    assert len(warnings) == 3
    assert warnings[0].startswith('10 optimiser steps in a row skipped')
    assert 'head.decoder.layers.0.self_attn' in warnings[0]
    assert 'loss scale 1024' in warnings[0]
    # the default is to stop
    with pytest.raises(
            FloatingPointError,
            match=r'2 optimiser steps .*head\.decoder\.layers\.0'
            r'\.self_attn'):
        train_with_cuda_amp(
            STANDIN,
            standin_body_model_dir,
            3,
            4,
            cfg_options=dict(RELEASE_AMP,
                             **{'optim_wrapper.max_consecutive_overflows': 2}))


def test_emulation_matches_cuda_fp16_rules():
    conv = torch.nn.Conv2d(2, 1, 1, bias=False)
    torch.nn.init.constant_(conv.weight, 300.)
    x = torch.full((1, 2, 1, 1), 200., requires_grad=True)
    norm = torch.nn.LayerNorm(2)
    with emulate_cuda_fp16_autocast(), torch.autocast(
            'cpu', dtype=torch.float16):
        out = conv(x)  # 2 * 300 * 200 = 120000 > 65504: inf in fp16
        normed = norm(torch.ones(1, 2, dtype=torch.float16))
    assert out.dtype == torch.float16 and torch.isinf(out).all()
    assert normed.dtype == torch.float32  # CUDA runs layer_norm in fp32
    # outside autocast (and after the context) nothing changes
    out = conv(x).detach()
    assert out.dtype == torch.float32 and float(out) == 120000.
