# Copyright (c) mmjotr contributors. All rights reserved.
"""The quick start, shortened (a few iterations on a few frames)."""
import json
import math
import os.path as osp

import cv2
import numpy as np
import pytest

from mmjotr.apis import init_model, render_prediction, run_quickstart
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
    # left half is the frame (a few-iteration model's mesh may lie outside
    # the crop: the drawing itself is checked in
    # test_render_prediction_draws_where_the_mesh_projects)
    left = overlay[:, :frame.shape[1]]
    assert np.abs(left.astype(int) - frame.astype(int)).mean() < 3
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


def test_render_prediction_draws_where_the_mesh_projects():
    from mmjotr.geometry.camera import CROP_SIZE, FOCAL_LENGTH
    rng = np.random.default_rng(0)
    # a 0.4 m cube of 8 vertices and 12 triangles, 20 m in front of the
    # crop camera, 30 px right of the centre
    vertices = np.array([[x, y, z] for x in (-.2, .2) for y in (-.2, .2)
                         for z in (-.2, .2)])
    faces = np.array([[0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5],
                      [0, 5, 1], [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4],
                      [1, 5, 7], [1, 7, 3]])
    cam_t = np.array([30 * 20 / FOCAL_LENGTH, 0., 20.])
    # the crop is the frame's 256x256 window at (100, 50), scaled by 0.5
    crop_to_img = np.array([[0.5, 0., 100.], [0., 0.5, 50.]])
    image = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
    drawn = render_prediction(image, vertices, cam_t, crop_to_img, faces)
    # independent projection: the near face (z = -0.2) spans the widest
    # square; its centre is where the crop centre + 30 px maps
    pts = vertices + cam_t
    u = FOCAL_LENGTH * pts[:, 0] / pts[:, 2] + CROP_SIZE / 2
    v = FOCAL_LENGTH * pts[:, 1] / pts[:, 2] + CROP_SIZE / 2
    x0, x1 = 0.5 * u.min() + 100, 0.5 * u.max() + 100
    y0, y1 = 0.5 * v.min() + 50, 0.5 * v.max() + 50
    changed = np.abs(drawn.astype(int) - image.astype(int)).sum(-1) > 30
    ys, xs = np.nonzero(changed)
    assert changed.sum() > 0.5 * (x1 - x0) * (y1 - y0)
    assert xs.min() >= np.floor(x0) - 1 and xs.max() <= np.ceil(x1) + 1
    assert ys.min() >= np.floor(y0) - 1 and ys.max() <= np.ceil(y1) + 1
