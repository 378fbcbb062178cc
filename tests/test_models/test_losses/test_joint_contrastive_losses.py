# Copyright (c) mmjotr contributors. All rights reserved.
import itertools

import pytest
import torch
import torch.nn.functional as F

from mmjotr.models.losses import (JointToJointContrastiveLoss,
                                  JointToNonJointContrastiveLoss,
                                  nonjoint_voxel_mask,
                                  sample_joint_to_nonjoint)

TAU = 0.07


def trilinear(volume, points):
    """Hand-written trilinear interpolation, align_corners=True."""
    num, channels, depth, height, width = volume.shape
    out = volume.new_zeros(num, points.shape[1], channels)
    sizes = torch.tensor([width - 1, height - 1, depth - 1],
                         dtype=volume.dtype)
    for b in range(num):
        for k in range(points.shape[1]):
            coord = (points[b, k] + 1) / 2 * sizes  # x, y, z
            low = coord.floor()
            frac = coord - low
            for dx, dy, dz in itertools.product((0, 1), repeat=3):
                x, y, z = (int(low[0]) + dx, int(low[1]) + dy,
                           int(low[2]) + dz)
                if not (0 <= x < width and 0 <= y < height and 0 <= z < depth):
                    continue
                w = ((frac[0] if dx else 1 - frac[0]) *
                     (frac[1] if dy else 1 - frac[1]) *
                     (frac[2] if dz else 1 - frac[2]))
                out[b, k] = out[b, k] + w * volume[b, :, z, y, x]
    return out


def locations(pred, gt, quirks, depth_exponent):
    gt = gt / 64
    if not quirks:
        pred = torch.cat((pred[..., :2], pred[..., 2:]**depth_exponent), -1)
        gt = torch.cat((gt[..., :2], gt[..., 2:]**depth_exponent), -1)
    return pred * 2 - 1, gt * 2 - 1


def naive_infonce(anchor, positive, negative):
    """The reference formulation: (A*P, N, C) negatives materialised."""
    logits = torch.cat([(anchor * positive).sum(-1, keepdim=True),
                        (anchor[:, None] * negative).sum(-1)], 1) / TAU
    return F.cross_entropy(logits, logits.new_zeros(len(logits), dtype=int))


def make_inputs(seed=0, num=3, joints=5, size=4, channels=6):
    gen = torch.Generator().manual_seed(seed)
    volume = torch.randn(num, channels, size, size, size, generator=gen)
    pred = torch.rand(num, joints, 3, generator=gen) * 0.9 + 0.05
    gt = torch.rand(num, joints, 3, generator=gen) * 60 + 2
    valid = torch.rand(num, joints, generator=gen) > 0.3
    valid[:, 0] = False  # joint type 0 has no positive anywhere
    is_3d = torch.tensor([1., 0., 1.])[:num]
    return volume, pred, gt, valid, is_3d


@pytest.mark.parametrize('quirks', [True, False])
def test_joint_to_joint_equals_naive(quirks):
    volume, pred, gt, valid, is_3d = make_inputs()
    depth_exponent = torch.tensor(2.5)
    loss = JointToJointContrastiveLoss(
        num_anchors=12,
        num_positives=7,
        num_negatives=9,
        release_quirks=quirks)
    volume.requires_grad_(True)
    torch.manual_seed(1)
    inputs = loss.prepare(volume, pred, gt, valid, is_3d, depth_exponent)
    idx = loss.sample(inputs)
    lean = loss.compute(inputs, idx)
    grad_lean, = torch.autograd.grad(lean, volume)

    keep = is_3d > 0
    pred_loc, gt_loc = locations(pred[keep], gt[keep], quirks, depth_exponent)
    pred_f = F.normalize(trilinear(volume[keep], pred_loc), dim=-1)
    gt_f = F.normalize(trilinear(volume[keep], gt_loc), dim=-1)
    pred_f, gt_f = pred_f.flatten(0, 1), gt_f.flatten(0, 1)
    num_pos = idx.positive.shape[1]
    anchor = pred_f[idx.anchor].repeat_interleave(num_pos, 0)  # (A*P, C)
    positive = gt_f[idx.positive.flatten()]  # (A*P, C)
    negative = pred_f[idx.negative].repeat_interleave(num_pos, 0)
    naive = naive_infonce(anchor, positive, negative)
    grad_naive, = torch.autograd.grad(naive, volume)
    torch.testing.assert_close(lean, naive, rtol=1e-5, atol=0)
    torch.testing.assert_close(grad_lean, grad_naive, rtol=1e-4, atol=1e-7)
    torch.manual_seed(1)
    weighted = loss(volume, pred, gt, valid, is_3d, depth_exponent)
    torch.testing.assert_close(weighted, 0.1 * naive, rtol=1e-5, atol=0)


@pytest.mark.parametrize('quirks', [True, False])
def test_joint_to_nonjoint_equals_naive(quirks):
    volume, pred, gt, valid, is_3d = make_inputs(seed=3)
    depth_exponent = torch.tensor(3.0)
    loss = JointToNonJointContrastiveLoss(
        num_anchors=8,
        num_positives=11,
        num_negatives=40,
        release_quirks=quirks)
    volume.requires_grad_(True)
    torch.manual_seed(2)
    inputs = loss.prepare(volume, pred, gt, valid, is_3d, depth_exponent)
    idx = loss.sample(inputs)
    lean = loss.compute(inputs, idx)
    grad_lean, = torch.autograd.grad(lean, volume)

    keep = is_3d > 0
    kept = volume[keep]
    pred_loc, _ = locations(pred[keep], gt[keep], quirks, depth_exponent)
    pred_f = F.normalize(trilinear(kept, pred_loc), dim=-1).flatten(0, 1)
    size = kept.shape[2]
    voxels = []
    for flat in idx.negative.tolist():
        b, rest = divmod(flat, size**3)
        d, rest = divmod(rest, size**2)
        h, w = divmod(rest, size)
        voxels.append(kept[b, :, d, h, w])
    negative = F.normalize(torch.stack(voxels), dim=-1)  # (N, C)
    num_pos = idx.positive.shape[1]
    anchor = pred_f[idx.anchor].repeat_interleave(num_pos, 0)
    positive = pred_f[idx.positive.flatten()]
    naive = naive_infonce(anchor, positive,
                          negative[None].expand(len(anchor), -1,
                                                -1))  # (A*P, N, C)
    grad_naive, = torch.autograd.grad(naive, volume)
    torch.testing.assert_close(lean, naive, rtol=1e-5, atol=0)
    torch.testing.assert_close(grad_lean, grad_naive, rtol=1e-4, atol=1e-7)
    # positives never the anchor itself; negatives are non-joint voxels
    assert (idx.positive != idx.anchor[:, None]).all()
    mask = nonjoint_voxel_mask(pred_loc, (size, ) * 3, quirks).flatten()
    assert mask[idx.negative].all()


def test_nonjoint_sampling_and_empty_inputs():
    mask = torch.zeros(2, 2, 2, 2, dtype=bool)
    mask[1, 0, 1, 1] = True
    idx = sample_joint_to_nonjoint(mask, 3, 4, 2, 5)
    assert (idx.negative == 8 + 3).all()
    assert idx.positive.shape == (4, 2)
    assert sample_joint_to_nonjoint(torch.zeros_like(mask), 3, 4, 2, 5) is None
    loss = JointToNonJointContrastiveLoss(
        num_anchors=2, num_positives=2, num_negatives=2)
    volume, pred, gt, valid, _ = make_inputs()
    volume.requires_grad_(True)
    zero = loss(volume, pred, gt, valid, torch.zeros(3), torch.tensor(3.))
    assert zero.item() == 0 and zero.requires_grad


@pytest.mark.parametrize('loss_type', [
    JointToJointContrastiveLoss,
    JointToNonJointContrastiveLoss,
])
@pytest.mark.parametrize('quirks', [True, False])
def test_depth_exponent_gets_no_gradient(loss_type, quirks):
    """The neck's λ shapes the sampling locations (``release_quirks=False``)
    but is detached: the contrastive losses must not train it (docs/model.md,
    "3D joint contrastive learning"). The volume does get a gradient."""
    volume, pred, gt, valid, is_3d = make_inputs(seed=5)
    volume.requires_grad_(True)
    loss = loss_type(
        num_anchors=6, num_positives=5, num_negatives=7, release_quirks=quirks)

    def evaluate(exponent_value):
        exponent = torch.tensor(exponent_value, requires_grad=True)
        torch.manual_seed(4)
        value = loss(volume, pred, gt, valid, is_3d, exponent)
        value.backward()
        return value.detach(), exponent.grad

    value_1, grad_1 = evaluate(1.0)
    value_3, grad_3 = evaluate(3.0)
    assert grad_1 is None and grad_3 is None
    assert volume.grad is not None and volume.grad.abs().sum() > 0
    if quirks:  # the release samples without the depth warp
        assert value_1 == value_3
    else:  # λ is used (as a constant): the sampled features move
        assert value_1 != value_3
