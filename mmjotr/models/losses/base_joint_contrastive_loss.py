# Copyright (c) mmjotr contributors. All rights reserved.
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass
from typing import Optional, Tuple

import torch.nn.functional as F
from torch import Tensor, nn

from mmjotr.codecs import unit_to_grid, volume_to_unit
from mmjotr.models.layers import sample_volume
from mmjotr.models.utils import gather_with_grad
from .contrastive_sampling import ContrastIndices


@dataclass
class ContrastInputs:
    """Inputs of a contrastive loss after gathering and filtering.

    Note:
        - B: 3D-annotated samples of all ranks, J: joints, C: channels

    Attributes:
        volume (Tensor[B, C, D, H, W]): H3D features.
        pred_points (Tensor[B, J, 3]): predicted joints in [-1, 1] (x, y, z).
        gt_points (Tensor[B, J, 3]): GT joints in [-1, 1] (x, y, z).
        gt_valid (Tensor[B, J]): bool, GT joint usable.
    """
    volume: Tensor
    pred_points: Tensor
    gt_points: Tensor
    gt_valid: Tensor

    def pred_features(self) -> Tensor:
        """L2-normalised features at the predicted joints, ``[B * J, C]``."""
        return F.normalize(
            sample_volume(self.volume, self.pred_points).flatten(0, 1), dim=-1)

    def gt_features(self) -> Tensor:
        """L2-normalised features at the GT joints, ``[B * J, C]``."""
        return F.normalize(
            sample_volume(self.volume, self.gt_points).flatten(0, 1), dim=-1)


class BaseJointContrastiveLoss(nn.Module, metaclass=ABCMeta):
    """Shared input handling of the 3D joint contrastive losses (paper
    Sec. 3.2, docs/model.md).

    Inputs are gathered over all ranks (gradients flow back to each rank's
    own slice), only 3D-annotated samples are kept, and locations are
    mapped to ``grid_sample`` coordinates with ``mmjotr.codecs``:
    predictions (unit cube) ``p * 2 - 1``, GT joints (64-voxel space)
    ``g / 32 - 1``. With ``release_quirks=False`` the decoder's depth warp
    ``z^λ`` is applied to both (λ detached), as in the decoder's own
    sampling.

    Note:
        - B: batch, J: joints, C: channels, D/H/W: volume size

    Args:
        num_anchors (int): anchors A.
        num_positives (int): positives P per anchor.
        num_negatives (int): negatives N.
        temperature (float): τ. Defaults to 0.07.
        loss_weight (float): factor on the loss. Defaults to 0.1.
        release_quirks (bool): reproduce the release's quirks.
            Defaults to True.
        volume_size (int): side of the GT joint volume. Defaults to 64.
        gradient (str): across W ranks, ``'release'`` (default): each rank
            back-propagates its own copy of the loss into its own samples,
            so after DDP's average the loss trains with 1/W of the
            single-process gradient on the same batch (its balance with the
            supervised terms changes with the GPU count); ``'full'``: the
            gradients of all ranks' losses are summed
            (:func:`gather_with_grad`), the single-process gradient.
    """

    def __init__(self,
                 num_anchors: int,
                 num_positives: int,
                 num_negatives: int,
                 temperature: float = 0.07,
                 loss_weight: float = 0.1,
                 release_quirks: bool = True,
                 volume_size: int = 64,
                 gradient: str = 'release') -> None:
        super().__init__()
        if gradient not in ('release', 'full'):
            raise ValueError(
                f"gradient must be 'release' or 'full', got {gradient!r}")
        self.gradient = gradient
        self.num_anchors = num_anchors
        self.num_positives = num_positives
        self.num_negatives = num_negatives
        self.temperature = temperature
        self.loss_weight = loss_weight
        self.release_quirks = release_quirks
        self.volume_size = volume_size

    def gather(self, volume: Tensor, pred_joints: Tensor, gt_joints: Tensor,
               gt_valid: Tensor, is_3d: Tensor) -> Tuple[Tensor, ...]:
        """The inputs of all ranks (:func:`gather_with_grad`), in the order
        of the arguments; shapes as in :meth:`prepare` with the batches of
        all ranks."""
        return tuple(
            gather_with_grad([
                volume, pred_joints,
                gt_joints.to(pred_joints.dtype),
                gt_valid.to(pred_joints.dtype),
                is_3d.to(pred_joints.dtype)
            ],
                             full_grad=self.gradient == 'full'))

    def select(self, gathered: Tuple[Tensor, ...],
               depth_exponent: Tensor) -> Optional[ContrastInputs]:
        """Keep the 3D-annotated samples of :meth:`gather`'s output and map
        the locations (None when there is none)."""
        volume, pred_joints, gt_joints, gt_valid, is_3d = gathered
        keep = is_3d > 0
        if not bool(keep.any()):
            return None
        gt_joints = volume_to_unit(gt_joints[keep], self.volume_size)
        pred_joints, gt_valid = pred_joints[keep], gt_valid[keep] > 0
        warp = None if self.release_quirks else depth_exponent.detach()
        return ContrastInputs(volume[keep], unit_to_grid(pred_joints, warp),
                              unit_to_grid(gt_joints, warp), gt_valid)

    def prepare(self, volume: Tensor, pred_joints: Tensor, gt_joints: Tensor,
                gt_valid: Tensor, is_3d: Tensor,
                depth_exponent: Tensor) -> Optional[ContrastInputs]:
        """Gather, keep 3D-annotated samples and map the locations.

        Args:
            volume (Tensor[B, C, D, H, W]): H3D.
            pred_joints (Tensor[B, J, 3]): last decoder layer's joints in
                [0, 1]^3.
            gt_joints (Tensor[B, J, 3]): GT joints in the joint volume.
            gt_valid (Tensor[B, J]): GT joint usable.
            is_3d (Tensor[B]): 1 for 3D-annotated samples.
            depth_exponent (Tensor): the neck's λ.

        Returns:
            ContrastInputs or None when no sample is 3D-annotated.
        """
        return self.select(
            self.gather(volume, pred_joints, gt_joints, gt_valid, is_3d),
            depth_exponent)

    @abstractmethod
    def sample(self, inputs: ContrastInputs) -> Optional[ContrastIndices]:
        """Draw the indices of one evaluation (None: nothing to contrast)."""

    @abstractmethod
    def compute(self, inputs: ContrastInputs,
                indices: ContrastIndices) -> Tensor:
        """The unweighted loss on given indices."""

    def forward(self, volume: Tensor, pred_joints: Tensor, gt_joints: Tensor,
                gt_valid: Tensor, is_3d: Tensor,
                depth_exponent: Tensor) -> Tensor:
        """Compute the weighted loss; arguments as in :meth:`prepare`.

        Returns:
            Tensor: scalar loss (a zero connected to ``volume`` when there
            is nothing to contrast).
        """
        gathered = self.gather(volume, pred_joints, gt_joints, gt_valid, is_3d)
        inputs = self.select(gathered, depth_exponent)
        indices = None if inputs is None else self.sample(inputs)
        if indices is None:  # the same on every rank: same gathered data
            return volume.sum() * 0.
        return self.loss_weight * self.compute(inputs, indices)
