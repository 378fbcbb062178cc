# Copyright (c) mmjotr contributors. All rights reserved.
"""Mixed precision with the release's fixed loss scale, on CUDA or CPU."""
import logging
import math
from contextlib import contextmanager
from typing import Dict, List, Optional, Union

import torch
from mmengine.logging import print_log
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

    Overflow guard: a scaler that keeps overflowing trains nothing while the
    loss stays finite (issue 17: the release's fixed scale 1024 skipped
    every step from a fresh initialisation). After
    ``max_consecutive_overflows`` skipped steps in a row the wrapper raises
    ``FloatingPointError`` (``on_overflow='raise'``) or logs a warning
    (``'warn'``, repeated every ``max_consecutive_overflows`` skips), naming
    the first module whose gradient was not finite in the backward pass
    (the overflow's origin; gradients upstream of it are inf/NaN too), the
    loss scale and the dtype. The backward order is recorded by
    post-accumulate-grad hooks on the model's parameters, registered the
    first time ``optim_context`` sees the model.

    mmengine's wrapper builds the CUDA ``GradScaler`` and refuses machines
    without an accelerator, and its ``autocast`` allows only bfloat16 on a
    CPU; this one builds ``torch.amp.GradScaler`` and ``torch.autocast`` for
    the device of the parameters, so the same setting runs in CPU tests.

    Args:
        loss_scale (float or str or dict): ``'dynamic'``, a fixed scale, or
            ``GradScaler`` arguments. Defaults to ``'dynamic'``.
        dtype (str or torch.dtype, optional): autocast dtype. Defaults to
            ``'float16'``.
        max_consecutive_overflows (int): overflow-skipped steps in a row
            that trigger the guard. Defaults to 20.
        on_overflow (str): ``'raise'`` or ``'warn'``. Defaults to
            ``'raise'``.
        **kwargs: arguments of mmengine's ``OptimWrapper`` (``optimizer``,
            ``clip_grad``, ``accumulative_counts``).
    """

    def __init__(self,
                 loss_scale: Union[float, str, dict] = 'dynamic',
                 dtype: Optional[Union[str, torch.dtype]] = 'float16',
                 max_consecutive_overflows: int = 20,
                 on_overflow: str = 'raise',
                 **kwargs) -> None:
        if on_overflow not in ('raise', 'warn'):
            raise ValueError('on_overflow must be "raise" or "warn", got '
                             f'{on_overflow!r}')
        if max_consecutive_overflows < 1:
            raise ValueError('max_consecutive_overflows must be >= 1, got '
                             f'{max_consecutive_overflows}')
        OptimWrapper.__init__(self, **kwargs)
        self.max_consecutive_overflows = max_consecutive_overflows
        self.on_overflow = on_overflow
        self.consecutive_overflows = 0
        # parameter names in the order their gradients were accumulated
        self._grad_order: List[str] = []
        self._named_models: Dict[int, nn.Module] = {}
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
        self.consecutive_overflows = self.consecutive_overflows + 1 \
            if overflow else 0
        self.message_hub.update_scalar('train/amp_overflow', float(overflow))
        self.message_hub.update_scalar('train/loss_scale', scale)
        if overflow and self.consecutive_overflows % \
                self.max_consecutive_overflows == 0:
            self._overflow_guard(scale)
        self._grad_order.clear()
        # GradScaler.step skips optimizer.step when it found an Inf/NaN
        self.loss_scaler.step(self.optimizer, **kwargs)
        self.loss_scaler.update(self._scale_update_param)

    def first_nonfinite_grad(self) -> Optional[str]:
        """Name of the first parameter whose gradient is not finite, in
        backward order (parameter order if none was recorded); None if all
        are finite."""
        params = self._parameters()
        names = {id(p): n for n, p in self._parameter_names()}
        order = [(n, params.get(pid)) for n, pid in self._grad_order]
        recorded = {pid for _, pid in self._grad_order}
        order += [(names.get(pid, f'parameter {i}'), p)
                  for i, (pid, p) in enumerate(params.items())
                  if pid not in recorded]
        for name, param in order:
            if param is not None and param.grad is not None and \
                    not bool(torch.isfinite(param.grad).all()):
                return name
        return None

    def _parameters(self) -> Dict[int, torch.Tensor]:
        """The optimised parameters by id, in the optimizer's order."""
        return {
            id(p): p
            for group in self.optimizer.param_groups
            for p in group['params']
        }

    def _parameter_names(self):
        for model in self._named_models.values():
            for name, param in model.named_parameters():
                yield _unwrapped(name), param

    def _overflow_guard(self, scale: float) -> None:
        name = self.first_nonfinite_grad()
        module = 'unknown' if name is None else name.rpartition('.')[0]
        dtype = str(self.cast_dtype).replace('torch.', '')
        message = (
            f'{self.consecutive_overflows} optimiser steps in a row skipped: '
            f'the gradients overflowed ({dtype} autocast, loss scale '
            f'{scale:g}); first module with a non-finite gradient in the '
            f'backward pass: {module} (parameter {name}). Nothing is being '
            'trained. Use a dynamic loss scale (the --amp default on CUDA: '
            'no fixed optim_wrapper.loss_scale), a lower fixed one, or '
            'optim_wrapper.dtype=bfloat16 where the GPU supports it '
            '(docs/deployment.md)')
        if self.on_overflow == 'raise':
            print_log(message, logger='current', level=logging.ERROR)
            raise FloatingPointError(message)
        print_log(message, logger='current', level=logging.WARNING)

    def _record_grad_order(self, model: nn.Module) -> None:
        if id(model) in self._named_models:
            return
        self._named_models[id(model)] = model
        ours = self._parameters()
        for name, param in model.named_parameters():
            if id(param) in ours:
                entry = (_unwrapped(name), id(param))
                param.register_post_accumulate_grad_hook(
                    lambda _, entry=entry: self._grad_order.append(entry))

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Gradient-accumulation context and ``torch.autocast`` on the
        parameters' device (and the gradient-order record of the overflow
        guard)."""
        self._record_grad_order(model)
        with OptimWrapper.optim_context(self, model), torch.autocast(
                self.device_type, dtype=self.cast_dtype):
            yield


def _unwrapped(name: str) -> str:
    """A parameter name without DDP's ``module.`` prefix."""
    return name[len('module.'):] if name.startswith('module.') else name
