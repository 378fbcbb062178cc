# Copyright (c) mmjotr contributors. All rights reserved.
import glob
import os.path as osp
from types import SimpleNamespace

import cv2
import pytest
from mmengine.visualization import Visualizer

from mmjotr.engine import MeshVisualizationHook
from mmjotr.testing import synthetic_batch
from mmjotr.visualization import MeshVisualizer


def test_hook_draws_validation_and_test_crops(tiny_mesh_model, tmp_path):
    MeshVisualizer.get_instance(
        'hook_test',
        renderer='raster',
        vis_backends=[dict(type='LocalVisBackend')],
        save_dir=str(tmp_path))
    batch = synthetic_batch(3)
    outputs = tiny_mesh_model.test_step(batch)
    runner = SimpleNamespace(model=tiny_mesh_model, iter=7)
    hook = MeshVisualizationHook(enable=True, interval=2, max_per_batch=2)
    hook.after_val_iter(runner, 0, batch, outputs)
    hook.after_val_iter(runner, 1, batch, outputs)  # not a multiple of 2
    hook.after_test_iter(runner, 4, batch, outputs)
    files = sorted(
        osp.basename(f)
        for f in glob.glob(str(tmp_path / '**' / '*.png'), recursive=True))
    assert files == [
        'test_4_0_4.png', 'test_4_1_4.png', 'val_0_0_7.png', 'val_0_1_7.png'
    ]
    drawn = cv2.imread(
        glob.glob(str(tmp_path / '**' / 'val_0_0_7.png'), recursive=True)[0])
    assert drawn.shape == (256, 512, 3)  # crop + side view
    crop = batch['inputs'][0].numpy().transpose(1, 2, 0)
    assert (drawn[:, :256] != crop).any(-1).mean() > 0.01  # a mesh drawn
    MeshVisualizationHook(enable=False).after_val_iter(runner, 0, batch,
                                                       outputs)


def test_hook_needs_a_mesh_visualizer(tiny_mesh_model):
    Visualizer.get_instance('plain_visualizer')
    batch = synthetic_batch(1)
    runner = SimpleNamespace(model=tiny_mesh_model, iter=0)
    with pytest.raises(TypeError, match='MeshVisualizer'):
        MeshVisualizationHook(
            enable=True).after_test_iter(runner, 0, batch,
                                         tiny_mesh_model.test_step(batch))
