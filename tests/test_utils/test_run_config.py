# Copyright (c) mmjotr contributors. All rights reserved.
import textwrap

import pytest

from mmjotr.utils import build_test_cfg, build_train_cfg


@pytest.fixture
def cfg_file(tmp_path):
    path = tmp_path / 'jotr_toy.py'
    path.write_text(
        textwrap.dedent("""
        default_scope = 'mmjotr'
        body_model_dir = 'data/body_models'
        optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-4))
        auto_scale_lr = dict(base_batch_size=256)
        test_evaluator = dict(type='MeshMetric')
        """))
    return str(path)


def test_train_defaults(cfg_file):
    cfg = build_train_cfg(cfg_file)
    assert cfg.work_dir.endswith('work_dirs/jotr_toy')
    assert cfg.launcher == 'none'
    assert 'resume' not in cfg and 'type' not in cfg.optim_wrapper
    assert 'enable' not in cfg.auto_scale_lr


def test_train_options(cfg_file, tmp_path):
    cfg = build_train_cfg(
        cfg_file,
        work_dir=str(tmp_path / 'wd'),
        resume='auto',
        amp=True,
        auto_scale_lr=True,
        cfg_options={'body_model_dir': 'data/standin/body_models'},
        launcher='pytorch')
    assert cfg.work_dir == str(tmp_path / 'wd')
    assert cfg.resume is True and cfg.load_from is None
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.auto_scale_lr.enable is True
    assert cfg.body_model_dir == 'data/standin/body_models'
    assert cfg.launcher == 'pytorch'

    cfg = build_train_cfg(cfg_file, resume='work_dirs/x/epoch_3.pth')
    assert cfg.resume is True and cfg.load_from == 'work_dirs/x/epoch_3.pth'


def test_train_errors(cfg_file, tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.py'):
        build_train_cfg(str(tmp_path / 'missing.py'))
    no_scale = tmp_path / 'no_scale.py'
    no_scale.write_text("optim_wrapper = dict(type='OptimWrapper')\n")
    with pytest.raises(KeyError, match='base_batch_size'):
        build_train_cfg(str(no_scale), auto_scale_lr=True)


def test_test_cfg(cfg_file, tmp_path):
    ckpt = tmp_path / 'model.pth'
    ckpt.write_bytes(b'x')
    cfg = build_test_cfg(cfg_file, str(ckpt), dump=str(tmp_path / 'p.pkl'))
    assert cfg.load_from == str(ckpt)
    assert [m['type']
            for m in cfg.test_evaluator] == ['MeshMetric', 'DumpResults']
    assert cfg.test_evaluator[1]['out_file_path'] == str(tmp_path / 'p.pkl')
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        build_test_cfg(cfg_file, str(tmp_path / 'nope.pth'))
    with pytest.raises(ValueError, match='.pkl'):
        build_test_cfg(cfg_file, str(ckpt), dump='preds.json')
