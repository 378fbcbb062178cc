# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
from scipy.spatial.transform import Rotation

from mmjotr.body_models.standin import BODY_JOINT_LIMITS, sample_body_poses


def test_limits_cover_body_joints_and_mirror():
    assert sorted(BODY_JOINT_LIMITS) == list(range(1, 22))
    left, right = BODY_JOINT_LIMITS[16], BODY_JOINT_LIMITS[17]
    assert right[0] == left[0]
    assert right[1] == (-left[1][1], -left[1][0])
    assert right[2] == (-left[2][1], -left[2][0])


def test_samples_are_deterministic_and_within_limits():
    a = sample_body_poses(500, np.random.default_rng(0))
    b = sample_body_poses(500, np.random.default_rng(0))
    assert a.shape == (500, 21, 3) and np.array_equal(a, b)
    # Knees (joints 4, 5 -> rows 3, 4) bend about x only, within [0, 2.2].
    knee = Rotation.from_rotvec(a[:, 3]).as_euler('XYZ')
    assert (knee[:, 0] >= -1e-9).all() and (knee[:, 0] <= 2.2 + 1e-9).all()
    assert np.abs(knee[:, 1:]).max() <= 0.05 + 1e-6
    # Joints whose limits are all below pi/2 decompose back into range.
    for joint, lim in BODY_JOINT_LIMITS.items():
        lim = np.array(lim)
        if np.abs(lim).max() >= np.pi / 2:
            continue
        euler = Rotation.from_rotvec(a[:, joint - 1]).as_euler('XYZ')
        assert (euler >= lim[:, 0] - 1e-6).all(), joint
        assert (euler <= lim[:, 1] + 1e-6).all(), joint
