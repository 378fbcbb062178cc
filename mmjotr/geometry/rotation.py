# Copyright (c) mmjotr contributors. All rights reserved.
"""Rotation conversions between 6D, matrices, axis-angles and quaternions.

The conversions are thin wrappers around `roma`_ rather than our own code:
roma is maintained, batched over arbitrary leading dimensions and written
for numerical safety in exactly the places where hand-written versions
usually fail — a first-order Rodrigues formula below 1e-6 rad (finite
gradients at angle 0, where smplx's ``batch_rodrigues`` instead adds 1e-8 to
the angle), Markley's quaternion-from-matrix method (well conditioned at
angle pi, unlike the trace-based formula used by torchgeometry-derived code)
and an ``atan2`` angle extraction. mmpose has no 3D rotation utilities. The
wrappers fix mmjotr's conventions on top of roma: quaternions are ``w, x,
y, z`` (roma uses ``x, y, z, w``) with ``w >= 0``, and the 6D representation
is JOTR's (the two columns of ``x.view(..., 3, 2)``).

.. _roma: https://naver.github.io/roma/
"""
import roma
import torch
from torch import Tensor

__all__ = [
    'rot6d_to_rotmat', 'axis_angle_to_rotmat', 'rotmat_to_axis_angle',
    'axis_angle_to_quaternion', 'quaternion_to_axis_angle',
    'rotmat_to_quaternion', 'quaternion_to_rotmat', 'batch_rodrigues'
]


def _check_last_dims(x: Tensor, dims: tuple, name: str) -> None:
    if tuple(x.shape[-len(dims):]) != dims:
        raise ValueError(f'{name}: expected a tensor of shape (..., '
                         f'{", ".join(map(str, dims))}), got '
                         f'{tuple(x.shape)}')


def _canonical_wxyz(quat_xyzw: Tensor) -> Tensor:
    """Reorder roma's ``x, y, z, w`` to ``w, x, y, z`` and make ``w >= 0``."""
    quat = roma.quat_xyzw_to_wxyz(quat_xyzw)
    sign = torch.where(quat[..., :1] < 0, -1.0, 1.0).to(quat.dtype)
    return quat * sign


def rot6d_to_rotmat(x: Tensor) -> Tensor:
    """Convert JOTR's continuous 6D rotation to a rotation matrix.

    ``x`` is viewed as a 3x2 matrix whose two columns are orthonormalised by
    Gram–Schmidt; the third column is their cross product (Zhou et al.,
    CVPR 2019). Degenerate inputs (a zero or colinear column) give zero
    columns instead of NaN, as ``torch.nn.functional.normalize`` would.

    Args:
        x (Tensor[..., 6]): 6D rotations.

    Returns:
        Tensor[..., 3, 3]: rotation matrices.
    """
    _check_last_dims(x, (6, ), 'rot6d_to_rotmat')
    columns = x.reshape(*x.shape[:-1], 3, 2)  # (..., 3, 2)
    return roma.special_gramschmidt(columns, epsilon=1e-12)


def axis_angle_to_rotmat(axis_angle: Tensor) -> Tensor:
    """Convert axis-angle vectors to rotation matrices (Rodrigues).

    Args:
        axis_angle (Tensor[..., 3]): rotation axis times angle (rad).

    Returns:
        Tensor[..., 3, 3]: rotation matrices.
    """
    _check_last_dims(axis_angle, (3, ), 'axis_angle_to_rotmat')
    return roma.rotvec_to_rotmat(axis_angle)


def rotmat_to_axis_angle(rotmat: Tensor) -> Tensor:
    """Convert rotation matrices to axis-angle vectors of angle in [0, pi].

    Args:
        rotmat (Tensor[..., 3, 3]): rotation matrices.

    Returns:
        Tensor[..., 3]: axis-angle vectors.
    """
    _check_last_dims(rotmat, (3, 3), 'rotmat_to_axis_angle')
    return roma.rotmat_to_rotvec(rotmat)


def axis_angle_to_quaternion(axis_angle: Tensor) -> Tensor:
    """Convert axis-angle vectors to unit quaternions ``w, x, y, z``.

    Args:
        axis_angle (Tensor[..., 3]): axis-angle vectors.

    Returns:
        Tensor[..., 4]: unit quaternions with ``w >= 0``.
    """
    _check_last_dims(axis_angle, (3, ), 'axis_angle_to_quaternion')
    return _canonical_wxyz(roma.rotvec_to_unitquat(axis_angle))


def quaternion_to_axis_angle(quat: Tensor) -> Tensor:
    """Convert quaternions ``w, x, y, z`` to axis-angle vectors.

    The quaternion is normalised first; the result has angle in [0, pi].

    Args:
        quat (Tensor[..., 4]): quaternions.

    Returns:
        Tensor[..., 3]: axis-angle vectors.
    """
    _check_last_dims(quat, (4, ), 'quaternion_to_axis_angle')
    quat = roma.quat_normalize(roma.quat_wxyz_to_xyzw(quat))
    return roma.unitquat_to_rotvec(quat)


def rotmat_to_quaternion(rotmat: Tensor) -> Tensor:
    """Convert rotation matrices to unit quaternions ``w, x, y, z``.

    Args:
        rotmat (Tensor[..., 3, 3]): rotation matrices.

    Returns:
        Tensor[..., 4]: unit quaternions with ``w >= 0``.
    """
    _check_last_dims(rotmat, (3, 3), 'rotmat_to_quaternion')
    return _canonical_wxyz(roma.rotmat_to_unitquat(rotmat))


def quaternion_to_rotmat(quat: Tensor) -> Tensor:
    """Convert quaternions ``w, x, y, z`` (normalised first) to matrices.

    Args:
        quat (Tensor[..., 4]): quaternions.

    Returns:
        Tensor[..., 3, 3]: rotation matrices.
    """
    _check_last_dims(quat, (4, ), 'quaternion_to_rotmat')
    quat = roma.quat_normalize(roma.quat_wxyz_to_xyzw(quat))
    return roma.unitquat_to_rotmat(quat)


def batch_rodrigues(axis_angle: Tensor) -> Tensor:
    """Alias of :func:`axis_angle_to_rotmat` under smplx's name.

    Args:
        axis_angle (Tensor[..., 3]): axis-angle vectors.

    Returns:
        Tensor[..., 3, 3]: rotation matrices.
    """
    return axis_angle_to_rotmat(axis_angle)
