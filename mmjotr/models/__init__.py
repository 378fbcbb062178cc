# Copyright (c) mmjotr contributors. All rights reserved.
from . import (backbones, data_preprocessors, estimators, heads, layers,
               losses, necks, utils)
from .backbones import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .estimators import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .necks import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403

__all__ = (
    backbones.__all__ + data_preprocessors.__all__ + estimators.__all__ +
    heads.__all__ + layers.__all__ + losses.__all__ + necks.__all__ +
    utils.__all__)
