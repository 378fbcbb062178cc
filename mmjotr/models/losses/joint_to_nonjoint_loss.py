# Copyright (c) mmjotr contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from mmjotr.registry import MODELS
from .base_joint_contrastive_loss import (BaseJointContrastiveLoss,
                                          ContrastInputs)
from .contrastive_sampling import (ContrastIndices, nonjoint_voxel_mask,
                                   sample_joint_to_nonjoint)


def joint_to_nonjoint_nce(pred_feats: Tensor, negative_feats: Tensor,
                          indices: ContrastIndices,
                          temperature: float) -> Tensor:
    """Joint-to-non-joint InfoNCE with the shared negatives computed once.

    ``CE([a·p, a·n_1..N] / τ) = softplus(lse_n(a·n / τ) - a·p / τ)``; the
    negatives are shared by all anchors, so the negative logits are
    ``[A, N]`` rather than the reference's ``[A·P, N]``.

    Note:
        - A: anchors, P: positives, N: negatives, M: B·J joints, C: channels

    Args:
        pred_feats (Tensor[M, C]): normalised features at predicted joints.
        negative_feats (Tensor[N, C]): normalised features of the sampled
            non-joint voxels.
        indices (ContrastIndices): anchor (A), positive (A, P) into
            ``pred_feats``.
        temperature (float): τ.

    Returns:
        Tensor: mean over the A·P (anchor, positive) rows.
    """
    anchor = pred_feats[indices.anchor]  # (A, C)
    pos = (anchor @ pred_feats.T).gather(1, indices.positive)  # (A, P)
    lse_neg = torch.logsumexp(
        anchor @ negative_feats.T / temperature, dim=1, keepdim=True)
    return F.softplus(lse_neg - pos / temperature).mean()


@MODELS.register_module()
class JointToNonJointContrastiveLoss(BaseJointContrastiveLoss):
    """Joint-to-non-joint 3D contrast (paper Eq. 4, Sec. 3.2).

    Anchors at predicted joints; positives at the other predicted joints
    (any type, any sample); negatives: voxels (drawn once, shared by all
    anchors) that are none of the 8 floor/ceil neighbours of a predicted
    joint of their sample, see :func:`nonjoint_voxel_mask`. Sizes default to
    A = 100, P = 1024, N = 2048.

    Args:
        num_anchors (int): A. Defaults to 100.
        num_positives (int): P. Defaults to 1024.
        num_negatives (int): N. Defaults to 2048.
        **kwargs: see :class:`BaseJointContrastiveLoss`.
    """

    def __init__(self,
                 num_anchors: int = 100,
                 num_positives: int = 1024,
                 num_negatives: int = 2048,
                 **kwargs) -> None:
        super().__init__(num_anchors, num_positives, num_negatives, **kwargs)

    def sample(self, inputs: ContrastInputs) -> Optional[ContrastIndices]:
        mask = nonjoint_voxel_mask(inputs.pred_points,
                                   tuple(inputs.volume.shape[2:]),
                                   self.release_quirks)
        return sample_joint_to_nonjoint(mask, inputs.pred_points.shape[1],
                                        self.num_anchors, self.num_positives,
                                        self.num_negatives)

    def compute(self, inputs: ContrastInputs,
                indices: ContrastIndices) -> Tensor:
        volume = inputs.volume
        voxels = volume.flatten(2).transpose(1, 2).reshape(
            -1, volume.shape[1])  # (B * D * H * W, C)
        negative_feats = F.normalize(voxels[indices.negative], dim=-1)
        return joint_to_nonjoint_nce(inputs.pred_features(), negative_feats,
                                     indices, self.temperature)
