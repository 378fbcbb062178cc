# Copyright (c) mmjotr contributors. All rights reserved.
from .inference import init_model
from .quickstart import QuickstartResult, run_quickstart, write_obj

__all__ = ['init_model', 'run_quickstart', 'QuickstartResult', 'write_obj']
