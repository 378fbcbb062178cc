# Copyright (c) mmjotr contributors. All rights reserved.
"""Scale/rotation/flip/colour augmentation as one affine warp."""
from typing import Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmjotr.registry import TRANSFORMS


def crop_affine(bbox_crop: np.ndarray, size: int, scale: float, rot_deg: float,
                flip: bool) -> np.ndarray:
    """The (2, 3) affine from image pixels to crop pixels.

    ``q = k R(rot) F (p - c) + size / 2`` with ``c`` the box centre,
    ``k = size / (side * scale)``, ``F = diag(-1, 1)`` when flipping and
    ``R(rot) = [[cos, -sin], [sin, cos]]`` in pixel axes (x right, y down).
    Mirroring the image about ``(W - 1) / 2`` together with the box centre,
    as the reference does, gives the same matrix. The 3D rotation that
    matches ``R(rot)`` is ``[[cos, -sin, 0], [sin, cos, 0], [0, 0, 1]]`` in
    the camera frame.

    Args:
        bbox_crop (np.ndarray): (4,) square xyxy box.
        size (int): crop side in pixels (256).
        scale (float): crop-region scale (> 1 zooms out).
        rot_deg (float): rotation in degrees.
        flip (bool): mirror horizontally.

    Returns:
        np.ndarray: float32 (2, 3) image → crop matrix.
    """
    x1, y1, x2, y2 = bbox_crop
    centre = np.array([(x1 + x2) / 2., (y1 + y2) / 2.])
    k = size / (max(x2 - x1, y2 - y1) * scale)
    theta = np.deg2rad(rot_deg)
    rot = np.array([[np.cos(theta), -np.sin(theta)],
                    [np.sin(theta), np.cos(theta)]])
    lin = k * rot @ np.diag([-1. if flip else 1., 1.])
    mat = np.zeros((2, 3))
    mat[:, :2] = lin
    mat[:, 2] = size / 2. - lin @ centre
    return mat.astype(np.float32)


def invert_affine(mat: np.ndarray) -> np.ndarray:
    """Inverse of a (2, 3) affine."""
    return cv2.invertAffineTransform(mat.astype(np.float64)).astype(np.float32)


@TRANSFORMS.register_module()
class RandomMeshAffine(BaseTransform):
    """Crop the person box to ``input_size`` with the release's augmentation.

    Training draws ``scale = clip(N(0, 1), -1, 1) * scale_factor + 1``,
    ``rot = clip(N(0, 1), -2, 2) * rot_factor`` with probability
    ``rot_prob`` (else 0), a horizontal flip with probability
    ``flip_prob`` and a per-channel colour gain from ``U(color_range)``;
    one ``cv2.warpAffine`` produces the crop. ``test_mode`` uses scale 1,
    no rotation, no flip and no colour change.

    Required keys: ``img``, ``bbox_crop``.
    Modified keys: ``img`` (uint8 BGR crop), ``img_shape``.
    Added keys: ``img_to_crop`` and ``crop_to_img`` (2, 3), ``flip``,
    ``rot_deg``, ``aug_scale``, ``input_size``.

    Args:
        input_size (int): crop side (256).
        scale_factor (float): scale augmentation strength.
        rot_factor (float): rotation augmentation strength in degrees.
        rot_prob (float): probability of rotating.
        flip_prob (float): probability of flipping.
        color_range (tuple[float, float]): colour gain range.
        test_mode (bool): no augmentation.
    """

    def __init__(self,
                 input_size: int = 256,
                 scale_factor: float = 0.25,
                 rot_factor: float = 30.,
                 rot_prob: float = 0.6,
                 flip_prob: float = 0.5,
                 color_range: Tuple[float, float] = (0.8, 1.2),
                 test_mode: bool = False) -> None:
        self.input_size = input_size
        self.scale_factor = scale_factor
        self.rot_factor = rot_factor
        self.rot_prob = rot_prob
        self.flip_prob = flip_prob
        self.color_range = tuple(color_range)
        self.test_mode = test_mode

    def _sample(self) -> Tuple[float, float, bool, np.ndarray]:
        if self.test_mode:
            return 1., 0., False, np.ones(3)
        scale = np.clip(np.random.randn(), -1., 1.) * self.scale_factor + 1.
        rot = (
            np.clip(np.random.randn(), -2., 2.) *
            self.rot_factor if np.random.rand() <= self.rot_prob else 0.)
        flip = bool(np.random.rand() < self.flip_prob)
        gain = np.random.uniform(*self.color_range, size=3)
        return float(scale), float(rot), flip, gain

    def transform(self, results: dict) -> dict:
        img = results['img']
        scale, rot, flip, gain = self._sample()
        mat = crop_affine(results['bbox_crop'], self.input_size, scale, rot,
                          flip)
        size = (self.input_size, self.input_size)
        crop = cv2.warpAffine(img, mat, size, flags=cv2.INTER_LINEAR)
        if not self.test_mode:
            # per-channel gain through a lookup table (as pixel * gain,
            # clipped and truncated to uint8)
            lut = np.clip(np.arange(256)[:, None] * gain[None], 0, 255)
            crop = cv2.LUT(crop, lut.astype(np.uint8).reshape(256, 1, 3))
        results.update(
            img=crop,
            img_shape=size,
            input_size=size,
            img_to_crop=mat,
            crop_to_img=invert_affine(mat),
            flip=flip,
            rot_deg=rot,
            aug_scale=scale)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(input_size={self.input_size}, '
                f'test_mode={self.test_mode})')
