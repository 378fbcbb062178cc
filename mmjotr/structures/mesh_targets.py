# Copyright (c) mmjotr contributors. All rights reserved.
from dataclasses import dataclass, fields
from typing import Sequence, Union

import numpy as np
import torch
from mmpose.structures import PoseDataSample
from torch import Tensor

#: An SMPL fit with any ``|beta| > BETAS_LIMIT`` is implausible: its betas
#: are replaced by zeros, in the targets and in the shape loss.
BETAS_LIMIT = 3.


def zero_implausible_betas(betas: Union[Tensor, np.ndarray]
                           ) -> Union[Tensor, np.ndarray]:
    """Zero the rows of betas that have any ``|beta| > BETAS_LIMIT``.

    Args:
        betas (Tensor | ndarray [..., 10]): SMPL shape coefficients.

    Returns:
        Tensor | ndarray [..., 10]: a copy, implausible rows zeroed.
    """
    if isinstance(betas, Tensor):
        return betas * (betas.abs() <= BETAS_LIMIT).all(dim=-1, keepdim=True)
    return betas * (np.abs(betas) <= BETAS_LIMIT).all(axis=-1, keepdims=True)


@dataclass
class MeshTargets:
    """Batched ground truth of a batch of person crops.

    Built from the ``gt_instances`` of the data samples (docs/interfaces.md
    "Data sample contract"), one person per sample, keypoints in JOTR-30
    order.

    Note:
        - B: batch, K: 30 joints

    Attributes:
        keypoints_input (Tensor[B, K, 2]): 2D pose input, heatmap pixels.
        keypoints_input_mask (Tensor[B, K]): input joint present.
        joints_voxel (Tensor[B, K, 3]): dataset joints in the 64³ joint
            volume (``mmjotr.codecs.joint_volume``).
        joints_trunc (Tensor[B, K]): their truncation mask.
        joints_cam (Tensor[B, K, 3]): root-relative dataset 3D joints (m).
        joints_valid (Tensor[B, K]): dataset has the joint.
        smpl_joints_voxel (Tensor[B, K, 3]): SMPL (pseudo-)GT joints, 64³.
        smpl_joints_trunc (Tensor[B, K]): their truncation mask.
        smpl_pose (Tensor[B, 72]): axis-angle pose.
        smpl_betas (Tensor[B, 10]): shape.
        smpl_valid (Tensor[B]): SMPL parameters usable.
        is_3d (Tensor[B]): 3D-annotated sample.
    """
    keypoints_input: Tensor
    keypoints_input_mask: Tensor
    joints_voxel: Tensor
    joints_trunc: Tensor
    joints_cam: Tensor
    joints_valid: Tensor
    smpl_joints_voxel: Tensor
    smpl_joints_trunc: Tensor
    smpl_pose: Tensor
    smpl_betas: Tensor
    smpl_valid: Tensor
    is_3d: Tensor

    @classmethod
    def from_data_samples(cls, data_samples: Sequence[PoseDataSample],
                          device: torch.device) -> 'MeshTargets':
        """Stack every field over the samples (float32 on ``device``).

        Raises:
            KeyError: a sample lacks a field (names the sample and field).
            ValueError: a sample does not hold exactly one person.
        """
        stacked = {}
        for field in fields(cls):
            values = []
            for i, sample in enumerate(data_samples):
                gt = sample.gt_instances
                if field.name not in gt:
                    raise KeyError(f'data sample {i} '
                                   f'({sample.metainfo.get("img_path")}): '
                                   f'gt_instances has no "{field.name}"')
                value = torch.as_tensor(gt.get(field.name))
                if value.shape[0] != 1:
                    raise ValueError(
                        f'data sample {i}: gt_instances.{field.name} has '
                        f'{value.shape[0]} persons; JOTR takes one per crop')
                values.append(value)
            stacked[field.name] = torch.cat(values).to(
                device=device, dtype=torch.float32)
        return cls(**stacked)

    @classmethod
    def input_pose(cls, data_samples: Sequence[PoseDataSample],
                   device: torch.device) -> tuple:
        """Only the 2D pose input: ``Tensor[B, K, 2]`` and ``[B, K]``."""
        out = []
        for name in ('keypoints_input', 'keypoints_input_mask'):
            values = []
            for i, sample in enumerate(data_samples):
                if name not in sample.gt_instances:
                    raise KeyError(f'data sample {i}: gt_instances has no '
                                   f'"{name}" (the 2D pose input)')
                values.append(torch.as_tensor(sample.gt_instances.get(name)))
            out.append(
                torch.cat(values).to(device=device, dtype=torch.float32))
        return tuple(out)
