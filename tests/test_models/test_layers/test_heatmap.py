# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import torch

from mmjotr.models.layers import render_gaussian_heatmaps


def test_render_heatmaps_numpy_formula():
    kps = torch.tensor([[[10.3, 20.7], [0., 63.], [30., 30.]]])
    mask = torch.tensor([[1., 1., 0.]])
    hm = render_gaussian_heatmaps(kps, mask, 64, 2.5).numpy()
    yy, xx = np.mgrid[0:64, 0:64]
    for k in range(3):
        kx, ky = kps[0, k].numpy()
        exp = np.exp(-((xx - kx)**2 + (yy - ky)**2) / (2 * 2.5**2))
        np.testing.assert_allclose(
            hm[0, k], exp * mask[0, k].item(), rtol=1e-5, atol=1e-7)
    assert hm[0, 1, 63, 0] == 1.0 and hm[0, 2].max() == 0
