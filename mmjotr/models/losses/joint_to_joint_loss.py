# Copyright (c) mmjotr contributors. All rights reserved.
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from mmjotr.registry import MODELS
from .base_joint_contrastive_loss import (BaseJointContrastiveLoss,
                                          ContrastInputs)
from .contrastive_sampling import ContrastIndices, sample_joint_to_joint


def joint_to_joint_nce(pred_feats: Tensor, gt_feats: Tensor,
                       indices: ContrastIndices, temperature: float) -> Tensor:
    """Joint-to-joint InfoNCE without materialising per-positive negatives.

    For anchor ``a`` and positive ``p`` the reference computes
    ``CE([a·p, a·n_1..N] / τ)`` with the positive at index 0. The negatives
    depend on the anchor only, so ``CE = softplus(lse_n(a·n / τ) - a·p / τ)``
    with one ``logsumexp`` per anchor: the largest tensor is ``[A, B·J]``.

    Note:
        - A: anchors, P: positives, N: negatives, M: B·J joints, C: channels

    Args:
        pred_feats (Tensor[M, C]): normalised features at predicted joints.
        gt_feats (Tensor[M, C]): normalised features at GT joints.
        indices (ContrastIndices): anchor (A), positive (A, P) into
            ``gt_feats``, negative (A, N) into ``pred_feats``.
        temperature (float): τ.

    Returns:
        Tensor: mean over the A·P (anchor, positive) rows.
    """
    anchor = pred_feats[indices.anchor]  # (A, C)
    pos = (anchor @ gt_feats.T).gather(1, indices.positive)  # (A, P)
    neg = (anchor @ pred_feats.T).gather(1, indices.negative)  # (A, N)
    lse_neg = torch.logsumexp(neg / temperature, dim=1, keepdim=True)
    return F.softplus(lse_neg - pos / temperature).mean()


@MODELS.register_module()
class JointToJointContrastiveLoss(BaseJointContrastiveLoss):
    """Joint-to-joint 3D contrast (paper Eq. 5, Sec. 3.2).

    Anchors at predicted joints; positives at GT locations of the same
    joint type in any sample; negatives at predicted joints of other
    types. Sizes default to A = 100, P = 128, N = 256.

    Args:
        num_anchors (int): A. Defaults to 100.
        num_positives (int): P. Defaults to 128.
        num_negatives (int): N. Defaults to 256.
        **kwargs: see :class:`BaseJointContrastiveLoss`.
    """

    def __init__(self,
                 num_anchors: int = 100,
                 num_positives: int = 128,
                 num_negatives: int = 256,
                 **kwargs) -> None:
        super().__init__(num_anchors, num_positives, num_negatives, **kwargs)

    def sample(self, inputs: ContrastInputs) -> Optional[ContrastIndices]:
        return sample_joint_to_joint(inputs.gt_valid, self.num_anchors,
                                     self.num_positives, self.num_negatives)

    def compute(self, inputs: ContrastInputs,
                indices: ContrastIndices) -> Tensor:
        return joint_to_joint_nce(inputs.pred_features(), inputs.gt_features(),
                                  indices, self.temperature)
