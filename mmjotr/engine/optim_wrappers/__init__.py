# Copyright (c) mmjotr contributors. All rights reserved.
from .grad_norm_amp_optim_wrapper import GradNormAmpOptimWrapper
from .grad_norm_optim_wrapper import GradNormOptimWrapper, log_grad_norm

__all__ = ['GradNormOptimWrapper', 'GradNormAmpOptimWrapper', 'log_grad_norm']
