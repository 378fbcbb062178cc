# Copyright (c) mmjotr contributors. All rights reserved.
import os.path as osp

import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from mmjotr.body_models import (VPoserV1, extract_vposer_state_dict,
                                load_vposer_weights)
from mmjotr.registry import MODELS

# Key names and shapes of the official snapshot (VPoser v1.0 release).
OFFICIAL_SHAPES = {
    'bodyprior_enc_bn1.weight': (63, ),
    'bodyprior_enc_fc1.weight': (512, 63),
    'bodyprior_enc_bn2.weight': (512, ),
    'bodyprior_enc_fc2.weight': (512, 512),
    'bodyprior_enc_mu.weight': (32, 512),
    'bodyprior_enc_logvar.weight': (32, 512),
    'bodyprior_dec_fc1.weight': (512, 32),
    'bodyprior_dec_fc2.weight': (512, 512),
    'bodyprior_dec_out.weight': (126, 512),
}


class _NotATensor:
    pass


def _snapshot(directory: str) -> str:
    return osp.join(directory, 'vposer_v1_0', 'snapshots', 'TR00_E096.pt')


def test_state_dict_names_match_official():
    state = VPoserV1().state_dict()
    for key, shape in OFFICIAL_SHAPES.items():
        assert tuple(state[key].shape) == shape
    assert all(k.startswith('bodyprior_') for k in state)
    params = sum(p.numel() for p in VPoserV1().parameters())
    assert abs(params - 0.67e6) < 0.01e6  # VPoser v1.0: 0.67 M


def test_decode_matches_manual_computation(standin_body_model_dir):
    model = VPoserV1(weights=_snapshot(standin_body_model_dir))
    z = torch.randn(5, 32, generator=torch.Generator().manual_seed(0))
    out = model.decode(z).numpy().astype(np.float64)
    sd = {k: v.double().numpy() for k, v in model.state_dict().items()}

    def lin(x, name):
        return x @ sd[name + '.weight'].T + sd[name + '.bias']

    def leaky(x):
        return np.where(x > 0, x, 0.2 * x)

    x = leaky(lin(z.double().numpy(), 'bodyprior_dec_fc1'))
    x = leaky(lin(x, 'bodyprior_dec_fc2'))
    six = lin(x, 'bodyprior_dec_out').reshape(5, 21, 3, 2)
    a1, a2 = six[..., 0], six[..., 1]
    b1 = a1 / np.linalg.norm(a1, axis=-1, keepdims=True)
    b2 = a2 - (b1 * a2).sum(-1, keepdims=True) * b1
    b2 /= np.linalg.norm(b2, axis=-1, keepdims=True)
    rot = np.stack([b1, b2, np.cross(b1, b2)], axis=-1)
    expected = Rotation.from_matrix(rot.reshape(-1, 3, 3)).as_rotvec()
    np.testing.assert_allclose(out.reshape(-1, 3), expected, atol=1e-4)


def test_frozen_stays_eval_but_passes_gradients(standin_body_model_dir):
    model = MODELS.build(
        dict(type='VPoserV1', weights=_snapshot(standin_body_model_dir)))
    model.train()
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())
    z = torch.zeros(2, 32, requires_grad=True)
    model(z).sum().backward()
    assert torch.isfinite(z.grad).all() and z.grad.abs().sum() > 0
    assert VPoserV1(frozen=False).train().training


def test_loads_from_jotr_checkpoint_keys(tmp_path, standin_body_model_dir):
    snapshot = torch.load(_snapshot(standin_body_model_dir))
    network = {
        f'module.vposer.vposer.{k}': v
        for k, v in snapshot.items() if k.startswith('bodyprior_')
    }
    network['module.pose2feat.conv.0.weight'] = torch.zeros(64, 94, 3, 3)
    ckpt = tmp_path / 'jotr.pth.tar'
    torch.save({'network': network, 'epoch': 7}, ckpt)
    from_ckpt = VPoserV1(weights=str(ckpt))
    from_snapshot = VPoserV1(weights=_snapshot(standin_body_model_dir))
    z = torch.randn(3, 32)
    assert torch.equal(from_ckpt.decode(z), from_snapshot.decode(z))


def test_weight_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='smpl-x.is.tue.mpg.de'):
        VPoserV1(weights=str(tmp_path / 'TR00_E096.pt'))
    state = VPoserV1().state_dict()
    del state['bodyprior_dec_out.bias']
    torch.save(state, tmp_path / 'bad.pt')
    with pytest.raises(ValueError, match='bodyprior_dec_out.bias'):
        load_vposer_weights(VPoserV1(), str(tmp_path / 'bad.pt'))
    # Old snapshots without BatchNorm counters still load.
    state = VPoserV1().state_dict()
    state = {k: v for k, v in state.items() if 'num_batches' not in k}
    torch.save(state, tmp_path / 'old.pt')
    load_vposer_weights(VPoserV1(), str(tmp_path / 'old.pt'))
    # Arbitrary pickled objects are not loaded.
    torch.save({'bodyprior_x': _NotATensor()}, tmp_path / 'obj.pt')
    with pytest.raises(ValueError, match='weights_only'):
        load_vposer_weights(VPoserV1(), str(tmp_path / 'obj.pt'))
    with pytest.raises(ValueError, match='prefixes'):
        extract_vposer_state_dict({
            'a.bodyprior_dec_fc1.weight': torch.zeros(1),
            'b.bodyprior_dec_fc1.weight': torch.zeros(1)
        })
