# Copyright (c) mmjotr contributors. All rights reserved.
import torch

from mmjotr.models.layers import inverse_sigmoid, sample_volume


def test_sample_volume_hand_computed():
    # volume value = 100 d + 10 h + w: trilinear interpolation is exact
    d, h, w = torch.meshgrid(
        torch.arange(4.), torch.arange(3.), torch.arange(5.), indexing='ij')
    volume = torch.stack((100 * d + 10 * h + w, torch.ones_like(d)))[None]
    # x -> W (size 5), y -> H (size 3), z -> D (size 4), align_corners
    points = torch.tensor([[[-1., -1., -1.], [1., 1., 1.], [0., 0., 0.],
                            [0.25, -0.5, 1 / 3]]])
    feats = sample_volume(volume, points)
    x = (points[0, :, 0] + 1) / 2 * 4
    y = (points[0, :, 1] + 1) / 2 * 2
    z = (points[0, :, 2] + 1) / 2 * 3
    torch.testing.assert_close(feats[0, :, 0], 100 * z + 10 * y + x)
    torch.testing.assert_close(feats[0, :, 1], torch.ones(4))
    # a non-linear case against the explicit 8-corner weights
    volume = torch.rand(1, 1, 2, 2, 2)
    feat = sample_volume(volume, torch.tensor([[[-0.5, 0.2, 0.6]]]))[0, 0, 0]
    fx, fy, fz = 0.25, 0.6, 0.8
    expected = sum(volume[0, 0, k, j, i] * (fx if i else 1 - fx) *
                   (fy if j else 1 - fy) * (fz if k else 1 - fz)
                   for i in (0, 1) for j in (0, 1) for k in (0, 1))
    torch.testing.assert_close(feat, expected)


def test_inverse_sigmoid():
    x = torch.tensor([0., 0.2, 0.5, 1.])
    out = inverse_sigmoid(x)
    torch.testing.assert_close(out[1:3], torch.tensor([-1.3862944, 0.]))
    torch.testing.assert_close(out[0], torch.log(torch.tensor(1e-5)))
    torch.testing.assert_close(out[3], -torch.log(torch.tensor(1e-5)))
