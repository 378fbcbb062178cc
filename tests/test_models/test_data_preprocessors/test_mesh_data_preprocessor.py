# Copyright (c) mmjotr contributors. All rights reserved.
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
