# Copyright (c) mmjotr contributors. All rights reserved.
from .metrics import *  # noqa: F401,F403

__all__ = []
