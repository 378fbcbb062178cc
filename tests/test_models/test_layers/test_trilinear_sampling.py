# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmjotr.models.layers import sample_volume, trilinear_sample_gather


def naive_trilinear(volume: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Per point, per corner loop with zero padding (align_corners)."""
    batch, channels, depth, height, width = volume.shape
    out = np.zeros((batch, points.shape[1], channels))
    for b in range(batch):
        for k, (x, y, z) in enumerate(points[b]):
            x, y, z = ((x + 1) / 2 * (width - 1), (y + 1) / 2 * (height - 1),
                       (z + 1) / 2 * (depth - 1))
            x0, y0, z0 = int(np.floor(x)), int(np.floor(y)), int(np.floor(z))
            for i in (0, 1):
                for j in (0, 1):
                    for m in (0, 1):
                        xi, yj, zm = x0 + i, y0 + j, z0 + m
                        if not (0 <= xi < width and 0 <= yj < height
                                and 0 <= zm < depth):
                            continue
                        w = ((x - x0 if i else 1 -
                              (x - x0)) * (y - y0 if j else 1 - (y - y0)) *
                             (z - z0 if m else 1 - (z - z0)))
                        out[b, k] += w * volume[b, :, zm, yj, xi]
    return out


def _points(batch, num, generator):
    points = torch.rand(batch, num, 3, generator=generator) * 2.6 - 1.3
    points[0, 0] = torch.tensor([1., 1., 1.])  # last voxel centre
    points[0, 1] = torch.tensor([-1., -1., -1.])  # first voxel centre
    points[0, 2] = torch.tensor([0.999, -1.001, 0.])  # just in / outside
    return points


def test_gather_sampling_matches_naive_and_grid_sample():
    gen = torch.Generator().manual_seed(0)
    volume = torch.randn(2, 5, 4, 6, 7, generator=gen, dtype=torch.float64)
    points = _points(2, 40, gen).double()
    out = trilinear_sample_gather(volume, points)
    assert out.shape == (2, 40, 5)
    np.testing.assert_allclose(
        out.numpy(),
        naive_trilinear(volume.numpy(), points.numpy()),
        atol=1e-12)
    ref = F.grid_sample(
        volume, points[:, None, None], align_corners=True).flatten(2)
    torch.testing.assert_close(out, ref.transpose(1, 2), atol=1e-12, rtol=0)


def test_gather_sampling_on_token_layout_view():
    """The neck returns the volume as a permuted view of its tokens."""
    gen = torch.Generator().manual_seed(1)
    tokens = torch.randn(3, 4 * 8 * 8, 16, generator=gen)  # (B, DHW, C)
    volume = tokens.transpose(1, 2).reshape(3, 16, 4, 8, 8)
    assert not volume.is_contiguous()
    points = _points(3, 15, gen)
    torch.testing.assert_close(
        trilinear_sample_gather(volume, points),
        sample_volume(volume.contiguous(), points),
        atol=1e-6,
        rtol=0)


def test_sample_volume_uses_gathers_only_while_exporting(monkeypatch):
    gen = torch.Generator().manual_seed(2)
    volume = torch.randn(2, 3, 4, 5, 6, generator=gen)
    points = _points(2, 9, gen)
    eager = sample_volume(volume, points)
    expected = F.grid_sample(volume, points[:, None, None], align_corners=True)
    # the PyTorch path is grid_sample itself, bit for bit
    assert torch.equal(eager, expected.flatten(2).transpose(1, 2))
    monkeypatch.setattr(torch.onnx, 'is_in_onnx_export', lambda: True)
    exported = sample_volume(volume, points)
    assert torch.equal(exported, trilinear_sample_gather(volume, points))
    torch.testing.assert_close(exported, eager, atol=1e-6, rtol=0)


def test_gather_sampling_rejects_bad_shapes():
    with pytest.raises(ValueError, match='expects a'):
        trilinear_sample_gather(torch.zeros(1, 2, 3, 4), torch.zeros(1, 5, 3))
    with pytest.raises(ValueError, match='expects a'):
        trilinear_sample_gather(
            torch.zeros(1, 2, 3, 4, 5), torch.zeros(1, 5, 2))
