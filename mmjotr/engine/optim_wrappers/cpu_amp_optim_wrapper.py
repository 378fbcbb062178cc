# Copyright (c) mmjotr contributors. All rights reserved.
from contextlib import contextmanager
from typing import Union

import torch
from torch import nn

from mmjotr.registry import OPTIM_WRAPPERS
from .grad_norm_optim_wrapper import GradNormOptimWrapper


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(GradNormOptimWrapper):
    """Mixed-precision training on the CPU: bf16 autocast, no loss scaler.

    mmengine's ``AmpOptimWrapper`` refuses to run without an accelerator.
    bf16 has the exponent range of fp32, so gradients need no loss scaling
    (fp16 on GPUs does: use ``AmpOptimWrapper`` there). Parameters,
    gradients and optimiser state stay fp32; the model's ``fp32_modules``
    (SMPL, VPoser, SMPL regressors, losses, uncertainty weights, contrastive
    losses; see ``mmjotr.models.utils.keep_in_fp32``) run in fp32 inside
    the autocast region. ``tools/train.py --amp`` selects this wrapper on
    machines without CUDA. The gradient norm is logged as without AMP
    (``GradNormOptimWrapper``).

    Args:
        dtype (str | torch.dtype): autocast dtype; only bf16 is supported
            by CPU autocast. Defaults to 'bfloat16'.
        **kwargs: ``OptimWrapper`` arguments.
    """

    def __init__(self,
                 dtype: Union[str, torch.dtype] = 'bfloat16',
                 **kwargs) -> None:
        if dtype not in ('bfloat16', torch.bfloat16):
            raise ValueError('CPUAmpOptimWrapper: CPU autocast computes in '
                             f'bfloat16 only, got dtype={dtype!r}')
        super().__init__(**kwargs)
        self.cast_dtype = torch.bfloat16

    @contextmanager
    def optim_context(self, model: nn.Module):
        """The ``OptimWrapper`` context plus bf16 autocast on the CPU."""
        with super().optim_context(model), torch.autocast(
                'cpu', dtype=self.cast_dtype):
            yield
