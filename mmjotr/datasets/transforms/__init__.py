# Copyright (c) mmjotr contributors. All rights reserved.
from .generate_mesh_targets import GenerateMeshTargets
from .keypoint_utils import (DERIVED_JOINTS, flip_joints,
                             input_keypoints_jotr30, to_joint_set)
from .loading import CorruptImageError, LoadCheckedImage
from .mesh_affine import RandomMeshAffine, crop_affine, invert_affine
from .mesh_bbox import GetMeshBBox
from .pack_mesh_inputs import PackMeshInputs
from .smpl_augment import flip_smpl_pose, rotate_root_pose, rotation_z
from .smpl_joints import SMPLJoints
from .synthetic_keypoint_errors import (COCO_SIGMAS, ERROR_NAMES,
                                        SyntheticKeypointErrors)

__all__ = [
    'LoadCheckedImage', 'CorruptImageError', 'GetMeshBBox', 'RandomMeshAffine',
    'GenerateMeshTargets', 'SyntheticKeypointErrors', 'PackMeshInputs',
    'crop_affine', 'invert_affine', 'to_joint_set', 'flip_joints',
    'input_keypoints_jotr30', 'DERIVED_JOINTS', 'flip_smpl_pose',
    'rotate_root_pose', 'rotation_z', 'COCO_SIGMAS', 'ERROR_NAMES',
    'SMPLJoints'
]
