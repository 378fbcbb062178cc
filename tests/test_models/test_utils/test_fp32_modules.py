# Copyright (c) mmjotr contributors. All rights reserved.
from dataclasses import dataclass

import pytest
import torch
from torch import nn

from mmjotr.models.utils import fp32_module_names, keep_in_fp32, to_fp32


class Toy(nn.Module):

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        self.c = nn.Linear(4, 4)
        self.losses = nn.ModuleDict(dict(l1=nn.Linear(4, 1)))
        self.optional = None

    def forward(self, x):
        h = self.a(x)
        hb = self.b(h)
        return h, hb, self.c(hb), self.losses['l1'](input=hb)


def test_keep_in_fp32_under_autocast():
    torch.manual_seed(0)
    model = Toy()
    handles = keep_in_fp32(model, ['b', 'losses', 'optional'])
    assert len(handles) == 4  # b and losses.l1, two hooks each
    assert fp32_module_names(model) == ('b', 'losses.l1')
    x = torch.randn(3, 4)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        h, hb, hc, loss = model(x)
        assert torch.is_autocast_enabled('cpu')
    assert h.dtype == torch.bfloat16 and hc.dtype == torch.bfloat16
    assert hb.dtype == torch.float32 and loss.dtype == torch.float32
    # b ran in fp32 on its bf16 input cast to fp32
    with torch.no_grad():
        expected = model.b(h.float())
    torch.testing.assert_close(hb, expected, atol=0, rtol=0)
    # c ran in bf16 again: autocast was restored after b
    expected_c = nn.functional.linear(hb.bfloat16(), model.c.weight.bfloat16(),
                                      model.c.bias.bfloat16())
    torch.testing.assert_close(hc, expected_c)
    # outside autocast the hooks change nothing
    plain = Toy()
    plain.load_state_dict(model.state_dict())
    for got, want in zip(model(x), plain(x)):
        assert torch.equal(got, want)


def test_keep_in_fp32_rejects_unknown_names():
    with pytest.raises(AttributeError, match='"nope" is not a submodule'):
        keep_in_fp32(Toy(), ['nope'])
    with pytest.raises(AttributeError, match='"a.weight" is not'):
        keep_in_fp32(Toy(), ['a.weight'])


@dataclass
class Out:
    x: torch.Tensor
    items: list
    index: torch.Tensor


def test_to_fp32_nested():
    out = to_fp32(
        Out(
            torch.ones(2, dtype=torch.bfloat16),
            [torch.ones(1, dtype=torch.float16), None, 3], torch.arange(3)))
    assert out.x.dtype == torch.float32
    assert out.items[0].dtype == torch.float32
    assert out.items[1:] == [None, 3]
    assert out.index.dtype == torch.int64
    assert to_fp32({'a': (torch.ones(1, dtype=torch.bfloat16), )
                    })['a'][0].dtype == torch.float32


def test_jotr_fp32_modules(tiny_jotr, standin_body_model_dir):
    names = set(fp32_module_names(tiny_jotr))
    assert {
        'head.smpl_regressor',  # cascades, VPoser, SMPL, camera
        'head.uncertainty_weighting',
        'head.losses.smpl_pose',
        'head.contrast.joint_contrast',
        'head.contrast.nonjoint_contrast'
    } <= names
    assert not any(name.startswith(('backbone', 'neck')) for name in names)
    from mmengine.config import Config

    from mmjotr.registry import MODELS
    cfg = Config.fromfile('configs/jotr/jotr_tiny_1xb4_standin-256x256.py')
    cfg.model.head.body_model_dir = str(standin_body_model_dir)
    cfg.model.fp32_modules = ['head.smpl_regressor.body_model']
    model = MODELS.build(cfg.model)
    assert fp32_module_names(model) == ('head.smpl_regressor.body_model', )
    cfg.model.fp32_modules = ['head.nope']
    with pytest.raises(AttributeError, match='head.nope'):
        MODELS.build(cfg.model)
