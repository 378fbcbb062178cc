# Copyright (c) mmjotr contributors. All rights reserved.
"""JOTR's perspective crop camera and the 2D frames it works in.

Two 2D frames appear here: the 256x256 input crop (``CROP_SIZE``) and the
original image (reached from crop pixels with the ``crop_to_img`` affine of
a data sample). The 64-voxel joint volume, a scaling of the crop, is owned
by ``mmjotr.codecs.joint_volume``. The camera is a pinhole with a
virtual focal length of 5000 px and its principal point at the crop centre.
"""
import math
from typing import Sequence, Union

import numpy as np
import torch
from torch import Tensor

__all__ = [
    'FOCAL_LENGTH', 'CROP_SIZE', 'CAMERA_DEPTH_SCALE',
    'cam_param_to_translation', 'perspective_projection', 'apply_affine'
]

#: Virtual focal length of the crop camera, pixels.
FOCAL_LENGTH = 5000.
#: Side of the square network input crop, pixels.
CROP_SIZE = 256
#: ``k`` in ``t_z = k * sigmoid(c2)``: the depth at which a 2.5 m tall
#: person fills the 256 px crop, ``sqrt(f^2 * 2.5^2 / 256^2)`` ~ 48.83 m.
CAMERA_DEPTH_SCALE = math.sqrt(FOCAL_LENGTH**2 * 2.5**2 / CROP_SIZE**2)


def cam_param_to_translation(cam: Tensor) -> Tensor:
    """Map the network's camera output to a camera-frame translation.

    Args:
        cam (Tensor[B, 3]): raw camera parameters ``(c0, c1, c2)``.

    Returns:
        Tensor[B, 3]: translation ``(c0, c1, k * sigmoid(c2))`` in metres,
        with ``k`` = :data:`CAMERA_DEPTH_SCALE`.
    """
    if cam.shape[-1] != 3:
        raise ValueError('cam_param_to_translation: expected (..., 3), got '
                         f'{tuple(cam.shape)}')
    depth = CAMERA_DEPTH_SCALE * torch.sigmoid(cam[..., 2:])
    return torch.cat([cam[..., :2], depth], dim=-1)


def perspective_projection(
    points: Tensor,
    transl: Tensor,
    focal: float = FOCAL_LENGTH,
    princpt: Sequence[float] = (CROP_SIZE / 2, CROP_SIZE / 2)
) -> Tensor:
    """Project 3D points, translated into the camera frame, to crop pixels.

    ``u = f * X / (Z + 1e-4) + cx`` and likewise for ``v`` (the ``1e-4``
    keeps points on the camera plane finite, as in the reference release).

    Note:
        - B: batch size
        - N: number of points

    Args:
        points (Tensor[B, N, 3]): points in the body frame, metres.
        transl (Tensor[B, 3]): camera-frame translation added to them.
        focal (float): focal length in pixels. Defaults to 5000.
        princpt (sequence of 2 floats): principal point ``(cx, cy)`` in
            pixels. Defaults to the crop centre ``(128, 128)``.

    Returns:
        Tensor[B, N, 2]: pixel coordinates in the crop.
    """
    if points.dim() != 3 or points.shape[-1] != 3:
        raise ValueError('perspective_projection: points must be (B, N, 3), '
                         f'got {tuple(points.shape)}')
    if transl.shape != (points.shape[0], 3):
        raise ValueError('perspective_projection: transl must be (B, 3) = '
                         f'({points.shape[0]}, 3), got {tuple(transl.shape)}')
    cam_points = points + transl[:, None, :]  # (B, N, 3)
    center = cam_points.new_tensor(princpt)  # (2, )
    return (focal * cam_points[..., :2] / (cam_points[..., 2:] + 1e-4) +
            center)


def apply_affine(xy: Union[Tensor, np.ndarray],
                 mat: Union[Tensor, np.ndarray]) -> Union[Tensor, np.ndarray]:
    """Apply 2x3 affine matrices to 2D points.

    Args:
        xy (Tensor | ndarray [..., N, 2]): points.
        mat (Tensor | ndarray [..., 2, 3]): affine matrices, broadcastable
            against the leading dimensions of ``xy`` (e.g. a sample's
            ``crop_to_img``).

    Returns:
        Tensor | ndarray [..., N, 2]: transformed points ``A @ xy + b``.
    """
    if xy.shape[-1] != 2 or tuple(mat.shape[-2:]) != (2, 3):
        raise ValueError('apply_affine: expected xy (..., 2) and mat '
                         f'(..., 2, 3), got {tuple(xy.shape)} and '
                         f'{tuple(mat.shape)}')
    linear = mat[..., :2]  # (..., 2, 2)
    offset = mat[..., None, :, 2]  # (..., 1, 2)
    if isinstance(xy, Tensor):
        return xy @ linear.transpose(-1, -2) + offset
    return xy @ np.swapaxes(linear, -1, -2) + offset
