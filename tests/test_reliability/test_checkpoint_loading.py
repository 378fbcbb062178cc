# Copyright (c) mmjotr contributors. All rights reserved.
"""Testing and inference load checkpoints strictly; partial loading only
on request (issue 9 #2)."""
import glob
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from torch import nn

from mmjotr.testing import write_synthetic_pw3d
from mmjotr.utils.checkpoint_io import (CheckpointMismatchError,
                                        check_state_dict,
                                        load_model_checkpoint)

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TINY = osp.join(ROOT, 'configs', 'jotr', 'jotr_tiny_1xb4_standin-256x256.py')
TEST_3DPW = osp.join(ROOT, 'configs', 'jotr', 'test',
                     'jotr_res50_test-3dpw.py')


def _net(width=4):
    return nn.Sequential(nn.Linear(3, width), nn.BatchNorm1d(width))


def test_check_state_dict_lists_keys_with_shapes(tmp_path):
    model = _net(4)
    other = dict(_net(5).state_dict())
    other['extra.weight'] = torch.zeros(2, 2)
    del other['1.bias']
    with pytest.raises(CheckpointMismatchError) as err:
        check_state_dict(model, other, 'a.pth', 'b.py', strict=True)
    text = str(err.value)
    assert 'checkpoint a.pth does not match the model built from b.py' in text
    assert '0.weight: checkpoint (5, 3), model (4, 3)' in text
    assert 'shape mismatch (5)' in text  # 0.weight .. 1.running_var
    assert 'missing in the checkpoint (1):\n    1.bias (4,)' in text
    assert 'unexpected in the checkpoint (1):\n    extra.weight (2, 2)' in text
    assert '--load-partial' in text
    assert check_state_dict(model, model.state_dict(), 'a.pth') == []


def test_partial_load_only_when_asked(tmp_path):
    src = _net(4)
    state = dict(src.state_dict())
    state['extra'] = torch.ones(1)
    path = str(tmp_path / 'partial.pth')
    torch.save(dict(state_dict=state), path)
    target = _net(4)
    with pytest.raises(CheckpointMismatchError, match='extra'):
        load_model_checkpoint(target, path, config_name='net.py')
    load_model_checkpoint(target, path, strict=False)
    for key, value in src.state_dict().items():
        torch.testing.assert_close(target.state_dict()[key], value)
    # mis-shaped tensors are skipped, the matching ones loaded
    wide = dict(_net(5).state_dict(), **{'0.weight': torch.ones(4, 3)})
    torch.save(dict(state_dict=wide), path)
    fresh = _net(4)
    load_model_checkpoint(fresh, path, strict=False)
    torch.testing.assert_close(fresh[0].weight, torch.ones(4, 3))


def _tiny_cfg(body_model_dir, embed_dims=32):
    cfg = Config.fromfile(TINY)
    cfg.model.head.body_model_dir = body_model_dir
    cfg.model.neck.embed_dims = embed_dims
    cfg.model.head.embed_dims = embed_dims
    return cfg


def _save_model(cfg, path):
    from mmjotr.registry import MODELS
    from mmjotr.utils import register_all_modules
    register_all_modules()
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    torch.save(dict(state_dict=model.state_dict()), path)
    return model


def test_init_model_is_strict(tmp_path, standin_body_model_dir):
    from mmjotr.apis.inference import init_model
    other = str(tmp_path / 'other.pth')
    _save_model(_tiny_cfg(standin_body_model_dir, embed_dims=48), other)
    cfg = _tiny_cfg(standin_body_model_dir)
    with pytest.raises(CheckpointMismatchError) as err:
        init_model(cfg, other)
    assert other in str(err.value) and 'shape mismatch' in str(err.value)
    model = init_model(cfg, other, strict=False)  # explicit partial load
    assert model.training is False
    own = str(tmp_path / 'own.pth')
    ref = _save_model(cfg, own)
    model = init_model(cfg, own)
    for key, value in ref.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value)


def _test_config(tmp_path, body_model_dir):
    cfg = Config.fromfile(TEST_3DPW)
    cfg.model = _tiny_cfg(body_model_dir).model
    cfg.test_dataloader.dataset.data_root = write_synthetic_pw3d(
        str(tmp_path / 'PW3D' / 'data'))
    cfg.test_dataloader.update(
        batch_size=1, num_workers=0, persistent_workers=False)
    cfg.test_evaluator.body_model_dir = body_model_dir
    path = str(tmp_path / 'jotr_tiny_test-3dpw.py')
    cfg.dump(path)
    return path


def test_tools_test_refuses_a_mismatched_checkpoint(tmp_path,
                                                    standin_body_model_dir):
    cfg_file = _test_config(tmp_path, standin_body_model_dir)
    ckpt = str(tmp_path / 'other_config.pth')
    _save_model(_tiny_cfg(standin_body_model_dir, embed_dims=48), ckpt)
    work_dir = tmp_path / 'work'
    result = subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'test.py'), cfg_file, ckpt, '--work-dir',
        str(work_dir)
    ],
                            env=dict(
                                os.environ,
                                OMP_NUM_THREADS='1',
                                PYTHONPATH=ROOT),
                            capture_output=True,
                            text=True,
                            timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert 'CheckpointMismatchError' in output
    assert 'MPJPE' not in output
    logs = glob.glob(str(work_dir / '*' / '*.log'))
    assert logs, output[-2000:]
    with open(logs[0]) as f:
        log = f.read()
    # the mismatch is in the run's log, naming checkpoint, config, shapes
    assert f'checkpoint {ckpt} does not match the model built from' in log
    assert cfg_file in log
    assert 'neck.' in log and 'checkpoint (' in log and 'model (' in log


def test_runner_test_strict_and_partial(tmp_path, standin_body_model_dir):
    from mmengine.runner import Runner

    from mmjotr.utils import build_test_cfg
    cfg_file = _test_config(tmp_path, standin_body_model_dir)
    # not a JOTR checkpoint at all
    alien = str(tmp_path / 'alien.pth')
    torch.save(dict(state_dict=nn.Linear(3, 3).state_dict()), alien)
    runner = Runner.from_cfg(
        build_test_cfg(cfg_file, alien, work_dir=str(tmp_path / 'w1')))
    with pytest.raises(
            CheckpointMismatchError,
            match=r'unexpected in the checkpoint \(2\)'):
        runner.test()
    # a partial (backbone-only) checkpoint loads when asked for
    model = _save_model(_tiny_cfg(standin_body_model_dir), str(alien))
    backbone = {
        k: v
        for k, v in model.state_dict().items() if k.startswith('backbone.')
    }
    partial = str(tmp_path / 'backbone.pth')
    torch.save(dict(state_dict=backbone), partial)
    with pytest.raises(CheckpointMismatchError, match='missing'):
        Runner.from_cfg(
            build_test_cfg(cfg_file, partial,
                           work_dir=str(tmp_path / 'w2'))).test()
    metrics = Runner.from_cfg(
        build_test_cfg(
            cfg_file, partial, work_dir=str(tmp_path / 'w3'),
            strict=False)).test()
    assert np.isfinite(metrics['3dpw/MPJPE'])
