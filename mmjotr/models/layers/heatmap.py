# Copyright (c) mmjotr contributors. All rights reserved.
import torch
from torch import Tensor


def render_gaussian_heatmaps(keypoints: Tensor, mask: Tensor, size: int,
                             sigma: float) -> Tensor:
    """Render one unnormalised Gaussian per keypoint on a pixel-centre grid.

    ``hm[b, k, y, x] = mask[b, k] * exp(-((x - kx)^2 + (y - ky)^2) /
    (2 sigma^2))`` for integer ``x, y`` in ``0..size-1``.

    Note:
        - B: batch, K: keypoints, S: size

    Args:
        keypoints (Tensor[B, K, 2]): (x, y) in heatmap pixels.
        mask (Tensor[B, K]): 1 where the keypoint is present.
        size (int): S.
        sigma (float): Gaussian standard deviation in pixels.

    Returns:
        Tensor[B, K, S, S]: heatmaps.
    """
    grid = torch.arange(size, dtype=keypoints.dtype, device=keypoints.device)
    dx = grid[None, None, None, :] - keypoints[..., 0, None, None]  # (B,K,1,S)
    dy = grid[None, None, :, None] - keypoints[..., 1, None, None]  # (B,K,S,1)
    heatmaps = torch.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma))
    return heatmaps * mask[..., None, None].to(heatmaps.dtype)
