# Copyright (c) mmjotr contributors. All rights reserved.
import cv2
import numpy as np

from mmjotr.body_models import get_joint_set
from mmjotr.datasets.transforms import (flip_smpl_pose, rotate_root_pose,
                                        rotation_z)


def rotmat(aa):
    return cv2.Rodrigues(np.asarray(aa, np.float64))[0]


def test_flip_smpl_pose_mirrors_rotations():
    rng = np.random.default_rng(0)
    pose = rng.normal(scale=0.5, size=72).astype(np.float32)
    flipped = flip_smpl_pose(pose).reshape(24, 3)
    mirror = np.diag([-1., 1., 1.])
    names = get_joint_set('smpl_24').joint_names
    for i, name in enumerate(names):
        partner = name.replace('L_', 'R_') if name.startswith('L_') else \
            name.replace('R_', 'L_')
        src = names.index(partner) if partner in names else i
        # a mirrored rotation is M R M, taken from the partner joint
        np.testing.assert_allclose(
            rotmat(flipped[i]),
            mirror @ rotmat(pose[3 * src:3 * src + 3]) @ mirror,
            atol=1e-5)
    np.testing.assert_allclose(
        flip_smpl_pose(flipped.reshape(72)), pose, atol=1e-6)


def test_rotate_root_pose():
    pose = np.zeros(72, np.float32)
    pose[:3] = [0.3, -0.2, 0.1]
    pose[3:] = 0.05
    rot = rotation_z(30.)
    out = rotate_root_pose(pose, rot)
    np.testing.assert_allclose(
        rotmat(out[:3]), rot @ rotmat(pose[:3]), atol=1e-5)
    np.testing.assert_array_equal(out[3:], pose[3:])
    # rotation_z(90) turns +x (right) into +y (down)
    np.testing.assert_allclose(
        rotation_z(90.) @ [1., 0., 0.], [0., 1., 0.], atol=1e-6)
