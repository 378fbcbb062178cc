# Copyright (c) mmjotr contributors. All rights reserved.
"""Mixed precision with the release's fixed loss scale, on CUDA or CPU."""
import math
from contextlib import contextmanager
from typing import Optional, Union

import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from torch import nn

from mmjotr.registry import OPTIM_WRAPPERS
from .grad_norm_optim_wrapper import log_grad_norm


@OPTIM_WRAPPERS.register_module()
class GradNormAmpOptimWrapper(AmpOptimWrapper):
    """mmengine's ``AmpOptimWrapper`` that logs the gradient norm and
    overflows, and also runs on a CPU.

    ``loss_scale`` is mmengine's: ``'dynamic'`` (``GradScaler``'s growing
    and backing-off scale) or a float, a FIXED scale: the loss is
    multiplied by it, the gradients are unscaled, a step whose gradients
    are not finite is skipped (the optimizer does not update) and the
    scale is reset to the same value after every step. ``loss_scale=1024.``
    with ``dtype='float16'`` is the release's AMP.

    Every step logs ``train/grad_norm`` (unscaled; ``inf``/``nan`` on an
    overflow), ``train/amp_overflow`` (1 when the step was skipped) and
    ``train/loss_scale``; ``num_skipped_steps`` counts the skipped steps.

    mmengine's wrapper builds the CUDA ``GradScaler`` and refuses machines
    without an accelerator, and its ``autocast`` allows only bfloat16 on a
    CPU; this one builds ``torch.amp.GradScaler`` and ``torch.autocast`` for
    the device of the parameters, so the same setting runs in CPU tests.

    Args:
        loss_scale (float or str or dict): ``'dynamic'``, a fixed scale, or
            ``GradScaler`` arguments. Defaults to ``'dynamic'``.
        dtype (str or torch.dtype, optional): autocast dtype. Defaults to
            ``'float16'``.
        **kwargs: arguments of mmengine's ``OptimWrapper`` (``optimizer``,
            ``clip_grad``, ``accumulative_counts``).
    """

    def __init__(self,
                 loss_scale: Union[float, str, dict] = 'dynamic',
                 dtype: Optional[Union[str, torch.dtype]] = 'float16',
                 **kwargs) -> None:
        OptimWrapper.__init__(self, **kwargs)
        self.device_type = next((p.device.type
                                 for group in self.optimizer.param_groups
                                 for p in group['params']), 'cpu')
        self._scale_update_param = None
        if loss_scale == 'dynamic':
            scaler_args = {}
        elif isinstance(loss_scale, (int, float)):
            if not loss_scale > 0:
                raise ValueError(
                    f'loss_scale must be positive, got {loss_scale}')
            self._scale_update_param = float(loss_scale)
            scaler_args = dict(init_scale=float(loss_scale))
        elif isinstance(loss_scale, dict):
            scaler_args = dict(loss_scale)
        else:
            raise TypeError('loss_scale must be "dynamic", a float or a '
                            f'dict, got {loss_scale!r}')
        self.loss_scaler = torch.amp.GradScaler(self.device_type,
                                                **scaler_args)
        if isinstance(dtype, str):
            if dtype not in self.valid_dtypes:
                raise ValueError(f'dtype must be one of {self.valid_dtypes}, '
                                 f'got {dtype!r}')
            dtype = getattr(torch, dtype)
        self.cast_dtype = dtype
        self.num_skipped_steps = 0

    def step(self, **kwargs) -> None:
        """Unscale, log the norm, clip if asked, step unless the gradients
        overflowed, then update (or reset) the scale."""
        scale = float(self.loss_scaler.get_scale())
        self.loss_scaler.unscale_(self.optimizer)
        norm = log_grad_norm(self)
        if self.clip_grad_kwargs:
            self._clip_grad()
        overflow = not math.isfinite(norm)
        self.num_skipped_steps += int(overflow)
        self.message_hub.update_scalar('train/amp_overflow', float(overflow))
        self.message_hub.update_scalar('train/loss_scale', scale)
        # GradScaler.step skips optimizer.step when it found an Inf/NaN
        self.loss_scaler.step(self.optimizer, **kwargs)
        self.loss_scaler.update(self._scale_update_param)

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Gradient-accumulation context and ``torch.autocast`` on the
        parameters' device."""
        with OptimWrapper.optim_context(self, model), torch.autocast(
                self.device_type, dtype=self.cast_dtype):
            yield
