# Copyright (c) mmjotr contributors. All rights reserved.
import math

import numpy as np

from mmjotr.models.layers import (SinePositionalEncoding2D,
                                  SinusoidPositionalEncoding1D, sinusoid_table)


def test_sinusoid_table_matches_formula():
    table = sinusoid_table(512, 256).numpy()
    pos, dim = 37, np.arange(256)
    angle = pos / np.power(10000., 2 * (dim // 2) / 256)
    expected = np.where(dim % 2 == 0, np.sin(angle), np.cos(angle))
    np.testing.assert_allclose(table[pos], expected, rtol=1e-5, atol=1e-6)
    assert table.shape == (512, 256)
    np.testing.assert_allclose(table[0, 0::2], 0, atol=1e-7)
    np.testing.assert_allclose(table[0, 1::2], 1, atol=1e-7)
    enc = SinusoidPositionalEncoding1D(512, 256)
    assert enc(100).shape == (1, 100, 256)
    assert 'pos_table' in enc.state_dict()


def test_sine_2d_matches_detr_formula():
    pos = SinePositionalEncoding2D(4)(3, 5)[0].numpy()  # (8, 3, 5)
    assert pos.shape == (8, 3, 5)
    scale, eps = 2 * math.pi, 1e-6
    dim_t = 10000.**(2 * (np.arange(4) // 2) / 4)
    for h in range(3):
        for w in range(5):
            y = (h + 1) / (3 + eps) * scale
            x = (w + 1) / (5 + eps) * scale
            py, px = y / dim_t, x / dim_t
            ey = [np.sin(py[0]), np.cos(py[1]), np.sin(py[2]), np.cos(py[3])]
            ex = [np.sin(px[0]), np.cos(px[1]), np.sin(px[2]), np.cos(px[3])]
            np.testing.assert_allclose(
                pos[:, h, w], ey + ex, rtol=1e-5, atol=1e-6)
