# Copyright (c) mmjotr contributors. All rights reserved.
from .checkpoint_check_hook import CheckpointCheckHook
from .mesh_visualization_hook import MeshVisualizationHook
from .nonfinite_guard_hook import NonFiniteGuardHook
from .random_state_hook import RandomStateHook

__all__ = [
    'CheckpointCheckHook', 'MeshVisualizationHook', 'NonFiniteGuardHook',
    'RandomStateHook'
]
