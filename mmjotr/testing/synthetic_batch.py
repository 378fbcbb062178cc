# Copyright (c) mmjotr contributors. All rights reserved.
"""Random batches in the data-sample contract, for tests, benchmarks and
the quick start (no dataset needed; docs/interfaces.md)."""
from typing import Dict, List

import numpy as np
import torch
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample


def synthetic_batch(batch_size: int,
                    seed: int = 0,
                    num_joints: int = 30,
                    input_size: int = 256,
                    volume_size: int = 64) -> Dict[str, List]:
    """A batch as a dataloader yields it: uint8 BGR crops + data samples.

    Every ``gt_instances`` field of the contract is filled with plausible
    random values (joints inside the 64³ volume, small poses, one person);
    the first half of the batch is 3D-annotated.

    Args:
        batch_size (int): B.
        seed (int): random seed. Defaults to 0.
        num_joints (int): K. Defaults to 30.
        input_size (int): crop size. Defaults to 256.
        volume_size (int): side of the joint volume. Defaults to 64.

    Returns:
        dict: ``inputs`` (list of uint8 ``Tensor[3, S, S]``) and
        ``data_samples`` (list of ``PoseDataSample``).
    """
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for i in range(batch_size):
        inputs.append(
            torch.from_numpy(
                rng.integers(
                    0, 256, (3, input_size, input_size), dtype=np.uint8)))
        joints_voxel = rng.uniform(8, volume_size - 8, (1, num_joints, 3))
        joints_cam = rng.normal(0, 0.3, (1, num_joints, 3))
        joints_cam -= joints_cam[:, :1]
        gt = InstanceData()
        gt.bboxes = np.array([[10., 20., 210., 220.]], np.float32)
        gt.keypoints_input = (
            joints_voxel[..., :2] + rng.normal(0, 1, (1, num_joints, 2)))
        gt.keypoints_input_mask = (rng.uniform(size=(1, num_joints)) > 0.1)
        gt.joints_voxel = joints_voxel
        gt.joints_trunc = np.ones((1, num_joints))
        gt.joints_cam = joints_cam
        gt.joints_valid = np.ones((1, num_joints))
        gt.smpl_joints_voxel = joints_voxel + rng.normal(
            0, 1, joints_voxel.shape)
        gt.smpl_joints_trunc = np.ones((1, num_joints))
        gt.smpl_pose = rng.normal(0, 0.2, (1, 72))
        gt.smpl_betas = rng.normal(0, 1, (1, 10))
        gt.smpl_valid = np.ones(1)
        gt.is_3d = np.array([float(i < (batch_size + 1) // 2)])
        for key in gt.keys():
            gt.set_field(
                torch.as_tensor(np.asarray(gt.get(key), np.float32)), key)
        sample = PoseDataSample(
            metainfo=dict(
                img_path=f'synthetic_{i}.jpg',
                ori_shape=(480, 640),
                img_shape=(input_size, input_size),
                input_size=(input_size, input_size),
                crop_to_img=np.array([[200 / input_size, 0., 10.],
                                      [0., 200 /
                                       input_size, 20.]], np.float32),
                flip=False,
                dataset_name='synthetic',
                sample_idx=i))
        sample.gt_instances = gt
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)
