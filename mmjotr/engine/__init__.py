# Copyright (c) mmjotr contributors. All rights reserved.
from .optimizers import FrozenAwareOptimWrapperConstructor

__all__ = ['FrozenAwareOptimWrapperConstructor']
