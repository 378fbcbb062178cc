# Copyright (c) mmjotr contributors. All rights reserved.
"""Trilinear sampling of a 5-D volume with gathers (exportable to ONNX).

``F.grid_sample`` on a (B, C, D, H, W) input has no ONNX export in
PyTorch's TorchScript exporter (GridSample is 4-D only up to opset 19),
so the export path of :func:`mmjotr.models.layers.sample_volume` uses this
formulation: the 8 corner voxels of every point are read with one
``gather`` (ONNX ``GatherElements``) and blended with the trilinear
weights. It follows ``grid_sample(mode='bilinear', padding_mode='zeros',
align_corners=True)`` exactly: corners outside the volume contribute zero.
"""
import torch
from torch import Tensor

#: Corner offsets (dz, dy, dx) in grid_sample's summation order.
_CORNERS = ((0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1), (1, 0, 0), (1, 0, 1),
            (1, 1, 0), (1, 1, 1))


def trilinear_sample_gather(volume: Tensor, points: Tensor) -> Tensor:
    """Trilinearly sample ``volume`` at normalised points with gathers.

    Same contract as ``sample_volume``: ``align_corners=True`` (-1 is the
    centre of the first voxel, +1 that of the last one) and zero padding.

    Note:
        - B: batch, C: channels, D/H/W: volume size, K: points

    Args:
        volume (Tensor[B, C, D, H, W]): features (any strides).
        points (Tensor[B, K, 3]): (x, y, z) in [-1, 1]; x indexes W,
            y indexes H and z indexes D.

    Returns:
        Tensor[B, K, C]: sampled features, in ``volume.dtype``.
    """
    if volume.dim() != 5 or points.dim() != 3 or points.shape[-1] != 3:
        raise ValueError('trilinear_sample_gather expects a (B, C, D, H, W) '
                         f'volume and (B, K, 3) points, got '
                         f'{tuple(volume.shape)} and {tuple(points.shape)}')
    batch, channels, depth, height, width = volume.shape
    num_points = points.shape[1]
    points = points.to(volume.dtype)
    sizes = (width, height, depth)
    # voxel coordinates, as grid_sample's unnormalisation: ((p + 1) / 2) *
    # (size - 1); columns x, y, z
    coords = [((points[..., i] + 1) / 2) * (sizes[i] - 1) for i in range(3)]
    low = [c.floor() for c in coords]  # (B, K) each
    frac = [c - f for c, f in zip(coords, low)]
    indices, weights = [], []
    for dz, dy, dx in _CORNERS:
        x, y, z = low[0] + dx, low[1] + dy, low[2] + dz
        weight = (
            (frac[0] if dx else 1 - frac[0]) *
            (frac[1] if dy else 1 - frac[1]) * (frac[2] if dz else 1 - frac[2])
        )  # (B, K)
        inside = ((x >= 0) & (x <= width - 1) & (y >= 0) & (y <= height - 1)
                  & (z >= 0) & (z <= depth - 1))
        weights.append(weight * inside.to(weight.dtype))
        x = x.clamp(0, width - 1)
        y = y.clamp(0, height - 1)
        z = z.clamp(0, depth - 1)
        indices.append(((z * height + y) * width + x).long())
    index = torch.cat(indices, dim=1)  # (B, 8K)
    flat = volume.reshape(batch, channels, depth * height * width)
    corners = torch.gather(flat, 2, index[:, None].expand(-1, channels,
                                                          -1))  # (B, C, 8K)
    corners = corners.reshape(batch, channels, 8, num_points)
    weight = torch.stack(weights, dim=1)[:, None]  # (B, 1, 8, K)
    return (corners * weight).sum(dim=2).transpose(1, 2)  # (B, K, C)
