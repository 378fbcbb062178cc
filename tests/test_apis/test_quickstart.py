# Copyright (c) mmjotr contributors. All rights reserved.
"""The quick start, shortened (a few iterations on a few frames)."""
import json
import math
import os.path as osp

import cv2
import numpy as np
import pytest

from mmjotr.apis import init_model, run_quickstart
from mmjotr.apis.synthocc_runs import METRIC_KEYS, TEST_SPLITS
from mmjotr.utils import register_all_modules

CONFIG = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', 'jotr',
    'jotr_tiny_1xb8-900it_synthocc-256x256.py')
TINY_CONFIG = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', 'jotr',
    'jotr_tiny_1xb4_standin-256x256.py')


@pytest.fixture(scope='module')
def quickstart(standin_body_model_dir, tmp_path_factory):
    register_all_modules()
    root = tmp_path_factory.mktemp('quickstart')
    kwargs = dict(
        work_dir=str(root / 'work'),
        data_root=str(root / 'synthocc'),
        body_model_dir=standin_body_model_dir,
        max_iters=3,
        num_train=8,
        num_test=3,
        seed=0)
    return run_quickstart(CONFIG, **kwargs), kwargs


def test_quickstart_trains_evaluates_and_draws(quickstart):
    result, kwargs = quickstart
    for figures in (result.metrics, result.baseline):
        assert set(figures) == set(TEST_SPLITS)
        for split in TEST_SPLITS:
            assert set(figures[split]) == set(METRIC_KEYS)
            assert all(
                math.isfinite(v) and v > 0 for v in figures[split].values())
            assert figures[split]['PA-MPJPE'] <= figures[split]['MPJPE']
    for split in TEST_SPLITS:
        assert split in result.table
        assert f'{result.metrics[split]["MPJPE"]:.1f}' in result.table
        assert f'{result.baseline[split]["PVE"]:.1f}' in result.table
    assert osp.isfile(result.checkpoint)
    overlay = cv2.imread(result.overlay)
    frame = cv2.imread(
        osp.join(kwargs['data_root'], 'images', 'test_person_occluded',
                 '000000.jpg'))
    assert overlay.shape == (frame.shape[0], 2 * frame.shape[1], 3)
    # left half is the frame; the right half differs where the mesh is
    left, right = overlay[:, :frame.shape[1]], overlay[:, frame.shape[1]:]
    assert np.abs(left.astype(int) - frame.astype(int)).mean() < 3
    assert (np.abs(right.astype(int) - left.astype(int)).sum(-1) > 30).any()
    saved = json.load(open(result.results_file))
    assert saved['metrics'] == result.metrics
    assert saved['baseline'] == result.baseline


def test_quickstart_checkpoint_reloads(quickstart, standin_body_model_dir):
    result, _ = quickstart
    model = init_model(
        TINY_CONFIG,
        checkpoint=result.checkpoint,
        cfg_options={'model.head.body_model_dir': standin_body_model_dir})
    assert not model.training


def test_quickstart_refuses_user_directories(quickstart, tmp_path):
    result, kwargs = quickstart
    user = tmp_path / 'results'
    user.mkdir()
    (user / 'thesis.tex').write_text('mine')
    with pytest.raises(FileExistsError, match='refusing'):
        run_quickstart(CONFIG, **dict(kwargs, work_dir=str(user)))
    with pytest.raises(FileExistsError, match='refusing'):
        run_quickstart(
            CONFIG,
            **dict(kwargs, data_root=str(user), work_dir=str(tmp_path / 'w')))
    with pytest.raises(FileExistsError, match='refusing'):
        run_quickstart(
            CONFIG,
            **dict(
                kwargs,
                body_model_dir=str(user),
                work_dir=str(tmp_path / 'w2')))
    assert (user / 'thesis.tex').read_text() == 'mine'
