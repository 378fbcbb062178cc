# Copyright (c) mmjotr contributors. All rights reserved.
"""Runner-level parts: hooks and the atomic checkpoint file backend."""
from .atomic_local_backend import AtomicLocalBackend
from .hooks import CheckpointCheckHook, NonFiniteGuardHook, RandomStateHook

__all__ = [
    'AtomicLocalBackend', 'CheckpointCheckHook', 'NonFiniteGuardHook',
    'RandomStateHook'
]
