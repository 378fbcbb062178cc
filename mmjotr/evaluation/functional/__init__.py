# Copyright (c) mmjotr contributors. All rights reserved.
from .mesh_errors import (centre_at, mesh_errors, mpjpe, pa_mpjpe, pve,
                          regress_joints)

__all__ = [
    'centre_at', 'regress_joints', 'mpjpe', 'pa_mpjpe', 'pve', 'mesh_errors'
]
