# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch

from mmjotr.structures import MeshTargets, zero_implausible_betas
from mmjotr.testing import synthetic_batch


def test_stacks_every_field_of_the_contract(gt_instance_shapes):
    samples = synthetic_batch(3, seed=1)['data_samples']
    targets = MeshTargets.from_data_samples(samples, torch.device('cpu'))
    for name, shape in gt_instance_shapes.items():
        if name == 'bboxes':
            continue  # not a target
        value = getattr(targets, name)
        assert value.dtype == torch.float32
        assert tuple(value.shape) == (3, ) + shape[1:], name
        torch.testing.assert_close(value[2],
                                   samples[2].gt_instances.get(name)[0])
    keypoints, mask = MeshTargets.input_pose(samples, torch.device('cpu'))
    torch.testing.assert_close(keypoints, targets.keypoints_input)
    torch.testing.assert_close(mask, targets.keypoints_input_mask)


def test_missing_field_and_several_people_are_named():
    samples = synthetic_batch(2)['data_samples']
    del samples[1].gt_instances.smpl_betas
    with pytest.raises(KeyError, match='sample 1 .*"smpl_betas"'):
        MeshTargets.from_data_samples(samples, torch.device('cpu'))
    samples = synthetic_batch(1)['data_samples']
    gt = samples[0].gt_instances
    two = gt.new(**{k: torch.cat([gt.get(k)] * 2) for k in gt.keys()})
    samples[0].gt_instances = two
    with pytest.raises(ValueError, match='2 persons'):
        MeshTargets.from_data_samples(samples, torch.device('cpu'))


def test_implausible_betas_are_zeroed_per_row():
    betas = np.array([[0.5, -2.9, 3.0], [0.1, 3.2, 0.], [-4., 0., 1.]],
                     np.float32)
    expected = betas.copy()
    expected[1:] = 0
    np.testing.assert_array_equal(zero_implausible_betas(betas), expected)
    np.testing.assert_array_equal(zero_implausible_betas(betas[0]), betas[0])
    torch.testing.assert_close(
        zero_implausible_betas(torch.from_numpy(betas)),
        torch.from_numpy(expected))
