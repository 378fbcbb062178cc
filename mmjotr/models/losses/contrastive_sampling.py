# Copyright (c) mmjotr contributors. All rights reserved.
"""Index sampling of the two 3D joint contrastive losses (paper Sec. 3.2).

Sampling is separate from the loss computation so that a loss can be
recomputed on the same indices (e.g. by a naive reference in the tests).
Joints are addressed by flat pair index ``b * J + j`` and voxels by flat
index ``b * D * H * W + d * H * W + h * W + w``.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import torch
from torch import Tensor

from mmjotr.codecs import grid_to_voxel


@dataclass
class ContrastIndices:
    """Sampled indices of one contrastive loss evaluation.

    Note:
        - A: anchors kept, P: positives, N: negatives per anchor

    Attributes:
        anchor (Tensor[A]): flat predicted-joint indices of the anchors.
        positive (Tensor[A, P]): joint-to-joint: flat GT-joint indices;
            joint-to-non-joint: flat predicted-joint indices.
        negative (Tensor): joint-to-joint: ``Tensor[A, N]`` flat
            predicted-joint indices; joint-to-non-joint: ``Tensor[N]`` flat
            voxel indices shared by all anchors.
    """
    anchor: Tensor
    positive: Tensor
    negative: Tensor


def choose(num: int, k: int, device=None) -> Tensor:
    """Draw ``k`` of ``range(num)``, with replacement only if ``num < k``."""
    if num >= k:
        return torch.randperm(num, device=device)[:k]
    return torch.randint(num, (k, ), device=device)


def choose_rows(candidates: Tensor, k: int) -> Tensor:
    """Draw ``k`` candidate columns per row, uniformly.

    Rows with at least ``k`` candidates draw without replacement, the
    others with replacement.

    Args:
        candidates (Tensor[R, M]): bool, True where a column may be drawn;
            every row needs at least one candidate.
        k (int): draws per row.

    Returns:
        Tensor[R, k]: column indices (int64).
    """
    counts = candidates.sum(1)
    if bool((counts == 0).any()):
        raise ValueError('choose_rows: a row has no candidate')
    out = candidates.new_empty((candidates.shape[0], k), dtype=torch.long)
    enough = counts >= k
    weights = candidates.float()
    for rows, replacement in ((enough, False), (~enough, True)):
        if bool(rows.any()):
            out[rows] = torch.multinomial(
                weights[rows], k, replacement=replacement)
    return out


def sample_joint_to_joint(gt_valid: Tensor, num_anchors: int,
                          num_positives: int,
                          num_negatives: int) -> Optional[ContrastIndices]:
    """Sample anchors, positives and negatives of the joint-to-joint loss.

    Anchors: ``num_anchors`` of the B·J (sample, joint) pairs. Positives of
    an anchor of joint type j: GT locations of joint j in any sample where
    it is valid. Negatives: predicted locations of joints of other types in
    any sample. Anchors whose type has no valid GT joint are dropped.

    Args:
        gt_valid (Tensor[B, J]): bool, GT joint usable.
        num_anchors (int): A. num_positives (int): P.
        num_negatives (int): N.

    Returns:
        ContrastIndices or None when no anchor has a positive.
    """
    num_samples, num_joints = gt_valid.shape
    if num_joints < 2:
        raise ValueError('joint-to-joint contrast needs at least 2 joints')
    device = gt_valid.device
    joint_type = torch.arange(num_joints, device=device).repeat(num_samples)
    anchor = choose(num_samples * num_joints, num_anchors, device)
    anchor = anchor[gt_valid.any(0)[joint_type[anchor]]]
    if anchor.numel() == 0:
        return None
    same_type = joint_type[anchor][:, None] == joint_type[None]  # (A, BJ)
    positive = choose_rows(same_type & gt_valid.flatten()[None], num_positives)
    negative = choose_rows(~same_type, num_negatives)
    return ContrastIndices(anchor, positive, negative)


def sample_joint_to_nonjoint(nonjoint: Tensor, num_joints: int,
                             num_anchors: int, num_positives: int,
                             num_negatives: int) -> Optional[ContrastIndices]:
    """Sample anchors, positives and negatives of the joint-to-non-joint loss.

    Anchors: ``num_anchors`` of the B·J predicted joints. Positives: the
    other predicted joints (any type, any sample). Negatives: voxels marked
    in ``nonjoint``, drawn once for all anchors.

    Args:
        nonjoint (Tensor[B, D, H, W]): bool, voxel usable as a negative.
        num_joints (int): J. num_anchors (int): A.
        num_positives (int): P. num_negatives (int): N.

    Returns:
        ContrastIndices or None when there are fewer than 2 joints or no
        non-joint voxel.
    """
    num_pairs = nonjoint.shape[0] * num_joints
    pool = nonjoint.flatten().nonzero()[:, 0]
    if num_pairs < 2 or pool.numel() == 0:
        return None
    device = nonjoint.device
    anchor = choose(num_pairs, num_anchors, device)
    others = torch.ones(
        anchor.numel(), num_pairs, dtype=torch.bool, device=device)
    others[torch.arange(anchor.numel(), device=device), anchor] = False
    positive = choose_rows(others, num_positives)
    negative = pool[choose(pool.numel(), num_negatives, device)]
    return ContrastIndices(anchor, positive, negative)


def nonjoint_voxel_mask(points: Tensor,
                        volume_size: Tuple[int, int, int],
                        release_quirks: bool = True) -> Tensor:
    """Mark the voxels that are not a trilinear neighbour of any joint.

    Each joint marks the 8 floor/ceil voxels around its continuous voxel
    coordinate (clamped to the volume) in its own sample. Correct
    behaviour (``release_quirks=False``): coordinate ``(p + 1) / 2 *
    (size - 1)`` per axis (the ``align_corners=True`` centres,
    :func:`~mmjotr.codecs.grid_to_voxel`) and the mask indexed
    ``[z, y, x]``. Release behaviour: coordinate ``(p + 1) * 4`` and
    the (D, H, W) mask indexed ``[x, y, z]``.

    Args:
        points (Tensor[B, J, 3]): joint (x, y, z) in [-1, 1].
        volume_size (tuple[int]): (D, H, W).
        release_quirks (bool): reproduce the release. Defaults to True.

    Returns:
        Tensor[B, D, H, W]: bool, True for non-joint voxels.
    """
    depth, height, width = volume_size
    num_samples, num_joints = points.shape[:2]
    points = points.detach()
    if release_quirks:
        coords = (points + 1) * 4  # (B, J, 3) as (x, y, z)
        # indexed [x, y, z] into the (D, H, W) mask
        limits = points.new_tensor([depth - 1, height - 1, width - 1])
    else:
        coords = grid_to_voxel(points,
                               (width, height,
                                depth)).flip(-1)  # (B, J, 3) as z, y, x
        limits = points.new_tensor([depth - 1, height - 1, width - 1])
    lower = coords.floor().clamp(min=0).minimum(limits).long()
    upper = coords.ceil().clamp(min=0).minimum(limits).long()
    corners = torch.stack([
        torch.stack([(lower, upper)[(c >> axis) & 1][..., axis]
                     for axis in range(3)], -1) for c in range(8)
    ],
                          dim=2)  # (B, J, 8, 3) as (d, h, w)
    batch = torch.arange(
        num_samples,
        device=points.device)[:, None, None].expand(num_samples, num_joints, 8)
    mask = torch.ones((num_samples, depth, height, width),
                      dtype=torch.bool,
                      device=points.device)
    mask[batch, corners[..., 0], corners[..., 1], corners[..., 2]] = False
    return mask
