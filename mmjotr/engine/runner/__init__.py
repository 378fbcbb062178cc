# Copyright (c) mmjotr contributors. All rights reserved.
from .multi_val_loop import MultiValLoop, merge_config

__all__ = ['MultiValLoop', 'merge_config']
