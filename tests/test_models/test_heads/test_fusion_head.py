# Copyright (c) mmjotr contributors. All rights reserved.
import math

import numpy as np
import pytest
import torch

from mmjotr.geometry import rot6d_to_rotmat, rotmat_to_axis_angle
from mmjotr.models.heads import MeshTargets
from mmjotr.models.utils import synthetic_batch


@pytest.fixture(scope='module')
def head_run(tiny_jotr):
    model = tiny_jotr.eval()
    data = model.data_preprocessor(synthetic_batch(3, seed=5))
    with torch.no_grad():
        out = model(**data, mode='tensor')
    targets = MeshTargets.from_data_samples(data['data_samples'],
                                            torch.device('cpu'))
    return model.head, out, targets


def test_pose_camera_and_projection(head_run):
    head, out, _ = head_run
    hidden = out.decoder.hidden
    with torch.no_grad():
        root_6d = head.cascade_root_pose([h[:, 0] for h in hidden])
        latent = head.cascade_pose([h[:, 0] for h in hidden])
        cam = head.cascade_cam([h[:, 2] for h in hidden])
        body = head.vposer.decode(latent).flatten(1)
        betas = head.cascade_shape([h[:, 1] for h in hidden])
    root = rotmat_to_axis_angle(rot6d_to_rotmat(root_6d))
    torch.testing.assert_close(out.smpl_pose[:, :3], root)
    torch.testing.assert_close(out.smpl_pose[:, 3:66], body)
    assert (out.smpl_pose[:, 66:] == 0).all()
    torch.testing.assert_close(out.smpl_betas, betas)
    k = math.sqrt(5000.**2 * 2.5**2 / 256**2)
    torch.testing.assert_close(out.cam_t[:, :2], cam[:, :2])
    torch.testing.assert_close(out.cam_t[:, 2], k * torch.sigmoid(cam[:, 2]))
    pts = out.joints_3d + out.cam_t[:, None]
    proj = 5000. * pts[..., :2] / (pts[..., 2:] + 1e-4) + 128.
    torch.testing.assert_close(out.joints_crop, proj)
    torch.testing.assert_close(out.joints_img, out.decoder.joints[-1] * 64)


def test_supervised_losses_hand_computed(head_run):
    head, out, targets = head_run
    losses = head.supervised_losses(out, targets)
    idx = [0, 1, 2, 4, 5, 7, 8, 12, 29, 16, 17, 18, 19, 20, 21]
    o = {k: v.numpy() for k, v in vars(out).items() if torch.is_tensor(v)}
    t = {k: v.numpy() for k, v in vars(targets).items()}
    # body_joint_img: z masked by is_3d; 1/64
    mask = np.repeat(t['joints_trunc'][:, idx, None], 3, -1)
    mask[..., 2] *= t['is_3d'][:, None]
    diff = np.abs(o['joints_img'] - t['joints_img'][:, idx]) * mask
    assert losses['body_joint_img'].item() == pytest.approx(
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
    diff = np.abs(o['joints_crop'] / 4 - t['joints_img'][..., :2])
    diff *= t['joints_trunc'][..., None]
    assert losses['body_joint_proj'].item() == pytest.approx(
        diff.mean() / 8, rel=1e-5)
    # body_joint_cam: root-relative, valid x is_3d, weight 5
    rel = o['joints_3d'] - o['joints_3d'][:, :1]
    diff = np.abs(rel - t['joints_cam'])
    diff *= (t['joints_valid'] * t['is_3d'][:, None])[..., None]
    assert losses['body_joint_cam'].item() == pytest.approx(
        5 * diff.mean(), rel=1e-5)
    # smpl_joint_img: fit truncation x fit valid
    mask = t['smpl_joints_trunc'][:, idx, None] * t['smpl_valid'][:, None,
                                                                  None]
    diff = np.abs(o['joints_img'] - t['smpl_joints_img'][:, idx]) * mask
    assert losses['smpl_joint_img'].item() == pytest.approx(
        diff.mean() / 64, rel=1e-5)


def test_attention_maps_on_request(head_run):
    head, out, _ = head_run
    with pytest.raises(ValueError, match='need_weights'):
        head.attention_maps(out)


def test_vposer_frozen_and_eval(tiny_jotr):
    tiny_jotr.train()
    assert not tiny_jotr.head.vposer.training
    assert not any(p.requires_grad for p in tiny_jotr.head.vposer.parameters())
    assert 'head.vposer.bodyprior_dec_out.weight' in tiny_jotr.state_dict()


def test_transformer_xavier_initialised(tiny_jotr):
    # nn.Linear's default bound is 1/sqrt(fan_in); xavier's is larger here
    for linear in (tiny_jotr.head.decoder.layers[0].linear1,
                   tiny_jotr.head.encoder.layers[0].linear1):
        fan_out, fan_in = linear.weight.shape
        top = linear.weight.abs().max().item()
        assert 1 / math.sqrt(fan_in) < top <= math.sqrt(6 / (fan_in + fan_out))
