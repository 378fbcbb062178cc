# Copyright (c) mmjotr contributors. All rights reserved.
import torch

from mmjotr.models.heads import FusionDecoder
from mmjotr.models.layers import inverse_sigmoid, sample_volume


def small_decoder():
    """A 3-layer, 16-channel decoder (seed 0, eval mode) and its inputs:
    2 samples, 9 memory tokens, a 4^3 volume, lambda 2."""
    torch.manual_seed(0)
    dec = FusionDecoder(
        embed_dims=16,
        num_joints=5,
        num_layers=3,
        num_heads=2,
        feedforward_channels=32).eval()
    dec.init_weights()
    memory, pos = torch.randn(2, 9, 16), torch.randn(1, 9, 16)
    volume = torch.randn(2, 16, 4, 4, 4)
    return dec, (memory, pos, volume, torch.tensor(2.0))


def test_decoder_refinement_sampling_and_memory():
    dec, (memory, pos, volume, depth_exponent) = small_decoder()
    captured = []
    for layer in dec.layers:
        layer.register_forward_pre_hook(lambda m, args: captured.append(args))
    out = dec(memory, pos, volume, depth_exponent, need_weights=True)
    assert len(out.hidden) == len(out.joints) == 3
    assert out.hidden[0].shape == (2, 8, 16)
    # memory: 2D tokens only at layer 0, + 5 sampled joint tokens after
    assert [a.shape for a in out.attention] == [(2, 8, 9), (2, 8, 14),
                                                (2, 8, 14)]
    for i in (1, 2):
        prev = out.joints[i - 1]
        grid = torch.cat((prev[..., :2], prev[..., 2:]**2), -1) * 2 - 1
        mem = captured[i][1]
        torch.testing.assert_close(mem[:, :9], memory)
        torch.testing.assert_close(mem[:, 9:], sample_volume(volume, grid))
        torch.testing.assert_close(captured[i][3][:, 9:],
                                   dec.fc_pos_3d(inverse_sigmoid(prev)))
        # inverse-sigmoid refinement
        ref = inverse_sigmoid(prev)
        h = out.hidden[i][:, 3:]
        expected = torch.sigmoid(ref +
                                 dec.joint_regress[i](torch.cat((h, ref), -1)))
        torch.testing.assert_close(out.joints[i], expected)
    torch.testing.assert_close(
        out.joints[0], dec.joint_regress[0](out.hidden[0][:, 3:]).sigmoid())
    # the shared norm is applied after every layer and feeds the next one
    layer0 = dec.layers[0](*captured[0][:4])[0]
    torch.testing.assert_close(out.hidden[0], dec.norm(layer0))
    torch.testing.assert_close(captured[1][0], out.hidden[0])
    content, qpos = dec.queries(2)
    assert (content == 0).all() and qpos.shape == (1, 8, 16)
    assert dec(memory, pos, volume, depth_exponent).attention is None


def test_decoder_reference_parameter_shapes():
    dec = FusionDecoder()
    shapes = {k: tuple(v.shape) for k, v in dec.state_dict().items()}
    assert shapes['joint_regress.0.weight'] == (3, 256)
    assert shapes['joint_regress.3.weight'] == (3, 259)
    assert shapes['fc_pos_3d.0.weight'] == (256, 3)
    assert shapes['fc_pos_3d.3.weight'] == (256, 256)
    assert shapes['layers.3.linear1.weight'] == (2048, 256)
    assert shapes['smpl_query_pos'] == (3, 256)


def test_decoder_without_3d_features_attends_to_2d_only():
    torch.manual_seed(0)
    kwargs = dict(
        embed_dims=16,
        num_joints=5,
        num_layers=3,
        num_heads=2,
        feedforward_channels=32)
    dec = FusionDecoder(sample_3d_features=False, **kwargs).eval()
    dec.init_weights()
    memory, pos = torch.randn(2, 9, 16), torch.randn(1, 9, 16)
    exponent = torch.tensor(2.0)
    out = dec(memory, pos, torch.randn(2, 16, 4, 4, 4), exponent, True)
    # every layer sees the 9 2D tokens only
    assert [a.shape for a in out.attention] == [(2, 8, 9)] * 3
    # so the 3D volume has no influence, unlike with sampling
    other = dec(memory, pos, torch.randn(2, 16, 4, 4, 4), exponent)
    torch.testing.assert_close(other.hidden[-1], out.hidden[-1])
    torch.testing.assert_close(other.joints[-1], out.joints[-1])
    full = FusionDecoder(**kwargs).eval()
    full.load_state_dict(dec.state_dict())
    a = full(memory, pos, torch.randn(2, 16, 4, 4, 4), exponent)
    b = full(memory, pos, torch.randn(2, 16, 4, 4, 4), exponent)
    assert not torch.allclose(a.hidden[-1], b.hidden[-1])


def test_joints_are_regressed_in_fp32_under_autocast():
    """Under bf16 autocast the joints are fp32 (bf16 joints near the far
    side of the unit cube are spaced 1/256 apart: a quarter voxel of the
    64-voxel volume) and close to the fp32 run's."""
    dec, (memory, pos, volume, depth_exponent) = small_decoder()
    with torch.no_grad():
        full = dec(memory, pos, volume, depth_exponent)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            mixed = dec(memory, pos, volume, depth_exponent)
    for fp32, joints in zip(full.joints, mixed.joints):
        assert joints.dtype == torch.float32
        # the bf16 network's own error (measured: at most 0.004 here)
        assert (joints - fp32).abs().max() < 1e-2
        assert not torch.equal(joints, joints.bfloat16().float())
