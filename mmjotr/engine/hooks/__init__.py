# Copyright (c) mmjotr contributors. All rights reserved.
from .checkpoint_check_hook import CheckpointCheckHook
from .nonfinite_guard_hook import NonFiniteGuardHook
from .random_state_hook import RandomStateHook

__all__ = ['CheckpointCheckHook', 'NonFiniteGuardHook', 'RandomStateHook']
