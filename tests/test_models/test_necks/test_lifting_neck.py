# Copyright (c) mmjotr contributors. All rights reserved.
import pytest
import torch

from mmjotr.models.necks import LiftingNeck


def tiny_neck(**kwargs):
    return LiftingNeck(
        in_channels=32,
        embed_dims=16,
        depth=4,
        feature_size=4,
        encoder=dict(num_heads=2, feedforward_channels=32),
        **kwargs)


def test_rrc_grid_values_and_lambda_clamp():
    neck = LiftingNeck()
    assert neck.depth_exponent.item() == 3.0
    grid = neck.coordinate_grid(neck.clamped_depth_exponent())
    assert grid.shape == (1, 3, 8, 8, 8)
    d, h, w = 5, 2, 7
    torch.testing.assert_close(grid[0, :, d, h, w],
                               torch.tensor([(5 / 8)**3, 2 / 8, 7 / 8]))
    with torch.no_grad():
        neck.depth_exponent.fill_(30.)
    assert neck.clamped_depth_exponent().item() == 20.
    with torch.no_grad():
        neck.depth_exponent.fill_(0.2)
    assert neck.clamped_depth_exponent().item() == 1.


def test_lifting_shapes_reshape_and_gradients():
    torch.manual_seed(0)
    neck = tiny_neck().eval()
    feat = torch.randn(2, 32, 4, 4)
    out = neck(feat)
    assert out.volume.shape == (2, 16, 4, 4, 4)
    # 'b (c d) h w -> b c d h w': channel c * D + d is voxel depth d
    lifted = neck.conv2d_to_3d(feat)
    d, h, w = 2, 1, 0
    tokens_in = []
    grid = neck.coordinate_grid(out.depth_exponent)
    for dd in range(4):
        col = torch.cat((lifted[:, torch.arange(16) * 4 + dd, h,
                                w], grid[:, :, dd, h, w].expand(2, -1)), 1)
        tokens_in.append(col)
    # the first conv3d output of voxel (d, h, w) only depends on that voxel
    conv = neck.conv_3d_coord
    expected = tokens_in[d] @ conv.weight.flatten(1).T + conv.bias
    captured = {}
    neck.volume_encoder.encoder.register_forward_pre_hook(
        lambda m, args: captured.setdefault('x', args[0]))
    neck(feat)
    token = d * 16 + h * 4 + w
    torch.testing.assert_close(captured['x'][:, token], expected)
    out.volume.sum().backward()
    assert torch.isfinite(
        neck.depth_exponent.grad) and neck.depth_exponent.grad != 0


def test_lifting_rejects_wrong_size():
    with pytest.raises(ValueError, match='4x4'):
        tiny_neck()(torch.randn(1, 32, 8, 8))


def test_full_size_parameter_count():
    neck = LiftingNeck()
    count = sum(p.numel() for p in neck.parameters())
    # conv2d_to_3d 4.196 M + conv_3d_coord 66 560 + encoder 1.58 M + λ
    assert count == 2048 * 2048 + 2048 + 259 * 256 + 256 + 2 * 789760 + \
        512 + 1
