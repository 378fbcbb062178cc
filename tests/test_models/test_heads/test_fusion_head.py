# Copyright (c) mmjotr contributors. All rights reserved.
import math

import numpy as np
import pytest
import torch

from mmjotr.structures import MeshTargets
from mmjotr.testing import synthetic_batch


@pytest.fixture(scope='module')
def head_run(tiny_jotr):
    model = tiny_jotr.eval()
    data = model.data_preprocessor(synthetic_batch(3, seed=5))
    with torch.no_grad():
        out = model(**data, mode='tensor')
    targets = MeshTargets.from_data_samples(data['data_samples'],
                                            torch.device('cpu'))
    return model.head, out, targets


def test_head_output_is_the_regressors_and_the_decoders(head_run):
    head, out, _ = head_run
    with torch.no_grad():
        smpl = head.smpl_regressor(out.decoder.hidden)
    for name in ('smpl_pose', 'smpl_betas', 'cam_param', 'cam_t', 'vertices',
                 'joints_3d', 'joints_crop'):
        torch.testing.assert_close(getattr(out, name), getattr(smpl, name))
    torch.testing.assert_close(out.joints_voxel, out.decoder.joints[-1] * 64)
    assert head.body_model is head.smpl_regressor.body_model


def test_supervised_losses_hand_computed(head_run):
    head, out, targets = head_run
    losses = head.supervised_losses(out, targets)
    idx = [0, 1, 2, 4, 5, 7, 8, 12, 29, 16, 17, 18, 19, 20, 21]
    o = {k: v.numpy() for k, v in vars(out).items() if torch.is_tensor(v)}
    t = {k: v.numpy() for k, v in vars(targets).items()}
    # body_joint_voxel: z masked by is_3d; 1/64
    mask = np.repeat(t['joints_trunc'][:, idx, None], 3, -1)
    mask[..., 2] *= t['is_3d'][:, None]
    diff = np.abs(o['joints_voxel'] - t['joints_voxel'][:, idx]) * mask
    assert losses['body_joint_voxel'].item() == pytest.approx(
        diff.mean() / 64, rel=1e-5)
    # smpl_pose: ankles, toes, wrists, hands unsupervised
    pose_mask = np.ones((24, 3))
    pose_mask[[7, 8, 10, 11, 20, 21, 22, 23]] = 0
    diff = np.abs(o['smpl_pose'] - t['smpl_pose']) * pose_mask.reshape(72)
    diff *= t['smpl_valid'][:, None]
    assert losses['smpl_pose'].item() == pytest.approx(diff.mean(), rel=1e-5)
    # smpl_shape: betas with any |beta| > 3 become zero targets
    betas = t['smpl_betas'].copy()
    betas[np.abs(betas).max(1) > 3] = 0
    diff = np.abs(o['smpl_betas'] - betas) * t['smpl_valid'][:, None]
    assert losses['smpl_shape'].item() == pytest.approx(diff.mean(), rel=1e-5)
    # body_joint_proj: projection x 64 / 256, 1/8
    diff = np.abs(o['joints_crop'] / 4 - t['joints_voxel'][..., :2])
    diff *= t['joints_trunc'][..., None]
    assert losses['body_joint_proj'].item() == pytest.approx(
        diff.mean() / 8, rel=1e-5)
    # body_joint_cam: root-relative, valid x is_3d, weight 5
    rel = o['joints_3d'] - o['joints_3d'][:, :1]
    diff = np.abs(rel - t['joints_cam'])
    diff *= (t['joints_valid'] * t['is_3d'][:, None])[..., None]
    assert losses['body_joint_cam'].item() == pytest.approx(
        5 * diff.mean(), rel=1e-5)
    # smpl_joint_voxel: fit truncation x fit valid
    mask = t['smpl_joints_trunc'][:, idx, None] * t['smpl_valid'][:, None,
                                                                  None]
    diff = np.abs(o['joints_voxel'] - t['smpl_joints_voxel'][:, idx]) * mask
    assert losses['smpl_joint_voxel'].item() == pytest.approx(
        diff.mean() / 64, rel=1e-5)


def test_attention_maps_on_request(head_run):
    head, out, _ = head_run
    with pytest.raises(ValueError, match='need_weights'):
        head.attention_maps(out)


def test_transformer_xavier_initialised(tiny_jotr):
    # nn.Linear's default bound is 1/sqrt(fan_in); xavier's is larger here
    for linear in (tiny_jotr.head.decoder.layers[0].linear1,
                   tiny_jotr.head.encoder.layers[0].linear1):
        fan_out, fan_in = linear.weight.shape
        top = linear.weight.abs().max().item()
        assert 1 / math.sqrt(fan_in) < top <= math.sqrt(6 / (fan_in + fan_out))


def test_uncertainty_follows_the_supervised_terms(standin_body_model_dir):
    from mmjotr.models.heads import SUPERVISED_TERMS, FusionHead
    small = dict(
        body_model_dir=str(standin_body_model_dir),
        in_channels=8,
        embed_dims=16,
        encoder=dict(num_layers=1, num_heads=2, feedforward_channels=16),
        decoder=dict(num_layers=2, num_heads=2, feedforward_channels=16))
    head = FusionHead(**small)
    assert head.uncertainty_weighting.loss_names == SUPERVISED_TERMS
    assert tuple(head.losses) == SUPERVISED_TERMS
    with pytest.raises(ValueError, match='loss_names must be'):
        FusionHead(
            uncertainty=dict(
                type='UncertaintyWeighting', loss_names=('smpl_pose', )),
            **small)
    assert FusionHead(uncertainty=None, **small).uncertainty_weighting is None
