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
        amp_device='cuda',
        auto_scale_lr=True,
        cfg_options={'body_model_dir': 'data/standin/body_models'},
        launcher='pytorch')
    assert cfg.work_dir == str(tmp_path / 'wd')
    assert cfg.resume is True and cfg.load_from is None
    # fp16 with a dynamic loss scale from 256 (issue 17)
    assert cfg.optim_wrapper.type == 'GradNormAmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == dict(init_scale=256.)
    assert cfg.auto_scale_lr.enable is True
    assert cfg.body_model_dir == 'data/standin/body_models'
    assert cfg.launcher == 'pytorch'

    cfg = build_train_cfg(cfg_file, resume='work_dirs/x/epoch_3.pth')
    assert cfg.resume is True and cfg.load_from == 'work_dirs/x/epoch_3.pth'


def test_train_amp_release_fixed_scale_switch(cfg_file):
    """``--cfg-options optim_wrapper.loss_scale=1024`` is the release's
    fixed scale; it still builds a working wrapper."""
    import torch
    from mmengine.optim import build_optim_wrapper

    from mmjotr.utils import register_all_modules
    cfg = build_train_cfg(
        cfg_file,
        amp=True,
        amp_device='cuda',
        cfg_options={'optim_wrapper.loss_scale': 1024.})
    assert cfg.optim_wrapper.type == 'GradNormAmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 1024.
    register_all_modules()
    model = torch.nn.Linear(2, 2)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert wrapper.loss_scaler.get_scale() == 1024.
    assert wrapper._scale_update_param == 1024.  # reset every step
    default = build_optim_wrapper(
        model,
        build_train_cfg(cfg_file, amp=True, amp_device='cuda').optim_wrapper)
    assert default.loss_scaler.get_scale() == 256.
    assert default._scale_update_param is None  # dynamic


def test_train_amp_on_cpu(cfg_file, tmp_path):
    cfg = build_train_cfg(cfg_file, amp=True, amp_device='cpu')
    assert cfg.optim_wrapper.type == 'CPUAmpOptimWrapper'
    assert 'loss_scale' not in cfg.optim_wrapper
    scaled = tmp_path / 'scaled.py'
    scaled.write_text("optim_wrapper = dict(type='AmpOptimWrapper', "
                      "loss_scale=512., optimizer=dict(type='SGD', lr=1))\n")
    cfg = build_train_cfg(str(scaled), amp=True, amp_device='cpu')
    assert cfg.optim_wrapper.type == 'CPUAmpOptimWrapper'
    assert 'loss_scale' not in cfg.optim_wrapper
    with pytest.raises(ValueError, match='amp_device'):
        build_train_cfg(cfg_file, amp=True, amp_device='tpu')


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


def test_body_model_dir_reaches_every_consumer(tmp_path):
    """One option sets the model head, pipeline and metric fields."""
    body_dir = tmp_path / 'body_models'
    body_dir.mkdir()
    path = tmp_path / 'jotr_parts.py'
    path.write_text(
        textwrap.dedent("""
        body_model_dir = 'data/body_models'
        model = dict(head=dict(body_model_dir=body_model_dir))
        train_pipeline = [
            dict(type='LoadImage'),
            dict(type='GenerateMeshTargets',
                 body_model=dict(type='SMPL',
                                 body_model_dir='data/body_models')),
        ]
        train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
        test_evaluator = dict(type='MeshMetric',
                              body_model_dir='data/body_models')
        """))
    cfg = build_train_cfg(str(path), body_model_dir=str(body_dir))
    assert cfg.body_model_dir == str(body_dir)
    assert cfg.model.head.body_model_dir == str(body_dir)
    assert cfg.train_pipeline[1].body_model.body_model_dir == str(body_dir)
    assert cfg.train_dataloader.dataset.pipeline[1].body_model[
        'body_model_dir'] == str(body_dir)
    assert cfg.test_evaluator.body_model_dir == str(body_dir)
    # a plain --cfg-options still wins afterwards
    cfg = build_train_cfg(
        str(path),
        body_model_dir=str(body_dir),
        cfg_options={'test_evaluator.body_model_dir': 'elsewhere'})
    assert cfg.test_evaluator.body_model_dir == 'elsewhere'

    ckpt = tmp_path / 'm.pth'
    ckpt.write_bytes(b'x')
    cfg = build_test_cfg(str(path), str(ckpt), body_model_dir=str(body_dir))
    assert cfg.test_evaluator.body_model_dir == str(body_dir)
    with pytest.raises(FileNotFoundError, match='no_such_dir'):
        build_train_cfg(
            str(path), body_model_dir=str(tmp_path / 'no_such_dir'))


def test_set_body_model_dir_counts_fields():
    from mmengine.config import Config

    from mmjotr.utils import set_body_model_dir
    cfg = Config(
        dict(
            a=dict(body_model_dir='x'),
            b=[dict(c=dict(body_model_dir='y')), 3],
            d=1))
    assert set_body_model_dir(cfg, 'z') == 2
    assert cfg.a.body_model_dir == 'z' and cfg.b[0].c.body_model_dir == 'z'
    assert cfg.d == 1
