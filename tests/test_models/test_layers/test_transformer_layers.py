# Copyright (c) mmjotr contributors. All rights reserved.
import torch
import torch.nn.functional as F

from mmjotr.models.layers import (PostNormDecoderLayer, PostNormEncoderLayer,
                                  TransformerEncoder)


def manual_attention(mha, q, k, v):
    """Multi-head attention written out (weights averaged over heads)."""
    dim, heads = q.shape[-1], mha.num_heads
    wq, wk, wv = mha.in_proj_weight.chunk(3)
    bq, bk, bv = mha.in_proj_bias.chunk(3)

    def split(x):  # (B, L, C) -> (B, heads, L, C / heads)
        return x.unflatten(-1, (heads, dim // heads)).transpose(1, 2)

    qh = split(F.linear(q, wq, bq))
    kh = split(F.linear(k, wk, bk))
    vh = split(F.linear(v, wv, bv))
    attn = torch.softmax(qh @ kh.transpose(-1, -2) / (dim // heads)**0.5, -1)
    out = (attn @ vh).transpose(1, 2).flatten(2)
    return mha.out_proj(out), attn.mean(1)


def test_encoder_layer_is_post_norm_detr():
    torch.manual_seed(0)
    layer = PostNormEncoderLayer(16, 4, 32, dropout=0.1).eval()
    x, pos = torch.randn(2, 6, 16), torch.randn(1, 6, 16)
    attn, _ = manual_attention(layer.self_attn, x + pos, x + pos, x)
    y = layer.norm1(x + attn)
    y = layer.norm2(y + layer.linear2(F.relu(layer.linear1(y))))
    torch.testing.assert_close(layer(x, pos), y, rtol=1e-5, atol=1e-5)
    enc = TransformerEncoder(2, 16, 4, 32, final_norm=True).eval()
    out = enc(x, pos)
    ref = enc.norm(enc.layers[1](enc.layers[0](x, pos), pos))
    torch.testing.assert_close(out, ref)
    assert TransformerEncoder(1, 16, 4, 32).norm is None


def test_decoder_layer_and_attention_weights():
    torch.manual_seed(1)
    layer = PostNormDecoderLayer(16, 2, 24).eval()
    q, qpos = torch.randn(2, 5, 16), torch.randn(1, 5, 16)
    mem, mpos = torch.randn(2, 7, 16), torch.randn(2, 7, 16)
    sa, _ = manual_attention(layer.self_attn, q + qpos, q + qpos, q)
    t = layer.norm1(q + sa)
    ca, weights = manual_attention(layer.multihead_attn, t + qpos, mem + mpos,
                                   mem)
    t = layer.norm2(t + ca)
    t = layer.norm3(t + layer.linear2(F.relu(layer.linear1(t))))
    out, w = layer(q, mem, qpos, mpos, need_weights=True)
    torch.testing.assert_close(out, t, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(w, weights, rtol=1e-5, atol=1e-6)
    out2, none = layer(q, mem, qpos, mpos)
    torch.testing.assert_close(out2, out, rtol=1e-5, atol=1e-5)
    assert none is None


def test_decoder_self_attention_in_fp32_under_fp16_autocast():
    """JOTR's first decoder layer at initialisation: zero query content and
    zero attention biases, so norm1 sees an all-zero vector and its input
    gradient is the output gradient / sqrt(eps). Scaled by 1024 that
    overflows fp16 in the attention's backward unless the block runs in
    fp32 (``fp32_self_attention``, the default); without autocast the option
    changes nothing."""
    from mmjotr.testing.cuda_amp_emulation import emulate_cuda_fp16_autocast

    torch.manual_seed(0)
    fp32 = PostNormDecoderLayer(32, 2, 64, dropout=0.)
    fp16 = PostNormDecoderLayer(
        32, 2, 64, dropout=0., fp32_self_attention=False)
    fp16.load_state_dict(fp32.state_dict())
    for layer in (fp32, fp16):
        for mha in (layer.self_attn, layer.multihead_attn):
            torch.nn.init.zeros_(mha.in_proj_bias)
            torch.nn.init.zeros_(mha.out_proj.bias)
    qpos, mem = torch.randn(1, 18, 32), torch.randn(2, 64, 32)
    target = torch.randn(2, 18, 32)

    def grad_of_content(layer, autocast):
        content = torch.zeros(32, requires_grad=True)
        query = content.expand(2, 18, 32)
        with emulate_cuda_fp16_autocast(), torch.autocast(
                'cpu', dtype=torch.float16, enabled=autocast):
            out, _ = layer(query, mem, qpos)
            # a loss of ~20, like JOTR's total at initialisation
            loss = 10 * (out.float() - target).square().mean()
        (loss * 1024.).backward()
        return out, content.grad

    out32, grad32 = grad_of_content(fp32, autocast=False)
    out16, grad16 = grad_of_content(fp16, autocast=False)
    assert torch.equal(out32, out16) and torch.equal(grad32, grad16)
    assert grad32.abs().max() > 65504  # scaled; finite in fp32 only
    _, grad = grad_of_content(fp32, autocast=True)
    assert torch.isfinite(grad).all()
    torch.testing.assert_close(grad, grad32, rtol=0.05, atol=1.)
    _, grad = grad_of_content(fp16, autocast=True)
    assert not torch.isfinite(grad).all()
