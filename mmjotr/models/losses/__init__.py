# Copyright (c) mmjotr contributors. All rights reserved.
from .masked_l1_loss import MaskedL1Loss

__all__ = ['MaskedL1Loss']
