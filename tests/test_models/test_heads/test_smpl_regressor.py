# Copyright (c) mmjotr contributors. All rights reserved.
import math

import torch

from mmjotr.geometry import rot6d_to_rotmat, rotmat_to_axis_angle


def test_pose_camera_and_projection(tiny_jotr):
    reg = tiny_jotr.head.smpl_regressor.eval()
    gen = torch.Generator().manual_seed(3)
    hidden = [torch.randn(3, 18, 32, generator=gen) for _ in range(2)]
    with torch.no_grad():
        out = reg(hidden)
        root_6d = reg.cascade_root_pose([h[:, 0] for h in hidden])
        latent = reg.cascade_pose([h[:, 0] for h in hidden])
        cam = reg.cascade_cam([h[:, 2] for h in hidden])
        body = reg.vposer.decode(latent).flatten(1)
        betas = reg.cascade_shape([h[:, 1] for h in hidden])
        smpl = reg.body_model(out.smpl_pose, betas)
    root = rotmat_to_axis_angle(rot6d_to_rotmat(root_6d))
    torch.testing.assert_close(out.smpl_pose[:, :3], root)
    torch.testing.assert_close(out.smpl_pose[:, 3:66], body)
    assert (out.smpl_pose[:, 66:] == 0).all()
    torch.testing.assert_close(out.smpl_betas, betas)
    torch.testing.assert_close(out.vertices, smpl.vertices)
    torch.testing.assert_close(out.joints_3d, smpl.joints)
    k = math.sqrt(5000.**2 * 2.5**2 / 256**2)
    torch.testing.assert_close(out.cam_t[:, :2], cam[:, :2])
    torch.testing.assert_close(out.cam_t[:, 2], k * torch.sigmoid(cam[:, 2]))
    pts = out.joints_3d + out.cam_t[:, None]
    proj = 5000. * pts[..., :2] / (pts[..., 2:] + 1e-4) + 128.
    torch.testing.assert_close(out.joints_crop, proj)


def test_vposer_frozen_and_eval(tiny_jotr):
    tiny_jotr.train()
    reg = tiny_jotr.head.smpl_regressor
    assert not reg.vposer.training
    assert not any(p.requires_grad for p in reg.vposer.parameters())
    state = tiny_jotr.state_dict()
    assert 'head.smpl_regressor.vposer.bodyprior_dec_out.weight' in state
    # the body model's arrays are never saved (SMPL licence)
    assert not any('body_model' in k for k in state)
