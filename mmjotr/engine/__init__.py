# Copyright (c) mmjotr contributors. All rights reserved.
from .optim_wrappers import CPUAmpOptimWrapper

__all__ = ['CPUAmpOptimWrapper']
