# Copyright (c) mmjotr contributors. All rights reserved.
"""Fit a VPoser v1 to the joint-limit pose prior (for the stand-in)."""
from dataclasses import dataclass

import numpy as np
import torch
from mmengine.logging import print_log

from mmjotr.body_models.vposer import VPoserV1
from mmjotr.geometry import axis_angle_to_rotmat
from .pose_prior import sample_body_poses

__all__ = ['VPoserFitReport', 'fit_vposer', 'vposer_reconstruction_error']


@dataclass
class VPoserFitReport:
    """Held-out quality of a fitted VPoser.

    Attributes:
        steps (int): optimisation steps.
        mean_error_deg (float): mean per-joint geodesic angle between
            held-out prior poses and their reconstruction (encoder mean ->
            decoder), degrees.
        p95_error_deg (float): 95th percentile of the same, degrees.
        num_heldout (int): held-out poses evaluated.
    """
    steps: int
    mean_error_deg: float
    p95_error_deg: float
    num_heldout: int


def _geodesic_deg(rot_a: torch.Tensor, rot_b: torch.Tensor) -> torch.Tensor:
    rel = rot_a.transpose(-1, -2) @ rot_b
    cos = (rel.diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2
    return torch.rad2deg(torch.arccos(cos.clamp(-1.0, 1.0)))


@torch.no_grad()
def vposer_reconstruction_error(model: VPoserV1,
                                poses: np.ndarray) -> np.ndarray:
    """Per-joint geodesic errors (deg) of encode-mean -> decode.

    Args:
        model (VPoserV1): the prior (put in eval mode here).
        poses (ndarray[N, 21, 3]): axis-angle body poses.

    Returns:
        ndarray[N, 21]: angles between input and reconstruction, degrees.
    """
    was_training = model.training
    model.eval()
    pose = torch.as_tensor(poses, dtype=torch.float32)
    mu, _ = model.encode(pose)
    error = _geodesic_deg(model.decode_rotmat(mu), axis_angle_to_rotmat(pose))
    model.train(was_training)
    return error.numpy()


def fit_vposer(steps: int = 3000,
               batch_size: int = 256,
               lr: float = 1e-3,
               kl_weight: float = 5e-3,
               num_heldout: int = 2000,
               seed: int = 0) -> tuple:
    """Train a VPoser v1 on fresh samples of the joint-limit prior.

    The loss is the squared Frobenius distance between input and decoded
    rotation matrices plus ``kl_weight`` times the KL divergence to N(0, I),
    so that decoding ``z ~ N(0, I)`` gives poses of the prior.

    Args:
        steps (int): Adam steps. Defaults to 3000.
        batch_size (int): poses per step. Defaults to 256.
        lr (float): learning rate (decayed 10x over the last third).
        kl_weight (float): weight of the KL term. Defaults to 5e-3.
        num_heldout (int): poses held out for the report.
        seed (int): seeds torch and the pose sampler.

    Returns:
        tuple: ``(model, report)`` — a frozen :class:`VPoserV1` in eval mode
        and a :class:`VPoserFitReport`.
    """
    rng = np.random.default_rng(seed)
    heldout = sample_body_poses(num_heldout, np.random.default_rng(seed + 1))
    torch.manual_seed(seed)
    model = VPoserV1(frozen=False)
    model.train()
    optim = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.MultiStepLR(
        optim, milestones=[max(1, 2 * steps // 3)], gamma=0.1)
    log_every = max(steps // 5, 100)
    for step in range(steps):
        pose = torch.as_tensor(
            sample_body_poses(batch_size, rng), dtype=torch.float32)
        mu, scale = model.encode(pose)
        z = mu + scale * torch.randn_like(mu)
        recon = model.decode_rotmat(z)
        target = axis_angle_to_rotmat(pose)
        rec_loss = ((recon - target)**2).sum((-1, -2)).mean()
        kl = 0.5 * (mu**2 + scale**2 - 1 - torch.log(scale**2 + 1e-8))
        loss = rec_loss + kl_weight * kl.sum(-1).mean()
        optim.zero_grad()
        loss.backward()
        optim.step()
        sched.step()
        if (step + 1) % log_every == 0:
            print_log(
                f'stand-in VPoser fit: step {step + 1}/{steps}, '
                f'loss {loss.item():.4f}',
                logger='current')
    model.frozen = True
    model.requires_grad_(False)
    model.eval()
    errors = vposer_reconstruction_error(model, heldout)
    report = VPoserFitReport(steps, float(errors.mean()),
                             float(np.percentile(errors, 95)), num_heldout)
    return model, report
