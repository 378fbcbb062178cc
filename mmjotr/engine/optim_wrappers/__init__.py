# Copyright (c) mmjotr contributors. All rights reserved.
from .cpu_amp_optim_wrapper import CPUAmpOptimWrapper
from .grad_norm_amp_optim_wrapper import GradNormAmpOptimWrapper
from .grad_norm_optim_wrapper import GradNormOptimWrapper, log_grad_norm

__all__ = [
    'GradNormOptimWrapper', 'GradNormAmpOptimWrapper', 'CPUAmpOptimWrapper',
    'log_grad_norm'
]
