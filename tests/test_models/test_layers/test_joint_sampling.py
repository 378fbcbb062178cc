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


def test_inverse_sigmoid_of_saturated_fp16_joints_is_finite():
    """fp16 (the ``--amp`` dtype on CUDA): 1 / 1e-5 overflows 65504 when
    computed in the input's precision; the result is computed in fp32."""
    x = torch.tensor([0., 1e-7, 0.5, 1 - 2**-11, 1.], dtype=torch.float16)
    out = inverse_sigmoid(x)
    assert out.dtype == torch.float32 and torch.isfinite(out).all()
    x64 = x.double().clamp(1e-5, 1)
    expected = torch.log(x64.clamp(min=1e-5) / (1 - x64).clamp(min=1e-5))
    torch.testing.assert_close(out.double(), expected, rtol=1e-6, atol=1e-6)
    # the fp16 computation itself is not finite: the test is real
    naive = torch.log(x.clamp(min=1e-5) / (1 - x).clamp(min=1e-5))
    assert not torch.isfinite(naive).all()
