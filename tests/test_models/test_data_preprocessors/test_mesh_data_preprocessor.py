# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch

from mmjotr.models.data_preprocessors import MeshDataPreprocessor


def test_bgr_uint8_to_rgb_unit_range():
    pre = MeshDataPreprocessor(input_size=(4, 6))
    img = torch.randint(0, 256, (3, 4, 6), dtype=torch.uint8)
    out = pre(dict(inputs=[img, img], data_samples=None))
    assert out['inputs'].shape == (2, 3, 4, 6)
    torch.testing.assert_close(out['inputs'][1], img.flip(0).float() / 255)


def test_wrong_input_size_names_sample():
    pre = MeshDataPreprocessor()
    img = torch.zeros(3, 256, 256, dtype=torch.uint8)
    bad = torch.zeros(3, 256, 192, dtype=torch.uint8)
    with pytest.raises(ValueError, match=r'input 1 has size \(256, 192\)'):
        pre(dict(inputs=[img, bad]))


def _copies(preprocessor, batch):
    """Host-to-device copies (``aten._to_copy``) made by ``cast_data``."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class Count(TorchDispatchMode):
        calls = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            if func is torch.ops.aten._to_copy.default:
                Count.calls += 1
            return func(*args, **(kwargs or {}))

    with Count():
        out = preprocessor.cast_data(batch)
    return Count.calls, out


def test_batched_transfer_equals_per_sample_copies():
    """One copy per field instead of one per sample and field, same
    values (on the CPU, forced), and the copy counts on a device (the
    ``meta`` device stands in for CUDA: it holds no data, copies to it are
    still dispatched)."""
    from mmjotr.testing import synthetic_batch
    batch = synthetic_batch(3)
    fields = batch['data_samples'][0].gt_instances.keys()
    single = MeshDataPreprocessor(batched_transfer=False).cast_data(batch)
    batched = MeshDataPreprocessor(batched_transfer=True).cast_data(batch)
    for a, b in zip(single['inputs'], batched['inputs']):
        assert torch.equal(a, b)
    for a, b in zip(single['data_samples'], batched['data_samples']):
        assert a.metainfo.keys() == b.metainfo.keys()
        for key, value in a.metainfo.items():
            assert np.array_equal(value, b.metainfo[key]), key
        assert set(a.keys()) == set(b.keys())
        assert set(a.gt_instances.keys()) == set(b.gt_instances.keys())
        for key in fields:
            va, vb = a.gt_instances.get(key), b.gt_instances.get(key)
            assert va.dtype == vb.dtype and torch.equal(va, vb), key
    # the input batch is left as it was (hooks may read it afterwards)
    assert batch['data_samples'][0].gt_instances is not \
        batched['data_samples'][0].gt_instances

    on_device = MeshDataPreprocessor().to('meta')  # batched by default
    per_sample = MeshDataPreprocessor(batched_transfer=False).to('meta')
    count, out = _copies(on_device, batch)
    baseline, _ = _copies(per_sample, batch)
    assert count == 1 + len(fields)  # the crops, then each field once
    assert baseline == 3 + 3 * len(fields)
    sample = out['data_samples'][1]
    assert all(
        sample.gt_instances.get(k).device.type == 'meta' for k in fields)
    assert out['inputs'][2].device.type == 'meta'


def test_batched_transfer_trains_the_same(tiny_jotr):
    """The model's losses on batched-transfer samples (views of one tensor
    per field) equal those on per-sample copies."""
    from mmjotr.testing import synthetic_batch
    batch = synthetic_batch(2, seed=4)
    losses = []
    for batched in (False, True):
        tiny_jotr.data_preprocessor.batched_transfer = batched
        torch.manual_seed(0)
        data = tiny_jotr.data_preprocessor(batch, True)
        losses.append(tiny_jotr(**data, mode='loss'))
    tiny_jotr.data_preprocessor.batched_transfer = None
    assert losses[0].keys() == losses[1].keys()
    for key, value in losses[0].items():
        torch.testing.assert_close(losses[1][key], value, rtol=0, atol=0)
