# Copyright (c) mmjotr contributors. All rights reserved.
from .lifting_neck import LiftingNeck, LiftingOutput

__all__ = ['LiftingNeck', 'LiftingOutput']
