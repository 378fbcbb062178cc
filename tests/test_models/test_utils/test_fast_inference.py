# Copyright (c) mmjotr contributors. All rights reserved.
import copy
from dataclasses import dataclass
from typing import Optional

import pytest
import torch
from torch import nn

from mmjotr.models.utils import FastInference, cat_batches, cpu_has_native_bf16
from mmjotr.models.utils import fast_inference as fast_module
from mmjotr.testing import synthetic_batch


def test_options_and_dtypes(monkeypatch):
    assert FastInference.from_cfg(None) is None
    assert FastInference.from_cfg(False) is None
    cpu, cuda = torch.device('cpu'), torch.device('cuda')
    # per device by default: CPU-tuned chunks of 4 and fp32 attention on
    # the CPU, whole batches and fp16 attention on a GPU
    default = FastInference.from_cfg(True)
    assert default.chunk_size(cpu) == 4 and default.chunk_size(cuda) is None
    assert default.attention_in_fp32(cpu)
    assert not default.attention_in_fp32(cuda)
    fixed = FastInference.from_cfg(dict(batch_chunk=2, fp32_attention=True))
    assert fixed.chunk_size(cpu) == fixed.chunk_size(cuda) == 2
    assert fixed.attention_in_fp32(cuda)
    assert FastInference(batch_chunk=None).chunk_size(cpu) is None
    with pytest.raises(ValueError, match='precision'):
        FastInference(precision='int8')
    for bad in (0, 'big', 2.5):
        with pytest.raises(ValueError, match='batch_chunk'):
            FastInference(batch_chunk=bad)
    with pytest.raises(ValueError, match='fp32_attention'):
        FastInference(fp32_attention='yes')
    with pytest.raises(TypeError, match='fast_inference'):
        FastInference.from_cfg('yes')
    assert FastInference(precision='fp32').autocast_dtype(cpu) is None
    assert FastInference(precision='bf16').autocast_dtype(cpu) \
        == torch.bfloat16
    auto = FastInference()
    assert auto.autocast_dtype(cuda) == torch.float16
    monkeypatch.setattr(fast_module, 'cpu_has_native_bf16', lambda: True)
    assert auto.autocast_dtype(cpu) == torch.bfloat16
    monkeypatch.setattr(fast_module, 'cpu_has_native_bf16', lambda: False)
    assert auto.autocast_dtype(cpu) is None


def test_cpu_bf16_detection_reads_cpuinfo():
    with open('/proc/cpuinfo') as f:
        flags = next(line for line in f if line.startswith('flags')).split()
    assert cpu_has_native_bf16() == ('avx512_bf16' in flags
                                     or 'amx_bf16' in flags)


@dataclass
class Part:
    x: torch.Tensor
    layers: list
    scalar: torch.Tensor
    maybe: Optional[torch.Tensor] = None


def test_cat_batches():
    a = Part(torch.zeros(2, 3), [torch.zeros(2, 1)], torch.tensor(5.))
    b = Part(torch.ones(1, 3), [torch.ones(1, 1)], torch.tensor(5.))
    out = cat_batches([a, b])
    assert torch.equal(out.x, torch.tensor([[0.] * 3, [0.] * 3, [1.] * 3]))
    assert torch.equal(out.layers[0], torch.tensor([[0.], [0.], [1.]]))
    assert out.scalar.item() == 5 and out.maybe is None
    with pytest.raises(TypeError, match='cannot concatenate'):
        cat_batches(['a', 'b'])


def _outputs(model, data):
    with torch.no_grad():
        return model(**data, mode='tensor')


def test_fp32_fast_path_equals_reference(tiny_jotr):
    """BN folding, channels-last and chunks change nothing but rounding."""
    ref = tiny_jotr.eval()
    data = ref.data_preprocessor(synthetic_batch(5, seed=3))
    expected = _outputs(ref, data)
    fast = copy.deepcopy(ref)
    fast.fast_inference = FastInference(precision='fp32', batch_chunk=2)
    fast.fast_inference.prepare(fast)
    assert not any(
        isinstance(m, nn.modules.batchnorm._BatchNorm)
        for m in fast.backbone.modules())
    assert fast.backbone.conv1.weight.is_contiguous(
        memory_format=torch.channels_last)
    out = _outputs(fast, data)
    torch.testing.assert_close(
        out.vertices, expected.vertices, atol=1e-5, rtol=0)
    torch.testing.assert_close(
        out.smpl_pose, expected.smpl_pose, atol=1e-4, rtol=0)
    torch.testing.assert_close(
        out.joints_voxel, expected.joints_voxel, atol=1e-3, rtol=0)
    assert len(out.decoder.hidden) == len(expected.decoder.hidden)
    assert out.decoder.hidden[0].shape == expected.decoder.hidden[0].shape
    # training mode never takes the fast path
    assert ref.fast_inference is None


def test_bf16_fast_path_close_to_fp32(tiny_jotr):
    """The reduced-precision path stays near fp32, well nearer than a
    prediction ignoring its input (the measured figures with trained
    weights are in the README)."""
    ref = tiny_jotr.eval()
    data = ref.data_preprocessor(synthetic_batch(6, seed=4))
    expected = _outputs(ref, data)
    fast = copy.deepcopy(ref)
    fast.fast_inference = FastInference(precision='bf16', batch_chunk=4)
    fast.fast_inference.prepare(fast)
    # weights of the autocast regions are stored in bf16, the rest not
    bf16 = torch.bfloat16
    neck_layer = fast.neck.volume_encoder.encoder.layers[0]
    assert fast.backbone.layer1[0].conv1.weight.dtype == bf16
    assert neck_layer.linear1.weight.dtype == bf16
    assert neck_layer.self_attn.in_proj_weight.dtype \
        == torch.float32
    assert neck_layer.self_attn.out_proj.weight.dtype \
        == torch.float32
    assert fast.backbone.conv1.weight.dtype == torch.float32
    assert fast.head.decoder.layers[0].linear1.weight.dtype == torch.float32
    nocast = copy.deepcopy(ref)
    nocast.fast_inference = FastInference(precision='bf16', cast_weights=False)
    nocast.fast_inference.prepare(nocast)
    out = _outputs(fast, data)
    # stored bf16 weights are what autocast would use: same outputs
    torch.testing.assert_close(
        _outputs(nocast, data).vertices, out.vertices, atol=1e-6, rtol=0)
    for name in ('vertices', 'joints_3d', 'smpl_pose', 'cam_t'):
        assert getattr(out, name).dtype == torch.float32, name
    dist = (out.vertices - expected.vertices).norm(dim=-1) * 1000  # mm
    # an answer that ignores its input, the batch's mean mesh, is 4.26 mm
    # (mean; 15.2 mm max) from the fp32 meshes of this random-weight model;
    # bf16 measured 1.60 mm (4.05 mm max). The bounds sit well under the
    # trivial answer and a little above the measured error.
    trivial = (expected.vertices.mean(0, keepdim=True) -
               expected.vertices).norm(dim=-1) * 1000
    assert dist.mean() < 0.5 * trivial.mean(), (dist.mean(), trivial.mean())
    assert dist.mean() < 2. and dist.max() < 6., (dist.mean(), dist.max())
    # the decoder's output was computed in bf16, not fp32
    assert not torch.equal(out.joints_voxel, expected.joints_voxel)
    # predictions through the predict mode use the same path
    samples = fast(**data, mode='predict')
    torch.testing.assert_close(samples[0].pred_instances.vertices[0],
                               out.vertices[0] - out.joints_3d[0, :1])


def test_autocast_regions_and_inactive_hooks(tiny_jotr):
    """Convolutions of the ResNet stages and the neck run in bf16; the
    stem, attention and the head in fp32; off the fast path the installed
    hooks do nothing."""
    ref = tiny_jotr.eval()
    data = ref.data_preprocessor(synthetic_batch(2, seed=7))
    expected = _outputs(ref, data)
    fast = copy.deepcopy(ref)
    fast.fast_inference = FastInference(precision='bf16')
    seen = {}

    def record(name):

        def hook(module, args, output):
            out = output[0] if isinstance(output, tuple) else output
            seen[name] = out.dtype

        return hook

    neck_layer = fast.neck.volume_encoder.encoder.layers[0]
    probes = {
        'backbone.conv1': fast.backbone.conv1,
        'backbone.pose2feat': fast.backbone.pose2feat,
        'backbone.layer1.0.conv1': fast.backbone.layer1[0].conv1,
        'neck.conv2d_to_3d': fast.neck.conv2d_to_3d,
        'neck attention': neck_layer.self_attn,
        'neck FFN': neck_layer.linear1,
        'head.input_proj': fast.head.input_proj,
        'decoder FFN': fast.head.decoder.layers[0].linear1,
    }
    for name, module in probes.items():
        module.register_forward_hook(record(name))
    _outputs(fast, data)
    assert seen == {
        'backbone.conv1': torch.float32,
        'backbone.pose2feat': torch.float32,
        'backbone.layer1.0.conv1': torch.bfloat16,
        'neck.conv2d_to_3d': torch.bfloat16,
        'neck attention': torch.float32,
        'neck FFN': torch.bfloat16,
        'head.input_proj': torch.float32,
        'decoder FFN': torch.float32,
    }
    # the same model off the fast path (training mode) is the fp32 model
    # (up to the channels-last convolution order)
    fast.train()
    for module in (fast.backbone, fast.neck, fast.head):
        module.eval()  # deterministic (no dropout / batch statistics)
    with torch.no_grad():
        out = fast(**data, mode='tensor')
    torch.testing.assert_close(
        out.vertices, expected.vertices, atol=1e-5, rtol=0)
    assert not torch.is_autocast_enabled('cpu')


def test_attention_projections_in_bf16_softmax_in_fp32():
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(32, 4, batch_first=True).eval()
    query, key, value = (torch.randn(2, 7, 32) for _ in range(3))
    with torch.no_grad():
        expected, _ = mha(query, key, value, need_weights=False)
        fast = FastInference(precision='bf16')
        fast._dtype = torch.bfloat16  # as while running the fast path
        out, weights = fast._attention(
            mha, mha.forward, query, key, value, need_weights=False)
        # an independent computation from the bf16-rounded projections
        bf = torch.bfloat16

        def project(x, w, b):
            return (x.to(bf) @ w.to(bf).T + b.to(bf)).float()

        w, b = mha.in_proj_weight, mha.in_proj_bias
        q, k, v = (project(x, w[i * 32:(i + 1) * 32],
                           b[i * 32:(i + 1) * 32]).view(2, 7, 4,
                                                        8).transpose(1, 2)
                   for i, x in enumerate((query, key, value)))
        attn = torch.softmax(q @ k.transpose(-1, -2) / 8**0.5, -1) @ v
        naive = project(
            attn.transpose(1, 2).reshape(2, 7, 32), mha.out_proj.weight,
            mha.out_proj.bias)
    assert weights is None and out.dtype == torch.float32
    torch.testing.assert_close(out, naive, atol=2e-2, rtol=2e-2)
    torch.testing.assert_close(out, expected, atol=5e-2, rtol=5e-2)
    assert not torch.equal(out, expected)  # the bf16 projections ran
    # weights asked for, or off the fast path: the module's fp32 forward
    out, weights = fast._attention(
        mha, mha.forward, query, key, value, need_weights=True)
    assert weights is not None
    torch.testing.assert_close(out, expected)
    fast._dtype = None
    out, _ = fast._attention(
        mha, mha.forward, query, key, value, need_weights=False)
    assert torch.equal(out, expected)
