# Copyright (c) mmjotr contributors. All rights reserved.
"""Train with the optimiser wrapper ``tools/train.py --amp`` builds for CUDA,
on the CPU, with CUDA's fp16 autocast arithmetic (issue 17: AMP steps).

``GradNormAmpOptimWrapper`` builds ``torch.amp.GradScaler`` and
``torch.autocast`` for the parameters' device, so on the CPU the config's
wrapper runs unchanged: fp16 autocast, the same loss scale, the same
skip-on-overflow logic. Two CPU/CUDA differences are evened out here:

- CUDA's autocast runs ``layer_norm`` in fp32 (its fp32 list); the CPU's
  keeps fp16 inputs in fp16. :func:`emulate_cuda_fp16_autocast` casts
  LayerNorm inputs to fp32 as CUDA does.
- The CPU has no fast fp16 convolution (PyTorch's fallback is ~20x
  slower than fp32). cuDNN's fp16 convolutions read fp16 inputs and
  weights, accumulate in fp32 and store fp16 outputs (an inf where a value
  exceeds 65504); the emulation computes exactly that: the fp32
  convolution of the fp16-rounded operands, rounded to fp16, forward and
  backward (the gradients of the fp16 operands are fp16 too).
"""
from contextlib import contextmanager
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper, build_optim_wrapper
from torch import nn

from mmjotr.utils import build_train_cfg
from .config import build_standin_model
from .synthetic_batch import synthetic_batch


def _fp16_autocast() -> bool:
    return (torch.is_autocast_enabled('cpu')
            and torch.get_autocast_dtype('cpu') == torch.float16)


@contextmanager
def emulate_cuda_fp16_autocast():
    """Inside, CPU fp16 autocast computes convolutions and LayerNorm as CUDA
    fp16 autocast does (see the module docstring)."""
    conv_forward = nn.Conv2d._conv_forward
    layer_norm = F.layer_norm

    def fp16_conv_forward(self, input, weight, bias):
        if not _fp16_autocast():
            return conv_forward(self, input, weight, bias)
        with torch.autocast('cpu', enabled=False):
            operands = [
                None if t is None else t.half().float()
                for t in (input, weight, bias)
            ]
            return conv_forward(self, *operands).half()

    def fp32_layer_norm(input, *args, **kwargs):
        if not _fp16_autocast():
            return layer_norm(input, *args, **kwargs)
        with torch.autocast('cpu', enabled=False):
            return layer_norm(input.float(), *args, **kwargs)

    nn.Conv2d._conv_forward = fp16_conv_forward
    F.layer_norm = fp32_layer_norm
    try:
        yield
    finally:
        nn.Conv2d._conv_forward = conv_forward
        F.layer_norm = layer_norm


def train_with_cuda_amp(config: str,
                        body_model_dir: str,
                        num_iters: int = 30,
                        batch_size: int = 4,
                        cfg_options: Optional[dict] = None,
                        seed: int = 0) -> Dict[str, object]:
    """Train a config's model from a fresh initialisation on one fixed
    synthetic batch with the ``--amp`` CUDA optimiser wrapper, on the CPU.

    The config is built by ``build_train_cfg(config, amp=True,
    amp_device='cuda', cfg_options=...)``, the model by
    :func:`build_standin_model` (torch seeded with ``seed``), the wrapper by
    mmengine's ``build_optim_wrapper``; every iteration is
    ``model.train_step`` under :func:`emulate_cuda_fp16_autocast`.

    Returns:
        dict: ``optim_wrapper`` (the wrapper after training),
        ``steps_taken`` (optimiser steps taken, AdamW's step count),
        ``skipped`` (the wrapper's count of overflow-skipped steps) and
        ``losses`` (the total loss per iteration).
    """
    cfg = build_train_cfg(
        config, amp=True, amp_device='cuda', cfg_options=cfg_options)
    torch.manual_seed(seed)
    model = build_standin_model(cfg, body_model_dir)
    model.train()
    optim_wrapper: OptimWrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    batch = synthetic_batch(batch_size, seed=seed)
    losses: List[float] = []
    with emulate_cuda_fp16_autocast():
        for _ in range(num_iters):
            log_vars = model.train_step(batch, optim_wrapper)
            losses.append(
                float(
                    sum(v.detach() for k, v in log_vars.items()
                        if 'loss' in k)))
    # counted by the optimiser itself (AdamW's per-parameter step count)
    steps_taken = max(
        int(state['step']) for state in optim_wrapper.optimizer.state.values()
        if 'step' in state) if optim_wrapper.optimizer.state else 0
    return dict(
        optim_wrapper=optim_wrapper,
        steps_taken=steps_taken,
        skipped=optim_wrapper.num_skipped_steps,
        losses=losses)
