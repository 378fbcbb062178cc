# Copyright (c) mmjotr contributors. All rights reserved.
from .camera import (CAMERA_DEPTH_SCALE, CROP_SIZE, FOCAL_LENGTH, apply_affine,
                     cam_param_to_translation, crop_to_full_camera,
                     default_focal_length, perspective_projection)
from .procrustes import similarity_procrustes, similarity_procrustes_np
from .rotation import (axis_angle_to_quaternion, axis_angle_to_rotmat,
                       batch_rodrigues, quaternion_to_axis_angle,
                       quaternion_to_rotmat, rot6d_to_rotmat,
                       rotmat_to_axis_angle, rotmat_to_quaternion)

__all__ = [
    'FOCAL_LENGTH', 'CROP_SIZE', 'CAMERA_DEPTH_SCALE',
    'cam_param_to_translation', 'perspective_projection', 'apply_affine',
    'crop_to_full_camera', 'default_focal_length', 'similarity_procrustes',
    'similarity_procrustes_np', 'rot6d_to_rotmat', 'axis_angle_to_rotmat',
    'rotmat_to_axis_angle', 'axis_angle_to_quaternion',
    'quaternion_to_axis_angle', 'rotmat_to_quaternion', 'quaternion_to_rotmat',
    'batch_rodrigues'
]
