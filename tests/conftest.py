# Copyright (c) mmjotr contributors. All rights reserved.
"""Shared fixtures.

``standin_body_model_dir`` is a complete body model directory (stand-in
SMPL models, the three regressors and a VPoser-v1 snapshot) in the layout
of docs/interfaces.md. It is generated once (about 10 s with one thread)
into ``${XDG_CACHE_HOME:-~/.cache}/mmjotr/standin/`` and reused by later
sessions; an incomplete cache, or one made by other generator code, is
regenerated. The VPoser in it
is fitted briefly (``QUICK_VPOSER_STEPS``): good enough to decode valid
poses, not for quality measurements.
"""
import os
import os.path as osp

import pytest

from mmjotr.body_models.standin import (STANDIN_VERSION,
                                        ensure_standin_body_model,
                                        standin_fingerprint)

STANDIN_SEED = 0
QUICK_VPOSER_STEPS = 150
QUICK_VPOSER_BATCH = 128


def standin_cache_dir() -> str:
    cache_root = os.environ.get('XDG_CACHE_HOME') or osp.join(
        osp.expanduser('~'), '.cache')
    # The source fingerprint regenerates the cache when the generator
    # changes.
    name = (f'v{STANDIN_VERSION}-{standin_fingerprint()}-seed{STANDIN_SEED}'
            f'-quick{QUICK_VPOSER_STEPS}')
    return osp.join(cache_root, 'mmjotr', 'standin', name)


@pytest.fixture(scope='session')
def standin_body_model_dir(tmp_path_factory) -> str:
    """Path of a complete stand-in body model directory (read-only use).

    Falls back to a per-session temporary directory when the cache
    location is not writable.
    """
    kwargs = dict(
        seed=STANDIN_SEED,
        vposer_steps=QUICK_VPOSER_STEPS,
        vposer_batch_size=QUICK_VPOSER_BATCH)
    try:
        return ensure_standin_body_model(standin_cache_dir(), **kwargs)
    except OSError:
        fallback = tmp_path_factory.mktemp('standin') / 'body_models'
        return ensure_standin_body_model(str(fallback), **kwargs)


@pytest.fixture(scope='session')
def gt_instance_shapes() -> dict:
    """``gt_instances`` field -> shape of one packed person, as written in
    docs/interfaces.md ("Data sample contract"); shared by the producer's
    (PackMeshInputs) and the consumers' tests."""
    return dict(
        bboxes=(1, 4),
        keypoints_input=(1, 30, 2),
        keypoints_input_mask=(1, 30),
        joints_voxel=(1, 30, 3),
        joints_trunc=(1, 30),
        joints_cam=(1, 30, 3),
        joints_valid=(1, 30),
        smpl_joints_voxel=(1, 30, 3),
        smpl_joints_trunc=(1, 30),
        smpl_pose=(1, 72),
        smpl_betas=(1, 10),
        smpl_valid=(1, ),
        is_3d=(1, ))


@pytest.fixture
def tiny_coco_train_config(tmp_path):
    """Factory: :func:`mmjotr.testing.write_tiny_coco_train_config` in
    ``tmp_path``; arguments ``max_iters``, ``checkpoint_interval``."""
    from mmjotr.testing import write_tiny_coco_train_config

    def make(max_iters: int, checkpoint_interval: int) -> str:
        return write_tiny_coco_train_config(
            str(tmp_path), max_iters, checkpoint_interval)

    return make


@pytest.fixture(scope='session')
def tiny_mesh_model(standin_body_model_dir):
    """The tiny JOTR config on the stand-in body model, random weights
    (seed 0), from ``mmjotr.apis.init_model`` (eval mode, CPU)."""
    import torch

    from mmjotr.apis import init_model
    root = osp.abspath(osp.join(osp.dirname(__file__), '..'))
    torch.manual_seed(0)
    return init_model(
        osp.join(root, 'configs', 'jotr', 'jotr_tiny_1xb4_standin-256x256.py'),
        cfg_options={'model.head.body_model_dir': standin_body_model_dir})


@pytest.fixture(scope='session')
def jotr_builder():
    """:func:`mmjotr.testing.build_standin_model`: the model of a config on
    the stand-in body model (plain BN, no pretrained weights)."""
    from mmjotr.testing import build_standin_model
    return build_standin_model


@pytest.fixture(scope='module')
def tiny_jotr(standin_body_model_dir):
    """The tiny JOTR on the stand-in body model, fixed initialisation."""
    import torch

    from mmjotr.testing import build_standin_model
    torch.manual_seed(0)
    return build_standin_model(
        'configs/jotr/jotr_tiny_1xb4_standin-256x256.py',
        str(standin_body_model_dir))
