# Copyright (c) mmjotr contributors. All rights reserved.
from .mesh_predictions import pack_mesh_predictions
from .mesh_targets import BETAS_LIMIT, MeshTargets, zero_implausible_betas

__all__ = [
    'MeshTargets', 'BETAS_LIMIT', 'zero_implausible_betas',
    'pack_mesh_predictions'
]
