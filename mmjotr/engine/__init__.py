# Copyright (c) mmjotr contributors. All rights reserved.
from .optim_wrappers import *  # noqa: F401,F403
from .runner import *  # noqa: F401,F403
