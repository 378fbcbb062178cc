# Copyright (c) mmjotr contributors. All rights reserved.
from .joint_sets import (H36M_EVAL_INDICES, JOINT_SETS, JointSet,
                         get_joint_set, joint_indices, map_joints)

__all__ = [
    'JointSet', 'JOINT_SETS', 'H36M_EVAL_INDICES', 'get_joint_set',
    'joint_indices', 'map_joints'
]
