# Copyright (c) mmjotr contributors. All rights reserved.
"""A simple pose prior with joint limits for SMPL's 21 body joints.

Used to fit the stand-in VPoser and to draw SynthOcc poses. Each body joint
rotates by intrinsic ``XYZ`` Euler angles inside per-axis limits (radians,
in SMPL's rest frame: y up, facing +z, left = +x). A per-sample activity
factor ``a ~ U(0.25, 1)`` scales all angles of a pose, so calm and extreme
poses both occur; every range contains 0, so scaled angles stay in range.
"""
from typing import Dict, Tuple

import numpy as np
from scipy.spatial.transform import Rotation

__all__ = ['BODY_JOINT_LIMITS', 'sample_body_poses']

Limits = Tuple[Tuple[float, float], Tuple[float, float], Tuple[float, float]]

_SPINE = ((-0.25, 0.4), (-0.25, 0.25), (-0.2, 0.2))
_LEFT: Dict[int, Limits] = {
    1: ((-1.6, 0.5), (-0.5, 0.6), (-0.3, 0.8)),  # hip
    4: ((0.0, 2.2), (-0.05, 0.05), (-0.05, 0.05)),  # knee
    7: ((-0.5, 0.6), (-0.3, 0.3), (-0.2, 0.2)),  # ankle
    10: ((-0.3, 0.3), (-0.1, 0.1), (-0.1, 0.1)),  # toes
    13: ((-0.2, 0.2), (-0.3, 0.2), (-0.3, 0.3)),  # collar
    16: ((-0.8, 0.8), (-1.2, 0.9), (-1.4, 0.6)),  # shoulder
    18: ((-0.5, 0.5), (-2.4, 0.0), (-0.1, 0.1)),  # elbow
    20: ((-0.6, 0.6), (-0.6, 0.6), (-0.8, 0.8)),  # wrist
}
_RIGHT_OF = {1: 2, 4: 5, 7: 8, 10: 11, 13: 14, 16: 17, 18: 19, 20: 21}


def _mirror(limits: Limits) -> Limits:
    """Mirror x -> -x: the x-axis angle keeps, y and z angles negate."""
    (xl, xh), (yl, yh), (zl, zh) = limits
    return ((xl, xh), (-yh, -yl), (-zh, -zl))


def _all_limits() -> Dict[int, Limits]:
    limits = {
        3: _SPINE,
        6: _SPINE,
        9: _SPINE,
        12: ((-0.5, 0.6), (-0.6, 0.6), (-0.3, 0.3)),
        15: ((-0.4, 0.4), (-0.6, 0.6), (-0.3, 0.3))
    }
    for joint, lim in _LEFT.items():
        limits[joint] = lim
        limits[_RIGHT_OF[joint]] = _mirror(lim)
    return dict(sorted(limits.items()))


#: SMPL joint index (1..21) -> ((x_lo, x_hi), (y_lo, y_hi), (z_lo, z_hi)).
BODY_JOINT_LIMITS: Dict[int, Limits] = _all_limits()


def sample_body_poses(num: int, rng: np.random.Generator) -> np.ndarray:
    """Draw body poses from the joint-limit prior.

    Args:
        num (int): number of poses.
        rng (np.random.Generator): random source (determinism).

    Returns:
        ndarray[num, 21, 3]: axis-angle rotations of SMPL joints 1..21.
    """
    limits = np.array(list(BODY_JOINT_LIMITS.values()))  # (21, 3, 2)
    low, high = limits[..., 0], limits[..., 1]
    angles = rng.uniform(low, high, size=(num, 21, 3))
    activity = rng.uniform(0.25, 1.0, size=(num, 1, 1))
    angles = angles * activity
    rot = Rotation.from_euler('XYZ', angles.reshape(-1, 3))
    return rot.as_rotvec().reshape(num, 21, 3)
