# Copyright (c) mmjotr contributors. All rights reserved.
import math
import os.path as osp

import numpy as np
import pytest
import torch

from mmjotr.apis import init_model, run_quickstart
from mmjotr.testing import synthetic_batch

TINY_CONFIG = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', 'jotr',
    'jotr_tiny_1xb4_standin-256x256.py')


def _read_obj(path):
    verts, faces = [], []
    with open(path) as f:
        for line in f:
            if line.startswith('v '):
                verts.append([float(x) for x in line.split()[1:]])
            elif line.startswith('f '):
                faces.append([int(x) - 1 for x in line.split()[1:]])
    return np.array(verts), np.array(faces)


@pytest.fixture(scope='module')
def quickstart(standin_body_model_dir, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('quickstart')
    result = run_quickstart(
        TINY_CONFIG,
        synthetic_batch(2, seed=0),
        body_model_dir=standin_body_model_dir,
        work_dir=str(work_dir),
        iters=4,
        seed=0)
    return result, standin_body_model_dir


def test_quickstart_trains_and_writes_outputs(quickstart):
    result, _ = quickstart
    assert len(result.losses) == 4
    assert all(math.isfinite(x) for x in result.losses)
    # four steps on one fixed batch must reduce its loss
    assert result.losses[-1] < result.losses[0]

    preds = np.load(result.predictions)
    assert preds['smpl_pose'].shape == (2, 72)
    assert preds['smpl_betas'].shape == (2, 10)
    assert preds['keypoints'].shape == (2, 30, 2)
    num_verts = preds['vertices'].shape[1]
    assert preds['vertices'].shape == (2, num_verts, 3)
    assert np.isfinite(preds['vertices']).all()

    # the OBJ files hold the predicted vertices and the body model's faces
    assert len(result.meshes) == 2
    for i, path in enumerate(result.meshes):
        verts, faces = _read_obj(path)
        np.testing.assert_allclose(verts, preds['vertices'][i], atol=1e-5)
        assert faces.min() == 0 and faces.max() == num_verts - 1


def test_init_model_reloads_the_quickstart_checkpoint(quickstart):
    result, body_model_dir = quickstart
    model = init_model(
        TINY_CONFIG,
        checkpoint=result.checkpoint,
        cfg_options={'model.head.body_model_dir': body_model_dir})
    assert not model.training
    samples = model.test_step(synthetic_batch(2, seed=0))
    vertices = torch.cat([s.pred_instances.vertices for s in samples])
    np.testing.assert_allclose(
        vertices.numpy(), np.load(result.predictions)['vertices'], atol=1e-5)


def test_init_model_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.py'):
        init_model(str(tmp_path / 'nope.py'))
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        init_model(TINY_CONFIG, checkpoint=str(tmp_path / 'missing.pth'))
    with pytest.raises(TypeError, match='Config'):
        init_model(42)
