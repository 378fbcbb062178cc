# Copyright (c) mmjotr contributors. All rights reserved.
"""Flip and rotation of SMPL pose parameters (numpy, axis-angle)."""
import cv2
import numpy as np

from .keypoint_utils import flip_permutation


def rotation_z(rot_deg: float) -> np.ndarray:
    """(3, 3) rotation about the camera z axis matching the crop rotation.

    ``[[cos, -sin, 0], [sin, cos, 0], [0, 0, 1]]``: in camera axes (x right,
    y down) it turns projected points like ``R(rot)`` turns crop pixels
    (see :func:`crop_affine`).
    """
    theta = np.deg2rad(rot_deg)
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s, 0.], [s, c, 0.], [0., 0., 1.]], np.float32)


def flip_smpl_pose(pose: np.ndarray) -> np.ndarray:
    """Mirror an SMPL pose across the camera's x = 0 plane.

    Swaps the left/right joints and negates the y and z components of
    every axis-angle vector (``M R M`` with ``M = diag(-1, 1, 1)``).

    Args:
        pose (np.ndarray): (72,) axis-angle pose.

    Returns:
        np.ndarray: float32 (72,) mirrored pose.
    """
    joints = pose.reshape(24, 3)[flip_permutation('smpl_24')]  # (24, 3)
    joints[:, 1:] *= -1.
    return joints.reshape(72).astype(np.float32)


def rotate_root_pose(pose: np.ndarray, rotmat: np.ndarray) -> np.ndarray:
    """Pre-multiply the root (global) orientation of a pose by ``rotmat``.

    Args:
        pose (np.ndarray): (72,) axis-angle pose.
        rotmat (np.ndarray): (3, 3) rotation.

    Returns:
        np.ndarray: float32 (72,) pose with root ``rotmat @ R_root``.
    """
    out = np.array(pose, dtype=np.float32).copy()
    root, _ = cv2.Rodrigues(out[:3].astype(np.float64))
    aa, _ = cv2.Rodrigues(rotmat.astype(np.float64) @ root)
    out[:3] = aa.reshape(3)
    return out
