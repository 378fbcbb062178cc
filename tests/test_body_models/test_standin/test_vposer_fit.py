# Copyright (c) mmjotr contributors. All rights reserved.
import os.path as osp

import numpy as np
import pytest
import torch

from mmjotr.body_models import VPoserV1
from mmjotr.body_models.standin import (fit_vposer, sample_body_poses,
                                        vposer_reconstruction_error)


def _snapshot(directory: str) -> str:
    return osp.join(directory, 'vposer_v1_0', 'snapshots', 'TR00_E096.pt')


def test_standin_vposer_reconstructs_prior_poses(standin_body_model_dir):
    poses = sample_body_poses(200, np.random.default_rng(123))
    fitted = VPoserV1(weights=_snapshot(standin_body_model_dir))
    torch.manual_seed(0)
    untrained = VPoserV1()
    err_fit = vposer_reconstruction_error(fitted, poses).mean()
    err_raw = vposer_reconstruction_error(untrained, poses).mean()
    assert err_fit < 0.5 * err_raw
    # Decoded random latents are valid rotations of the body joints.
    aa = fitted.decode(torch.randn(16, 32))
    assert aa.shape == (16, 21, 3)
    assert (aa.norm(dim=-1) <= np.pi + 1e-5).all()


@pytest.mark.slow
def test_full_fit_reconstructs_heldout_poses():
    # The stand-in CLI default (3000 steps, ~3 min on one thread).
    _, report = fit_vposer(steps=3000, seed=0)
    assert report.mean_error_deg < 10.0
    assert report.p95_error_deg < 20.0
