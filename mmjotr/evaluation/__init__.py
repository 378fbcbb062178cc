# Copyright (c) mmjotr contributors. All rights reserved.
from .functional import (centre_at, mesh_errors, mpjpe, pa_mpjpe, pve,
                         regress_joints)
from .mean_pose_baseline import evaluate_constant_mesh, mean_smpl_params
from .metrics import MeshMetric

__all__ = [
    'MeshMetric', 'mesh_errors', 'mpjpe', 'pa_mpjpe', 'pve', 'centre_at',
    'regress_joints', 'mean_smpl_params', 'evaluate_constant_mesh'
]
