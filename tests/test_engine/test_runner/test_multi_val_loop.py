# Copyright (c) mmjotr contributors. All rights reserved.
"""The stage-2 config validates several 3DPW test sets in one validation
loop and keeps one best checkpoint per set (tiny model, generated data)."""
import glob
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmjotr.engine import merge_config
from mmjotr.registry import HOOKS
from mmjotr.testing import write_synthetic_coco, write_synthetic_pw3d
from mmjotr.utils import register_all_modules, set_body_model_dir

ROOT = osp.join(osp.dirname(__file__), '..', '..', '..')
STAGE2 = osp.join(ROOT, 'configs', 'jotr',
                  'jotr_res50_8xb16-10k_mix-256x256_contrastive.py')
TINY = osp.join(ROOT, 'configs', 'jotr', 'jotr_tiny_1xb4_standin-256x256.py')


@HOOKS.register_module(force=True)
class RecordValMetricsHook(Hook):
    """Keeps (iteration, metrics) of every validation."""
    records = []

    def after_val_epoch(self, runner, metrics=None) -> None:
        RecordValMetricsHook.records.append((runner.iter, dict(metrics)))


def tiny_model():
    """The tiny model, on one process (plain BN), no pretrained backbone."""
    model = Config.fromfile(TINY).model
    model.backbone.norm_cfg = dict(type='BN', requires_grad=True)
    model.backbone.pop('init_cfg', None)
    return model


def test_merge_config():
    base = dict(a=1, b=dict(c=2, d=[1, 2]), e=dict(f=3))
    out = merge_config(base, dict(b=dict(d=[3]), e=dict(_delete_=True, g=4)))
    assert out == dict(a=1, b=dict(c=2, d=[3]), e=dict(g=4))
    assert base == dict(a=1, b=dict(c=2, d=[1, 2]), e=dict(f=3))


def test_stage2_config_sets_and_best_keys():
    cfg = Config.fromfile(STAGE2)
    assert cfg.val_cfg.type == 'MultiValLoop'
    prefixes = [cfg.val_evaluator.prefix
                ] + [s['evaluator']['prefix'] for s in cfg.val_cfg.extra_sets]
    assert prefixes == ['3dpw', '3dpw-oc', '3dpw-pc', '3dpw-crowd']
    assert cfg.default_hooks.checkpoint.save_best == [
        f'{p}/MPJPE' for p in prefixes
    ]
    assert cfg.train_cfg.val_interval == 200
    # the honest alternative selects on a held-out validation split
    heldout = Config.fromfile(STAGE2.replace('.py', '-3dpwval.py'))
    assert heldout.val_cfg == dict(type='ValLoop')
    assert heldout.val_dataloader.dataset.ann_file == (
        '3DPW_latest_validation.json')
    assert heldout.val_dataloader.dataset.exclude_sequences == (
        'courtyard_hug_00', 'courtyard_dancing_00')
    assert heldout.default_hooks.checkpoint.save_best == '3dpw-val/MPJPE'
    assert heldout.test_dataloader.dataset.ann_file == '3DPW_latest_test.json'


def test_best_checkpoint_per_test_set(tmp_path, standin_body_model_dir):
    register_all_modules()
    cfg = Config.fromfile(STAGE2)
    cfg.model = tiny_model()
    cfg.load_from = None
    coco = write_synthetic_coco(
        str(tmp_path / 'coco'), num_images=2, img_size=(240, 320))
    cfg.train_dataloader = dict(
        batch_size=2,
        num_workers=0,
        persistent_workers=False,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        dataset=dict(
            type='CocoSMPLDataset',
            data_root=coco,
            pipeline=cfg.train_pipeline))
    pw3d = str(tmp_path / 'PW3D')
    write_synthetic_pw3d(
        pw3d, '3DPW_latest_test.json', ('male', 'female'), seed=1)
    write_synthetic_pw3d(
        pw3d, '3DPW_oc.json', ('male', 'female', 'male'), seed=2)
    cfg.val_dataloader.dataset.data_root = pw3d
    cfg.val_dataloader.update(
        batch_size=2, num_workers=0, persistent_workers=False)
    # two of the four sets, validated every 2 of 6 iterations
    cfg.val_cfg.extra_sets = cfg.val_cfg.extra_sets[:1]
    cfg.default_hooks.checkpoint.update(
        interval=100, save_best=['3dpw/MPJPE', '3dpw-oc/MPJPE'])
    cfg.default_hooks.logger.interval = 1
    cfg.train_cfg.update(max_iters=6, val_interval=2)
    cfg.custom_hooks = [dict(type='RecordValMetricsHook')]
    cfg.work_dir = str(tmp_path / 'work')
    set_body_model_dir(cfg, standin_body_model_dir)
    RecordValMetricsHook.records = []
    Runner.from_cfg(cfg).train()

    records = RecordValMetricsHook.records
    assert [it for it, _ in records] == [2, 4, 6]
    for _, metrics in records:
        assert set(metrics) == {
            f'{p}/{k}'
            for p in ('3dpw', '3dpw-oc')
            for k in ('MPJPE', 'PA-MPJPE', 'PVE')
        }
    # one best checkpoint per set, at its own lowest MPJPE
    for prefix, ann_file in (('3dpw', '3DPW_latest_test.json'),
                             ('3dpw-oc', '3DPW_oc.json')):
        key = f'{prefix}/MPJPE'
        best_iter = min(records, key=lambda r: r[1][key])[0]
        files = glob.glob(osp.join(cfg.work_dir, f'best_{prefix}_MPJPE_*'))
        assert [osp.basename(f) for f in files
                ] == [f'best_{prefix}_MPJPE_iter_{best_iter}.pth']
        # independent check: that checkpoint evaluated alone on the set
        # (the set's own test config) gives the numbers recorded there
        test_cfg = Config.fromfile(
            osp.join(ROOT, 'configs', 'jotr', 'test',
                     f'jotr_res50_test-{prefix.replace("-", "_")}.py'))
        assert test_cfg.test_dataloader.dataset.ann_file == ann_file
        test_cfg.model = tiny_model()
        test_cfg.test_dataloader.dataset.data_root = pw3d
        test_cfg.test_dataloader.update(
            batch_size=1, num_workers=0, persistent_workers=False)
        test_cfg.load_from = files[0]
        test_cfg.work_dir = str(tmp_path / f'test_{prefix}')
        set_body_model_dir(test_cfg, standin_body_model_dir)
        alone = Runner.from_cfg(test_cfg).test()
        recorded = dict(records)[best_iter]
        for k in ('MPJPE', 'PA-MPJPE', 'PVE'):
            assert alone[f'{prefix}/{k}'] == pytest.approx(
                recorded[f'{prefix}/{k}'], rel=1e-4)
    # the gradient norm went into the training log with the losses
    scalars = glob.glob(
        osp.join(cfg.work_dir, '*', 'vis_data', 'scalars.json'))
    with open(scalars[0]) as f:
        logged = [json.loads(line) for line in f]
    norms = [r['grad_norm'] for r in logged if 'grad_norm' in r]
    assert len(norms) == 6 and all(np.isfinite(n) and n > 0 for n in norms)
    assert torch.load(
        files[0], map_location='cpu',
        weights_only=False)['meta']['iter'] == best_iter
