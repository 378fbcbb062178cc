# Copyright (c) mmjotr contributors. All rights reserved.
"""Rest skeleton and body parts of the stand-in body model.

Coordinates follow SMPL: metres, y up, the body faces +z, its left is +x.
Joint positions approximate SMPL's neutral rest pose (left/right
symmetric). Each part is a tube through elliptic sections ``(x, y, z, a,
b)``; ``SKIN_CONTROLS`` says which joint rotates the part along its length.
"""
from typing import Dict, List, Tuple

import numpy as np

from .mesh import TubeSpec

__all__ = [
    'SMPL_PARENTS', 'REST_JOINTS', 'FACE_LANDMARKS', 'HEAD_TOP_PART',
    'part_specs', 'skin_controls', 'joint_part'
]

#: SMPL's kinematic tree (parent of each of the 24 joints, -1 = root).
SMPL_PARENTS = (-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16,
                17, 18, 19, 20, 21)

_LEFT_JOINTS = {  # left joints (x > 0); right ones are mirrored
    1: (0.07, -0.32, 0.0),
    4: (0.10, -0.70, 0.01),
    7: (0.09, -1.10, -0.02),
    10: (0.105, -1.16, 0.11),
    13: (0.075, 0.212, -0.02),
    16: (0.17, 0.235, -0.02),
    18: (0.42, 0.225, -0.04),
    20: (0.67, 0.23, -0.045),
    22: (0.755, 0.226, -0.055)
}
_RIGHT_OF = {1: 2, 4: 5, 7: 8, 10: 11, 13: 14, 16: 17, 18: 19, 20: 21, 22: 23}
_CENTRE_JOINTS = {
    0: (0.0, -0.23, 0.0),
    3: (0.0, -0.11, 0.0),
    6: (0.0, 0.02, 0.0),
    9: (0.0, 0.08, 0.0),
    12: (0.0, 0.29, -0.01),
    15: (0.0, 0.36, 0.02)
}


def _rest_joints() -> np.ndarray:
    joints = np.zeros((24, 3))
    for j, pos in _CENTRE_JOINTS.items():
        joints[j] = pos
    for j, pos in _LEFT_JOINTS.items():
        joints[j] = pos
        joints[_RIGHT_OF[j]] = (-pos[0], pos[1], pos[2])
    return joints


#: (24, 3) rest joint positions of the neutral stand-in.
REST_JOINTS = _rest_joints()

#: Face landmarks placed at SMPL's vertex ids 331 (nose), 2802 (L eye),
#: 6262 (R eye), 3489 (L ear), 3990 (R ear): target points on the head.
FACE_LANDMARKS: Dict[int, Tuple[float, float, float]] = {
    331: (0.0, 0.40, 0.115),
    2802: (0.035, 0.43, 0.10),
    6262: (-0.035, 0.43, 0.10),
    3489: (0.088, 0.41, 0.02),
    3990: (-0.088, 0.41, 0.02),
}
HEAD_TOP_PART = 'head'

# name, parent, ref, segments, nominal rings, sections (x, y, z, a, b)
_TORSO = [(0, -0.41, 0, .03, .02), (0, -0.37, 0, .13, .08),
          (0, -0.30, 0, .165, .105), (0, -0.23, 0, .165, .105),
          (0, -0.11, 0, .145, .10), (0, -0.03, 0, .14, .10),
          (0, 0.08, 0, .155, .11), (0, 0.16, 0, .17, .105),
          (0, 0.23, 0, .18, .09), (0, 0.28, 0, .11, .065),
          (0, 0.31, 0, .04, .03)]
_HEAD = [(0, 0.22, -0.01, .05, .05), (0, 0.29, -0.01, .055, .055),
         (0, 0.34, 0.02, .08, .09), (0, 0.36, 0.02, .085, .095),
         (0, 0.42, 0.02, .09, .10), (0, 0.48, 0.01, .085, .095),
         (0, 0.53, 0.0, .055, .06), (0, 0.55, 0.0, .02, .02)]
_LEG = [(0.075, -0.24, 0.0, .07, .07), (0.07, -0.32, 0.0, .085, .085),
        (0.085, -0.50, 0.005, .07, .07), (0.10, -0.70, 0.01, .05, .055),
        (0.095, -0.85, 0.0, .055, .058), (0.09, -1.05, -0.02, .035, .04),
        (0.09, -1.10, -0.02, .033, .037), (0.09, -1.12, -0.02, .02, .02)]
_FOOT = [(0.09, -1.08, -0.02, .02, .02), (0.09, -1.12, -0.04, .04, .035),
         (0.10, -1.15, 0.03, .045, .025), (0.105, -1.16, 0.11, .04, .02),
         (0.11, -1.165, 0.16, .02, .012)]
_ARM = [(0.06, 0.21, -0.02, .05, .05), (0.075, 0.212, -0.02, .055, .055),
        (0.17, 0.235, -0.02, .055, .06), (0.30, 0.23, -0.03, .045, .048),
        (0.42, 0.225, -0.04, .037, .04), (0.55, 0.228, -0.042, .035, .035),
        (0.67, 0.23, -0.045, .027, .03), (0.69, 0.23, -0.045, .02, .022)]
_HAND = [(0.66, 0.23, -0.045, .018, .025), (0.70, 0.228, -0.05, .022, .045),
         (0.755, 0.226, -0.055, .018, .045), (0.82, 0.22, -0.065, .012, .03),
         (0.84, 0.22, -0.065, .006, .012)]
_LIMBS = [('leg', 'torso', (1, 0, 0), 24, 44, _LEG),
          ('foot', 'leg', (1, 0, 0), 16, 14, _FOOT),
          ('arm', 'torso', (0, 1, 0), 20, 40, _ARM),
          ('hand', 'arm', (0, 1, 0), 12, 12, _HAND)]


def _mirror(sections: list) -> np.ndarray:
    out = np.array(sections, dtype=np.float64)
    out[:, 0] *= -1
    return out


def part_specs() -> List[TubeSpec]:
    """The ten tubes, parents first."""
    specs = [
        TubeSpec('torso', '', np.array(_TORSO, float), (1, 0, 0), 48, 40),
        TubeSpec('head', 'torso', np.array(_HEAD, float), (1, 0, 0), 33, 34)
    ]
    for side in ('L_', 'R_'):
        for name, parent, ref, seg, rings, sections in _LIMBS:
            parent = parent if parent == 'torso' else side + parent
            sec = (
                np.array(sections, float)
                if side == 'L_' else _mirror(sections))
            specs.append(TubeSpec(side + name, parent, sec, ref, seg, rings))
    return specs


def skin_controls() -> Dict[str, List[Tuple[Tuple[float, float, float], int]]]:
    """Per part: centreline points with the joint that rotates them.

    Skinning weights interpolate linearly between consecutive controls
    along the part, so doubled controls around a joint give a short blend.
    """
    j = REST_JOINTS
    controls = {
        'torso': [((0, -0.41, 0), 0), ((0, -0.20, 0), 0), ((0, -0.12, 0), 3),
                  ((0, -0.04, 0), 3), ((0, 0.03, 0), 6), ((0, 0.06, 0), 6),
                  ((0, 0.10, 0), 9), ((0, 0.24, 0), 9), ((0, 0.31, 0), 12)],
        'head': [((0, 0.22, -0.01), 9), ((0, 0.27, -0.01), 12),
                 ((0, 0.31, 0.0), 12), ((0, 0.36, 0.02), 15),
                 ((0, 0.55, 0.0), 15)],
    }
    for sign, side, off in ((1, 'L_', 0), (-1, 'R_', 1)):

        def at(k: int, dx: float = 0.0, dy: float = 0.0, dz: float = 0.0):
            """Point near joint ``k`` (left index) of this side; ``dx``
            points away from the body's midline."""
            p = j[k + off] + np.array([sign * dx, dy, dz])
            return tuple(p)

        controls[side + 'leg'] = [(at(1, 0.005, 0.08), 0),
                                  (at(1, 0.0, -0.03), 1 + off),
                                  (at(4, 0.0, 0.04), 1 + off),
                                  (at(4, 0.0, -0.04), 4 + off),
                                  (at(7, 0.0, 0.03), 4 + off),
                                  (at(7, 0.0, -0.02), 7 + off)]
        controls[side + 'foot'] = [(at(7, 0.0, 0.02), 7 + off),
                                   (at(10, -0.005, 0.0, -0.05), 7 + off),
                                   (at(10, 0.0, 0.0, 0.01), 10 + off),
                                   (at(10, 0.005, 0.0, 0.05), 10 + off)]
        controls[side + 'arm'] = [(at(13, -0.015), 13 + off),
                                  (at(13, 0.04), 13 + off),
                                  (at(16, 0.02), 16 + off),
                                  (at(18, -0.03), 16 + off),
                                  (at(18, 0.03), 18 + off),
                                  (at(20, -0.02), 18 + off),
                                  (at(20, 0.02), 20 + off)]
        controls[side + 'hand'] = [(at(20, -0.01), 20 + off),
                                   (at(22, -0.02), 20 + off),
                                   (at(22, 0.02), 22 + off),
                                   (at(22, 0.085), 22 + off)]
    return controls


def joint_part(joint: int) -> str:
    """The part whose centreline carries a joint (for its regressor row)."""
    side = 'L_' if joint in _LEFT_JOINTS else 'R_'
    if joint in (0, 3, 6, 9):
        return 'torso'
    if joint in (12, 15):
        return 'head'
    limb = {
        1: 'leg',
        4: 'leg',
        7: 'leg',
        10: 'foot',
        13: 'arm',
        16: 'arm',
        18: 'arm',
        20: 'arm',
        22: 'hand'
    }
    left = joint if joint in _LEFT_JOINTS else {
        v: k
        for k, v in _RIGHT_OF.items()
    }[joint]
    return side + limb[left]
