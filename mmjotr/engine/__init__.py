# Copyright (c) mmjotr contributors. All rights reserved.
"""Runner-level parts: loops, optimiser wrappers and their constructor,
hooks and the atomic checkpoint file backend."""
from .atomic_local_backend import AtomicLocalBackend
from .hooks import (CheckpointCheckHook, MeshVisualizationHook,
                    NonFiniteGuardHook, RandomStateHook)
from .optim_wrappers import (CPUAmpOptimWrapper, GradNormAmpOptimWrapper,
                             GradNormOptimWrapper, log_grad_norm)
from .optimizers import FrozenAwareOptimWrapperConstructor
from .runner import MultiValLoop, merge_config

__all__ = [
    'AtomicLocalBackend', 'CheckpointCheckHook', 'MeshVisualizationHook',
    'NonFiniteGuardHook', 'RandomStateHook', 'GradNormOptimWrapper',
    'GradNormAmpOptimWrapper', 'CPUAmpOptimWrapper', 'log_grad_norm',
    'FrozenAwareOptimWrapperConstructor', 'MultiValLoop', 'merge_config'
]
