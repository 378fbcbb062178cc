# Copyright (c) mmjotr contributors. All rights reserved.
import torch

from mmjotr.testing import synthetic_batch


def test_synthetic_batch_follows_the_contract(gt_instance_shapes):
    data = synthetic_batch(2)
    assert data['inputs'][0].dtype == torch.uint8
    assert data['inputs'][0].shape == (3, 256, 256)
    gt = data['data_samples'][1].gt_instances
    for key, shape in gt_instance_shapes.items():
        assert tuple(gt.get(key).shape) == shape, key
    assert data['data_samples'][0].gt_instances.is_3d.item() == 1
    assert gt.is_3d.item() == 0
