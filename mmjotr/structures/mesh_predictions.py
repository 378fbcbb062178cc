# Copyright (c) mmjotr contributors. All rights reserved.
from typing import List

import torch
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample
from torch import Tensor

from mmjotr.geometry import apply_affine


def pack_mesh_predictions(data_samples: List[PoseDataSample],
                          smpl_pose: Tensor, smpl_betas: Tensor, cam_t: Tensor,
                          vertices: Tensor, joints_3d: Tensor,
                          joints_crop: Tensor) -> List[PoseDataSample]:
    """Fill ``pred_instances`` (N = 1 per crop) of each data sample.

    The one place that turns a model's outputs into predictions, shared by
    ``JOTR.predict`` and the ONNX Runtime back end (docs/interfaces.md
    "Predictions"). Fields: ``smpl_pose`` (1, 72), ``smpl_betas`` (1, 10),
    ``cam_t`` (1, 3), ``vertices`` (1, V, 3) and ``keypoints_3d`` (1, K,
    3) relative to the pelvis (joint 0), ``keypoints`` (1, K, 2) in
    original-image pixels (through the ``crop_to_img`` affine when the
    metainfo has it, crop pixels otherwise) and ``bboxes`` (1, 4) copied
    from ``gt_instances`` when present.

    Note:
        - B: batch (= len(data_samples)), V: vertices, K: joints

    Args:
        data_samples (list[PoseDataSample]): one per crop.
        smpl_pose (Tensor[B, 72]), smpl_betas (Tensor[B, 10]),
        cam_t (Tensor[B, 3]): SMPL parameters and crop-camera translation.
        vertices (Tensor[B, V, 3]), joints_3d (Tensor[B, K, 3]): mesh and
            joints in the body frame (m).
        joints_crop (Tensor[B, K, 2]): joints projected to crop pixels.

    Returns:
        list[PoseDataSample]: ``data_samples``, filled.
    """
    root = joints_3d[:, :1]
    vertices, joints = vertices - root, joints_3d - root
    for i, sample in enumerate(data_samples):
        pred = InstanceData()
        pred.smpl_pose = smpl_pose[i:i + 1]
        pred.smpl_betas = smpl_betas[i:i + 1]
        pred.cam_t = cam_t[i:i + 1]
        pred.vertices = vertices[i:i + 1]
        pred.keypoints_3d = joints[i:i + 1]
        keypoints = joints_crop[i:i + 1]
        if 'crop_to_img' in sample.metainfo:
            affine = torch.as_tensor(
                sample.metainfo['crop_to_img'],
                dtype=keypoints.dtype,
                device=keypoints.device)
            keypoints = apply_affine(keypoints, affine)
        pred.keypoints = keypoints
        if 'gt_instances' in sample and 'bboxes' in sample.gt_instances:
            pred.bboxes = torch.as_tensor(
                sample.gt_instances.bboxes, device=keypoints.device).float()
        sample.pred_instances = pred
    return data_samples
