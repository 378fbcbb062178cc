# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import torch
from scipy.spatial.transform import Rotation

from mmjotr.body_models import SMPL
from mmjotr.evaluation import (MeshMetric, evaluate_constant_mesh,
                               mean_smpl_params)


def test_mean_of_rotations_and_betas():
    rng = np.random.default_rng(0)
    base = rng.normal(scale=0.5, size=(24, 3))
    angle = 0.4
    poses = np.zeros((2, 72))
    for i, sign in enumerate((1., -1.)):
        # the same base rotation turned +-0.4 rad about z: mean = base
        turn = Rotation.from_rotvec([0, 0, sign * angle])
        poses[i] = (turn * Rotation.from_rotvec(base)).as_rotvec().reshape(72)
    betas = np.array([[1.] * 10, [3.] * 10])
    pose, mean_betas = mean_smpl_params(poses, betas)
    np.testing.assert_allclose(
        Rotation.from_rotvec(pose.reshape(24, 3)).as_matrix(),
        Rotation.from_rotvec(base).as_matrix(),
        atol=1e-5)
    np.testing.assert_allclose(mean_betas, 2.)
    # one pose: its own mean
    pose, _ = mean_smpl_params(poses[:1], betas[:1])
    np.testing.assert_allclose(pose, poses[0], atol=1e-5)


def test_constant_mesh_scored_by_the_metric(standin_body_model_dir):
    rng = np.random.default_rng(1)
    records = [
        dict(
            smpl_pose=rng.normal(scale=0.2, size=72).astype(np.float32),
            smpl_betas=rng.normal(size=10).astype(np.float32))
        for _ in range(3)
    ]
    smpl = SMPL(standin_body_model_dir)
    with torch.no_grad():
        gt = smpl(
            torch.as_tensor(np.stack([r['smpl_pose'] for r in records])),
            torch.as_tensor(np.stack([r['smpl_betas']
                                      for r in records]))).vertices.numpy()
    # predicting person 0's mesh for everyone: 0 error on person 0, and
    # the mean PVE is the mean of the other two (pelvis-centred, by hand)
    metric = MeshMetric(standin_body_model_dir, prefix='b')
    out = evaluate_constant_mesh(metric, gt[0], records, batch_size=2)
    pelvis = smpl.J_regressor[0].numpy()
    centred = gt - np.einsum('v,bvc->bc', pelvis, gt)[:, None]
    pve = np.linalg.norm(centred - centred[:1], axis=-1).mean(1) * 1000
    assert abs(out['b/PVE'] - pve.mean()) < 1e-2
    assert out['b/MPJPE'] > 0 and out['b/PA-MPJPE'] <= out['b/MPJPE']
