# Copyright (c) mmjotr contributors. All rights reserved.
from .jotr import JOTR

__all__ = ['JOTR']
