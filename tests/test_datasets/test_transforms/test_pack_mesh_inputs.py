# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch
from mmpose.structures import PoseDataSample

from mmjotr.datasets.transforms import PackMeshInputs

SHAPES = dict(
    bbox_crop=(4, ),
    keypoints_input=(30, 2),
    keypoints_input_mask=(30, ),
    joints_voxel=(30, 3),
    joints_trunc=(30, ),
    joints_cam=(30, 3),
    joints_valid=(30, ),
    smpl_joints_voxel=(30, 3),
    smpl_joints_trunc=(30, ),
    smpl_pose_target=(72, ),
    smpl_betas_target=(10, ))


def results():
    rng = np.random.default_rng(0)
    out = {k: rng.random(s).astype(np.float32) for k, s in SHAPES.items()}
    out.update(
        img=rng.integers(0, 255, (256, 256, 3), dtype=np.uint8),
        smpl_valid=True,
        is_3d=False,
        img_path='a.jpg',
        ori_shape=(480, 640),
        img_shape=(256, 256),
        input_size=(256, 256),
        crop_to_img=np.eye(2, 3, dtype=np.float32),
        flip=False,
        dataset_name='coco',
        sample_idx=7,
        smpl_gender='female',
        smpl_pose=np.ones(72, np.float32),
        smpl_betas=np.ones(10, np.float32),
        sequence='seq')
    return out


def test_pack_contract(gt_instance_shapes):
    res = results()
    packed = PackMeshInputs()(res)
    inputs, sample = packed['inputs'], packed['data_samples']
    assert inputs.dtype == torch.uint8 and inputs.shape == (3, 256, 256)
    # BGR channel order is kept (the preprocessor converts to RGB)
    assert torch.equal(inputs[0], torch.from_numpy(res['img'][..., 0]))
    assert isinstance(sample, PoseDataSample)
    gt = sample.gt_instances
    assert len(gt) == 1
    for name, shape in gt_instance_shapes.items():
        value = gt.get(name)
        assert value.shape == shape and value.dtype == torch.float32, name
    np.testing.assert_allclose(gt.smpl_pose[0].numpy(),
                               res['smpl_pose_target'])
    assert gt.smpl_valid.item() == 1. and gt.is_3d.item() == 0.
    assert sample.gender == 'female' and sample.sample_idx == 7
    assert sample.input_size == (256, 256) and sample.sequence == 'seq'
    np.testing.assert_array_equal(sample.gt_smpl_pose, np.ones(72))


def test_pack_names_missing_targets():
    res = results()
    del res['joints_voxel']
    with pytest.raises(KeyError, match='joints_voxel.*a.jpg'):
        PackMeshInputs()(res)
