# Copyright (c) mmjotr contributors. All rights reserved.
"""Joint name lists of every skeleton JOTR touches, and mappings by name.

Joints are matched between sets by name, as in the reference release
(3DCrowdNet / I2L-MeshNet conventions), so the names below are the
release's, including its idiosyncrasies: SMPL's spine joints are called
``Torso``, ``Spine`` and ``Chest``, its feet ``L_Toe``/``R_Toe`` and its
collars ``L_Thorax``/``R_Thorax``; Human3.6M's head joint (index 9) is named
``Nose`` and its spine joint ``Torso``, so they map onto JOTR-30's ``Nose``
and SMPL's ``Torso``; MuCo's ``Thorax`` maps to nothing. Flip pairs are
derived from the names (``L_x`` <-> ``R_x``), which also repairs the release's
malformed CrowdPose pairs.
"""
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple, TypeVar, Union

import numpy as np
import torch

__all__ = [
    'JointSet', 'JOINT_SETS', 'H36M_EVAL_INDICES', 'get_joint_set',
    'joint_indices', 'map_joints'
]

ArrayT = TypeVar('ArrayT', np.ndarray, torch.Tensor)

SMPL_24 = ('Pelvis', 'L_Hip', 'R_Hip', 'Torso', 'L_Knee', 'R_Knee', 'Spine',
           'L_Ankle', 'R_Ankle', 'Chest', 'L_Toe', 'R_Toe', 'Neck', 'L_Thorax',
           'R_Thorax', 'Head', 'L_Shoulder', 'R_Shoulder', 'L_Elbow',
           'R_Elbow', 'L_Wrist', 'R_Wrist', 'L_Hand', 'R_Hand')
FACE_5 = ('Nose', 'L_Eye', 'R_Eye', 'L_Ear', 'R_Ear')
JOTR_30 = SMPL_24 + FACE_5 + ('Head_top', )
JOTR_15 = ('Pelvis', 'L_Hip', 'R_Hip', 'L_Knee', 'R_Knee', 'L_Ankle',
           'R_Ankle', 'Neck', 'Head_top', 'L_Shoulder', 'R_Shoulder',
           'L_Elbow', 'R_Elbow', 'L_Wrist', 'R_Wrist')
H36M_17 = ('Pelvis', 'R_Hip', 'R_Knee', 'R_Ankle', 'L_Hip', 'L_Knee',
           'L_Ankle', 'Torso', 'Neck', 'Nose', 'Head_top', 'L_Shoulder',
           'L_Elbow', 'L_Wrist', 'R_Shoulder', 'R_Elbow', 'R_Wrist')
#: Indices into H36M-17 of the 14 joints MPJPE / PA-MPJPE are computed on.
H36M_EVAL_INDICES = (1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16)
COCO_17 = ('Nose', 'L_Eye', 'R_Eye', 'L_Ear', 'R_Ear', 'L_Shoulder',
           'R_Shoulder', 'L_Elbow', 'R_Elbow', 'L_Wrist', 'R_Wrist', 'L_Hip',
           'R_Hip', 'L_Knee', 'R_Knee', 'L_Ankle', 'R_Ankle')
CROWDPOSE_14 = ('L_Shoulder', 'R_Shoulder', 'L_Elbow', 'R_Elbow', 'L_Wrist',
                'R_Wrist', 'L_Hip', 'R_Hip', 'L_Knee', 'R_Knee', 'L_Ankle',
                'R_Ankle', 'Head_top', 'Neck')
MUCO_21 = ('Head_top', 'Thorax', 'R_Shoulder', 'R_Elbow', 'R_Wrist',
           'L_Shoulder', 'L_Elbow', 'L_Wrist', 'R_Hip', 'R_Knee', 'R_Ankle',
           'L_Hip', 'L_Knee', 'L_Ankle', 'Pelvis', 'Spine', 'Head', 'R_Hand',
           'L_Hand', 'R_Toe', 'L_Toe')
OPENPOSE_18 = ('Nose', 'Neck', 'R_Shoulder', 'R_Elbow', 'R_Wrist',
               'L_Shoulder', 'L_Elbow', 'L_Wrist', 'R_Hip', 'R_Knee',
               'R_Ankle', 'L_Hip', 'L_Knee', 'L_Ankle', 'R_Eye', 'L_Eye',
               'R_Ear', 'L_Ear')
#: OpenPose BODY_25: BODY_18 with the hip midpoint (``MidHip``, named
#: ``Pelvis`` here) at index 8, then the feet. The foot points are not SMPL's
#: toe joints, so they keep OpenPose names and map to nothing.
OPENPOSE_25 = (
    OPENPOSE_18[:8] + ('Pelvis', ) + OPENPOSE_18[8:] +
    ('L_BigToe', 'L_SmallToe', 'L_Heel', 'R_BigToe', 'R_SmallToe', 'R_Heel'))


@dataclass(frozen=True)
class JointSet:
    """A named skeleton.

    Attributes:
        name (str): registry key, e.g. ``'jotr_30'``.
        joint_names (tuple of str): joint names in storage order.
        flip_pairs (tuple of (int, int)): index pairs swapped by a
            horizontal flip (left first).
    """
    name: str
    joint_names: Tuple[str, ...]
    flip_pairs: Tuple[Tuple[int, int], ...]

    @property
    def num_joints(self) -> int:
        return len(self.joint_names)

    def index(self, joint_name: str) -> int:
        """Index of ``joint_name``; raises KeyError naming the set."""
        try:
            return self.joint_names.index(joint_name)
        except ValueError:
            raise KeyError(f'joint "{joint_name}" is not in joint set '
                           f'"{self.name}" {self.joint_names}') from None


def _make(name: str, joint_names: Sequence[str]) -> JointSet:
    joint_names = tuple(joint_names)
    if len(set(joint_names)) != len(joint_names):
        raise ValueError(f'joint set "{name}" has duplicate names')
    pairs = tuple((i, joint_names.index('R_' + joint[2:]))
                  for i, joint in enumerate(joint_names)
                  if joint[:2] == 'L_' and 'R_' + joint[2:] in joint_names)
    return JointSet(name, joint_names, pairs)


#: Every known joint set by name. ``coco_18``/``coco_19`` append the pelvis
#: (hip midpoint) and neck (shoulder midpoint) the release adds to COCO;
#: ``crowdpose_15`` and ``openpose_19`` append the pelvis.
JOINT_SETS: Dict[str, JointSet] = {
    js.name: js
    for js in (
        _make('smpl_24', SMPL_24),
        _make('jotr_30', JOTR_30),
        _make('jotr_15', JOTR_15),
        _make('h36m_17', H36M_17),
        _make('h36m_eval_14', [H36M_17[i] for i in H36M_EVAL_INDICES]),
        _make('coco_17', COCO_17),
        _make('coco_18', COCO_17 + ('Pelvis', )),
        _make('coco_19', COCO_17 + ('Pelvis', 'Neck')),
        _make('crowdpose_14', CROWDPOSE_14),
        _make('crowdpose_15', CROWDPOSE_14 + ('Pelvis', )),
        _make('muco_21', MUCO_21),
        _make('openpose_18', OPENPOSE_18),
        _make('openpose_19', OPENPOSE_18 + ('Pelvis', )),
        _make('openpose_25', OPENPOSE_25),
    )
}

JointSetLike = Union[str, JointSet]


def get_joint_set(name: JointSetLike) -> JointSet:
    """Look up a joint set by name (a :class:`JointSet` passes through).

    Args:
        name (str | JointSet): a key of :data:`JOINT_SETS`.

    Returns:
        JointSet: the set.
    """
    if isinstance(name, JointSet):
        return name
    if name not in JOINT_SETS:
        raise KeyError(f'unknown joint set "{name}"; known: '
                       f'{sorted(JOINT_SETS)}')
    return JOINT_SETS[name]


def joint_indices(src: JointSetLike, dst: JointSetLike) -> List[int]:
    """For each joint of ``dst``, its index in ``src`` or -1 if absent.

    Args:
        src (str | JointSet): source joint set.
        dst (str | JointSet): destination joint set.

    Returns:
        list of int: ``K_dst`` source indices (-1 = not in ``src``).
    """
    src_names = get_joint_set(src).joint_names
    return [
        src_names.index(name) if name in src_names else -1
        for name in get_joint_set(dst).joint_names
    ]


def map_joints(joints: ArrayT, src: JointSetLike,
               dst: JointSetLike) -> Tuple[ArrayT, ArrayT]:
    """Reorder joints from one set into another by joint name.

    Note:
        - K_src / K_dst: number of joints of the two sets
        - D: any per-joint channel count (2, 3, ...)

    Args:
        joints (ndarray | Tensor [..., K_src, D]): joints in ``src`` order.
        src (str | JointSet): joint set of ``joints``.
        dst (str | JointSet): wanted joint set.

    Returns:
        tuple: ``(mapped, mask)`` — ``mapped`` ``[..., K_dst, D]`` of the same
        type, dtype and device, zero where ``dst`` has a joint that ``src``
        lacks; ``mask`` ``[K_dst]`` (float32) is 1 where the joint exists.
    """
    src_set = get_joint_set(src)
    if joints.ndim < 2 or joints.shape[-2] != src_set.num_joints:
        raise ValueError(f'map_joints: joints of shape {tuple(joints.shape)} '
                         f'do not have {src_set.num_joints} joints (axis -2) '
                         f'of joint set "{src_set.name}"')
    indices = joint_indices(src_set, dst)
    present = [i for i, s in enumerate(indices) if s >= 0]
    taken = [indices[i] for i in present]
    out_shape = (*joints.shape[:-2], len(indices), joints.shape[-1])
    if isinstance(joints, torch.Tensor):
        mapped = joints.new_zeros(out_shape)
        mapped[..., present, :] = joints[..., taken, :]
        mask = torch.zeros(len(indices), device=joints.device)
    else:
        mapped = np.zeros(out_shape, dtype=joints.dtype)
        mapped[..., present, :] = joints[..., taken, :]
        mask = np.zeros(len(indices), dtype=np.float32)
    mask[present] = 1
    return mapped, mask
