# Copyright (c) mmjotr contributors. All rights reserved.
import torch
import torch.nn.functional as F
from torch import Tensor

from .trilinear_sampling import trilinear_sample_gather


def inverse_sigmoid(x: Tensor, eps: float = 1e-5) -> Tensor:
    """Inverse of the sigmoid with both ``x`` and ``1 - x`` clamped at eps.

    Computed in fp32 whatever the input's precision: in fp16 ``1 / eps``
    overflows (a saturated joint gave ``inf``, then NaN downstream).

    Args:
        x (Tensor): values in [0, 1].
        eps (float): lower clamp. Defaults to 1e-5.

    Returns:
        Tensor: fp32 ``log(x / (1 - x))``, same shape as ``x``.
    """
    x = x.float().clamp(min=0, max=1)
    return torch.log(x.clamp(min=eps) / (1 - x).clamp(min=eps))


def sample_volume(volume: Tensor, points: Tensor) -> Tensor:
    """Trilinearly sample a feature volume at normalised 3D points.

    ``grid_sample`` with ``mode='bilinear'`` (trilinear on 5D input),
    ``align_corners=True`` and zero padding: coordinate -1 is the centre of
    the first voxel and +1 that of the last one. While exporting to ONNX
    (no 5-D GridSample there) the same sampling runs with gathers
    (:func:`trilinear_sample_gather`).

    Note:
        - B: batch, C: channels, D/H/W: volume size, K: points

    Args:
        volume (Tensor[B, C, D, H, W]): features.
        points (Tensor[B, K, 3]): (x, y, z) in [-1, 1]; x indexes W,
            y indexes H and z indexes D.

    Returns:
        Tensor[B, K, C]: sampled features.
    """
    if torch.onnx.is_in_onnx_export():
        return trilinear_sample_gather(volume, points)
    grid = points[:, None, None].to(volume.dtype)  # (B, 1, 1, K, 3)
    feats = F.grid_sample(
        volume, grid, mode='bilinear', align_corners=True)  # (B,C,1,1,K)
    return feats.flatten(2).transpose(1, 2)  # (B, K, C)
