# Copyright (c) mmjotr contributors. All rights reserved.
"""The joint volume: JOTR's label space for 3D joints (its one owner).

Every mapping between the spaces a joint passes through lives here:

- **crop pixels → voxels** (x, y): ``xy * volume_size / crop_size`` (the
  64² heatmaps of the 2D pose input share this plane);
- **depth → voxels** (z): a root-relative depth ``dz`` in metres maps to
  ``(dz / (depth_range / 2) + 1) / 2 * volume_size``, so the volume spans
  ``depth_range`` metres around the root;
- **voxels ↔ unit cube** ``[0, 1]^3``: ``/ volume_size``; the fusion decoder
  regresses joints in the unit cube;
- **depth warp** ``z → z^λ`` in the unit cube, λ the lifting neck's learnt
  depth exponent: the neck spaces its D feature slices at ``(d / D)^λ``;
- **unit cube → grid** ``[-1, 1]^3`` of ``grid_sample`` (``align_corners``,
  -1 and +1 the centres of the first and last voxel of the feature volume):
  ``u * 2 - 1``; and back from the grid to continuous feature-volume voxel
  indices ``(g + 1) / 2 * (size - 1)``.

The functions take tensors or numpy arrays (``[..., 3]`` points, x y z).
"""
from typing import Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor

from mmjotr.geometry.camera import CROP_SIZE

Array = Union[Tensor, np.ndarray]

__all__ = [
    'VOLUME_SIZE', 'DEPTH_RANGE', 'crop_to_volume', 'depth_to_volume',
    'volume_to_unit', 'unit_to_volume', 'warp_depth', 'unit_to_grid',
    'grid_to_voxel'
]

#: Side of the joint volume (and of the 2D heatmaps), voxels.
VOLUME_SIZE = 64
#: Depth range the volume covers around the root joint, metres.
DEPTH_RANGE = 2.0


def crop_to_volume(xy: Array,
                   crop_size: int = CROP_SIZE,
                   volume_size: int = VOLUME_SIZE) -> Array:
    """Scale crop-pixel coordinates to volume voxels (x 64 / 256).

    Args:
        xy (Tensor | ndarray [..., 2]): crop pixels (extra trailing
            channels are scaled too).
        crop_size (int): crop side. Defaults to 256.
        volume_size (int): volume side. Defaults to 64.

    Returns:
        Tensor | ndarray [..., 2]: voxel coordinates.
    """
    return xy * (volume_size / crop_size)


def volume_to_crop(xy: Array,
                   crop_size: int = CROP_SIZE,
                   volume_size: int = VOLUME_SIZE) -> Array:
    """Scale volume voxels back to crop pixels (x 256 / 64), the inverse of
    :func:`crop_to_volume`."""
    return xy * (crop_size / volume_size)


def depth_to_volume(dz: Array,
                    depth_range: float = DEPTH_RANGE,
                    volume_size: int = VOLUME_SIZE) -> Array:
    """Map root-relative depths (m) to the volume's z (voxels).

    Args:
        dz (Tensor | ndarray): depth minus the root's depth, metres.
        depth_range (float): metres spanned by the volume. Defaults to 2.
        volume_size (int): volume side. Defaults to 64.

    Returns:
        Tensor | ndarray: ``(dz / (depth_range / 2) + 1) / 2 * volume_size``.
    """
    return (dz / (depth_range / 2.) + 1.) / 2. * volume_size


def volume_to_unit(points: Array, volume_size: int = VOLUME_SIZE) -> Array:
    """Voxel coordinates to the unit cube ``[0, 1]^3``."""
    return points / volume_size


def unit_to_volume(points: Array, volume_size: int = VOLUME_SIZE) -> Array:
    """Unit-cube coordinates to voxels (the decoder's joints to targets)."""
    return points * volume_size


def warp_depth(points: Tensor, depth_exponent: Tensor) -> Tensor:
    """Apply the depth warp ``z -> z^λ`` to points in the unit cube.

    Args:
        points (Tensor[..., 3]): (x, y, z) in [0, 1] (z clamped at 0).
        depth_exponent (Tensor): scalar λ.

    Returns:
        Tensor[..., 3]: (x, y, z^λ).
    """
    z = points[..., 2:].clamp(min=0).pow(depth_exponent)
    return torch.cat((points[..., :2], z), dim=-1)


def unit_to_grid(points: Tensor,
                 depth_exponent: Optional[Tensor] = None) -> Tensor:
    """Unit-cube points to ``grid_sample`` coordinates in ``[-1, 1]``.

    Args:
        points (Tensor[..., 3]): (x, y, z) in [0, 1].
        depth_exponent (Tensor, optional): λ; when given, the depth warp
            :func:`warp_depth` is applied first.

    Returns:
        Tensor[..., 3]: (x, y, z) in [-1, 1].
    """
    if depth_exponent is not None:
        points = warp_depth(points, depth_exponent)
    return points * 2 - 1


def grid_to_voxel(points: Tensor, sizes: Sequence[int]) -> Tensor:
    """``grid_sample`` coordinates to continuous voxel indices of a volume.

    With ``align_corners=True`` -1 is the centre of voxel 0 and +1 that of
    voxel ``size - 1``: index ``(g + 1) / 2 * (size - 1)`` per axis.

    Args:
        points (Tensor[..., 3]): (x, y, z) in [-1, 1].
        sizes (sequence of 3 ints): the volume's (W, H, D), in the order of
            the point coordinates.

    Returns:
        Tensor[..., 3]: continuous (x, y, z) voxel indices.
    """
    return (points + 1) / 2 * points.new_tensor([s - 1 for s in sizes])
