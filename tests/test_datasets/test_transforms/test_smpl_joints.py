# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch

from mmjotr.body_models import SMPL
from mmjotr.datasets.transforms.smpl_joints import SMPLJoints


@pytest.mark.parametrize('joint_source', ['mesh', 'kinematic'])
def test_subset_skinning_equals_the_full_model(standin_body_model_dir,
                                               joint_source):
    smpl = SMPL(
        standin_body_model_dir, 'female', joint_source=joint_source).eval()
    fast = SMPLJoints(smpl, with_h36m=True)
    lean = SMPLJoints(smpl, with_h36m=False)
    assert len(lean.template) <= len(fast.template) < 6890
    rng = np.random.default_rng(0)
    for _ in range(3):
        pose = rng.normal(scale=0.5, size=72).astype(np.float32)
        betas = rng.normal(size=10).astype(np.float32)
        with torch.no_grad():
            out = smpl(
                torch.from_numpy(pose)[None],
                torch.from_numpy(betas)[None])
            h36m = smpl.regress_h36m(out.vertices)[0].numpy()
        joints, h36m_fast = fast(pose, betas)
        np.testing.assert_allclose(joints, out.joints[0].numpy(), atol=1e-5)
        np.testing.assert_allclose(h36m_fast, h36m, atol=1e-5)
        joints_lean, none = lean(pose, betas)
        assert none is None
        np.testing.assert_allclose(joints_lean, joints, atol=1e-9)
