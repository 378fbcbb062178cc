# Copyright (c) mmjotr contributors. All rights reserved.
from .functional import (centre_at, mesh_errors, mpjpe, pa_mpjpe, pve,
                         regress_joints)
from .metrics import MeshMetric

__all__ = [
    'MeshMetric', 'mesh_errors', 'mpjpe', 'pa_mpjpe', 'pve', 'centre_at',
    'regress_joints'
]
