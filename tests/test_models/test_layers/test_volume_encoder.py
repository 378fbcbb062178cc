# Copyright (c) mmjotr contributors. All rights reserved.
import torch

from mmjotr.models.layers import VolumeEncoder, sinusoid_table


def test_voxel_tokens_positions_and_shape():
    torch.manual_seed(0)
    enc = VolumeEncoder(
        num_positions=40,
        num_layers=1,
        embed_dims=8,
        num_heads=2,
        feedforward_channels=16).eval()
    volume = torch.randn(2, 8, 2, 3, 4)  # (B, C, D, H, W)
    out = enc(volume)
    assert out.shape == volume.shape
    # token d*H*W + h*W + w is voxel (d, h, w); the table's first D*H*W rows
    tokens = volume.permute(0, 2, 3, 4, 1).reshape(2, 24, 8)
    torch.testing.assert_close(enc.pos_embed.pos_table, sinusoid_table(40, 8))
    expected = enc.encoder(tokens, sinusoid_table(40, 8)[None, :24])
    d, h, w = 1, 2, 3
    torch.testing.assert_close(out[:, :, d, h, w],
                               expected[:, d * 12 + h * 4 + w])
    # the final LayerNorm: every token normalised over its channels
    torch.testing.assert_close(
        out.mean(1), torch.zeros(2, 2, 3, 4), atol=1e-5, rtol=0)
