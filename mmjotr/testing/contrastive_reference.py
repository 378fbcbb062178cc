# Copyright (c) mmjotr contributors. All rights reserved.
"""The release's formulation of the contrastive losses: the naive
reference of the tests and the benchmark.

These materialise one row of logits per (anchor, positive) pair, with the
anchor's negatives repeated for every positive (joint-to-joint builds the
``(A·P, N, C)`` negative tensor). They give the same values as
:func:`joint_to_joint_nce` / :func:`joint_to_nonjoint_nce` at a far higher
cost; ``tools/analysis/benchmark_model.py`` measures both.
"""
import torch
import torch.nn.functional as F
from torch import Tensor

from mmjotr.models.losses.contrastive_sampling import ContrastIndices


def _infonce_rows(anchor: Tensor, positive: Tensor, negative_logits: Tensor,
                  temperature: float) -> Tensor:
    pos = (anchor * positive).sum(-1, keepdim=True)  # (A*P, 1)
    logits = torch.cat((pos, negative_logits), 1) / temperature  # (A*P,1+N)
    target = logits.new_zeros(logits.shape[0], dtype=int)
    return F.cross_entropy(logits, target)


def reference_joint_to_joint_nce(pred_feats: Tensor, gt_feats: Tensor,
                                 indices: ContrastIndices,
                                 temperature: float) -> Tensor:
    """Joint-to-joint InfoNCE with ``(A·P, N, C)`` negatives materialised.

    Arguments as :func:`joint_to_joint_nce`.
    """
    num_pos = indices.positive.shape[1]
    anchor = pred_feats[indices.anchor].repeat_interleave(num_pos, 0)
    positive = gt_feats[indices.positive.flatten()]  # (A*P, C)
    negative = pred_feats[indices.negative].repeat_interleave(num_pos,
                                                              0)  # (A*P, N, C)
    neg_logits = (anchor[:, None] * negative).sum(-1)  # (A*P, N)
    return _infonce_rows(anchor, positive, neg_logits, temperature)


def reference_joint_to_nonjoint_nce(pred_feats: Tensor, negative_feats: Tensor,
                                    indices: ContrastIndices,
                                    temperature: float) -> Tensor:
    """Joint-to-non-joint InfoNCE with ``(A·P, N)`` negative logits.

    Arguments as :func:`joint_to_nonjoint_nce`.
    """
    num_pos = indices.positive.shape[1]
    anchor = pred_feats[indices.anchor].repeat_interleave(num_pos, 0)
    positive = pred_feats[indices.positive.flatten()]  # (A*P, C)
    neg_logits = anchor @ negative_feats.T  # (A*P, N)
    return _infonce_rows(anchor, positive, neg_logits, temperature)
