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
    'cam_param_to_translation', 'perspective_projection', 'apply_affine',
    'default_focal_length', 'crop_to_full_camera'
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


def default_focal_length(height: int, width: int) -> float:
    """Focal length assumed for an image of unknown intrinsics, pixels.

    The image diagonal ``sqrt(H^2 + W^2)`` (a ~53 degree diagonal field of
    view), the usual choice when converting crop cameras to full images.
    """
    return float(math.hypot(height, width))


def crop_to_full_camera(cam_t: Union[Tensor, np.ndarray],
                        crop_to_img: Union[Tensor, np.ndarray],
                        focal: Union[float, Tensor, np.ndarray],
                        princpt: Sequence[float],
                        crop_focal: float = FOCAL_LENGTH,
                        crop_size: int = CROP_SIZE
                        ) -> Union[Tensor, np.ndarray]:
    """Convert crop-camera translations to one full-image camera.

    Each person's crop camera (focal ``crop_focal``, principal point at the
    crop centre) is treated as weak-perspective about its root: a point of
    the body frame at depth 0 lands at image pixel
    ``s * crop_focal * (X + t) / t_z + c`` with ``s`` the crop-to-image
    scale and ``c`` the crop centre in the image. The full-image camera
    (focal ``focal``, principal point ``princpt``, shared by all persons)
    reproduces that exactly at depth 0 with

    ``T_z = t_z * focal / (s * crop_focal)`` and
    ``T_xy = t_xy + (c - princpt) * T_z / focal``,

    so persons drawn larger sit nearer and all share one camera.

    Note:
        - N: number of persons

    Args:
        cam_t (Tensor | ndarray [N, 3]): crop-camera translations, metres.
        crop_to_img (Tensor | ndarray [N, 2, 3]): crop-pixel to image-pixel
            affines; scale and translation only (test-time crops).
        focal (float | Tensor | ndarray [N]): full-image focal length, px.
        princpt (sequence of 2 floats): full-image principal point, px.
        crop_focal (float): focal length of the crop camera. Defaults to
            5000.
        crop_size (int): crop side. Defaults to 256.

    Returns:
        Tensor | ndarray [N, 3]: full-image camera translations, metres.
    """
    is_tensor = isinstance(cam_t, Tensor)
    t = cam_t.detach().cpu().double().numpy() if is_tensor else np.asarray(
        cam_t, np.float64)
    mat = np.asarray(
        crop_to_img.detach().cpu().numpy()
        if isinstance(crop_to_img, Tensor) else crop_to_img, np.float64)
    if t.ndim != 2 or t.shape[1] != 3 or mat.shape != (len(t), 2, 3):
        raise ValueError('crop_to_full_camera: expected cam_t (N, 3) and '
                         f'crop_to_img (N, 2, 3), got {t.shape} and '
                         f'{mat.shape}')
    scale = mat[:, 0, 0]  # (N, )
    skew = np.abs(mat[:, 0, 1]) + np.abs(mat[:, 1, 0])
    if (np.abs(mat[:, 1, 1] - scale) > 1e-4 * np.abs(scale)).any() or (
            skew > 1e-4 * np.abs(scale)).any() or (scale <= 0).any():
        raise ValueError('crop_to_full_camera: crop_to_img must be a '
                         'positive scale plus translation (no rotation or '
                         'flip), as test-time crops are')
    half = crop_size / 2.
    centre = mat[:, :, :2] @ np.array([half, half]) + mat[:, :, 2]  # (N, 2)
    focal = np.broadcast_to(np.asarray(focal, np.float64), (len(t), ))
    depth = t[:, 2] * focal / (scale * crop_focal)  # (N, )
    xy = t[:, :2] + (centre - np.asarray(princpt, np.float64)) * (
        depth / focal)[:, None]
    out = np.concatenate([xy, depth[:, None]], axis=1).astype(np.float32)
    if is_tensor:
        return torch.from_numpy(out).to(cam_t.device)
    return out
