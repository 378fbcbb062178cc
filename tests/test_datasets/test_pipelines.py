# Copyright (c) mmjotr contributors. All rights reserved.
import copy
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmjotr.datasets import CocoSMPLDataset, PW3DDataset
from mmjotr.testing import (build_standin_model, standin_config,
                            write_synthetic_pw3d)
from mmjotr.utils import register_all_modules

CONFIGS = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', '_base_', 'datasets')


def with_body_model(pipeline, body_model_dir):
    pipeline = copy.deepcopy(pipeline)
    for t in pipeline:
        if 'body_model' in t:
            t['body_model']['body_model_dir'] = body_model_dir
    return pipeline


def write_image(path, size=(480, 640)):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (*size, 3), dtype=np.uint8)
    cv2.imwrite(str(path), img)


def coco_root(tmp_path):
    (tmp_path / 'annotations').mkdir()
    (tmp_path / 'images' / 'train2017').mkdir(parents=True)
    write_image(tmp_path / 'images' / 'train2017' / '1.jpg')
    kpts = np.zeros((17, 3))
    kpts[:, 0] = np.linspace(250, 350, 17)
    kpts[:, 1] = np.linspace(100, 400, 17)
    kpts[:, 2] = 2
    anns = [
        dict(
            id=i + 1,
            image_id=1,
            bbox=[240. + 20 * i, 90., 120., 320.],
            iscrowd=0,
            num_keypoints=17,
            category_id=1,
            keypoints=(kpts + [20 * i, 0, 0]).reshape(-1).tolist())
        for i in range(2)
    ]
    coco = dict(
        images=[dict(id=1, file_name='1.jpg', width=640, height=480)],
        annotations=anns,
        categories=[dict(id=1, name='person')])
    (tmp_path / 'annotations' /
     'person_keypoints_train2017.json').write_text(json.dumps(coco))
    fits = {
        '1':
        dict(
            smpl_param=dict(
                pose=[0.1] * 72, shape=[0.2] * 10, trans=[0., 0., 6.]),
            cam_param=dict(focal=[1000., 1000.], princpt=[320., 240.]))
    }
    (tmp_path / 'annotations' /
     'MSCOCO_train_SMPL_NeuralAnnot.json').write_text(json.dumps(fits))
    return str(tmp_path)


def test_training_pipeline_produces_the_contract(tmp_path,
                                                 standin_body_model_dir):
    register_all_modules()
    cfg = Config.fromfile(osp.join(CONFIGS, 'jotr_mix_train.py'))
    pipeline = with_body_model(cfg.train_pipeline, standin_body_model_dir)
    ds = CocoSMPLDataset(data_root=coco_root(tmp_path), pipeline=pipeline)
    np.random.seed(0)
    for i in range(2):
        out = ds[i]
        assert out['inputs'].shape == (3, 256, 256)
        assert out['inputs'].dtype == torch.uint8
        gt = out['data_samples'].gt_instances
        assert gt.keypoints_input.shape == (1, 30, 2)
        assert gt.smpl_valid.item() == float(i == 0)
        assert gt.is_3d.item() == 0.
        # every joint COCO has (and the derived pelvis) is annotated
        assert gt.joints_valid.sum().item() == 18
        meta = out['data_samples'].metainfo
        assert meta['dataset_name'] == 'coco' and meta['sample_idx'] == i
        assert meta['crop_to_img'].shape == (2, 3)


def test_test_pipeline_on_3dpw(tmp_path, standin_body_model_dir):
    register_all_modules()
    cfg = Config.fromfile(osp.join(CONFIGS, '3dpw.py'))
    root = write_synthetic_pw3d(str(tmp_path / 'PW3D' / 'data'))
    dataset_cfg = cfg.test_dataloader.dataset
    ds = PW3DDataset(
        data_root=str(root),
        ann_file=dataset_cfg.ann_file,
        pipeline=dataset_cfg.pipeline)
    out = ds[0]
    sample = out['data_samples']
    assert not sample.flip and sample.gender == 'male'
    assert sample.gt_smpl_betas.shape == (10, )
    # the crop box comes from the OpenPose keypoints (x 1.2, square x 1.1)
    box = sample.gt_instances.bboxes[0].numpy()
    side = (box[2] - box[0], box[3] - box[1])
    np.testing.assert_allclose(side, [259. * 1.2 * 1.1] * 2, rtol=0.01)
    assert sample.gt_instances.keypoints_input_mask.sum().item() == 19
    assert cfg.test_evaluator.prefix == '3dpw'


@pytest.mark.parametrize('name', [
    '3dpw', '3dpw_oc', '3dpw_pc', '3dpw_crowd', '3doh', 'panoptic',
    'jotr_mix_train'
])
def test_dataset_configs_build(name):
    register_all_modules()
    from mmjotr.registry import DATASETS, METRICS, TRANSFORMS
    cfg = Config.fromfile(osp.join(CONFIGS, f'{name}.py'))
    loader = cfg.get('test_dataloader', cfg.get('train_dataloader'))
    datasets = [loader.dataset]
    if loader.dataset.type == 'MixedMeshDataset':
        datasets = loader.dataset.datasets_3d + loader.dataset.datasets_2d
    for dataset in datasets:
        assert DATASETS.get(dataset.type) is not None
        for t in dataset.pipeline:
            assert TRANSFORMS.get(t['type']) is not None, t['type']
    if 'test_evaluator' in cfg:
        assert METRICS.get(cfg.test_evaluator.type) is not None


@pytest.mark.parametrize(
    'name', ['3dpw', '3dpw_oc', '3dpw_pc', '3dpw_crowd', '3doh', 'panoptic'])
def test_evaluation_configs_load(name):
    path = osp.join(CONFIGS, '..', '..', 'jotr', 'test',
                    f'jotr_res50_test-{name}.py')
    cfg = Config.fromfile(path)
    assert cfg.model.type == 'JOTR' and cfg.default_scope == 'mmjotr'
    assert cfg.test_evaluator.type == 'MeshMetric'
    assert cfg.test_dataloader.sampler.shuffle is False
    assert cfg.test_cfg.type == 'TestLoop' and cfg.val_cfg.type == 'ValLoop'


@pytest.mark.parametrize('content,error', [(None, FileNotFoundError),
                                           (b'not a jpeg', AssertionError)])
def test_missing_or_corrupt_image_names_the_file(tmp_path, content, error):
    register_all_modules()
    from mmjotr.registry import TRANSFORMS
    path = tmp_path / 'broken.jpg'
    if content is not None:
        path.write_bytes(content)
    load = TRANSFORMS.build(dict(type='mmpose.LoadImage'))
    # mmpose re-raises mmcv's error, same type, with the path: the file
    # backend's FileNotFoundError, or mmcv LoadImageFromFile's
    # ``assert img is not None`` for bytes that do not decode
    with pytest.raises(error, match='broken.jpg') as info:
        load(dict(img_path=str(path)))
    assert info.type is error


def test_3dpw_evaluation_config_runs(tmp_path, standin_body_model_dir):
    """The evaluation config runs end to end (with the tiny model)."""
    from mmengine.runner import Runner
    cfg = Config.fromfile(
        osp.join(CONFIGS, '..', '..', 'jotr', 'test',
                 'jotr_res50_test-3dpw.py'))
    tiny = Config.fromfile(
        osp.join(CONFIGS, '..', '..', 'jotr',
                 'jotr_tiny_1xb4_standin-256x256.py'))
    cfg.model = tiny.model
    cfg = standin_config(cfg, standin_body_model_dir)
    cfg.test_dataloader.dataset.data_root = str(
        write_synthetic_pw3d(
            str(tmp_path / 'PW3D' / 'data'),
            genders=('male', 'female', 'male')))
    cfg.test_dataloader.update(num_workers=0, persistent_workers=False)
    cfg.work_dir = str(tmp_path / 'work')
    metrics = Runner.from_cfg(cfg).test()
    assert set(metrics) == {'3dpw/MPJPE', '3dpw/PA-MPJPE', '3dpw/PVE'}
    assert all(np.isfinite(v) and v > 0 for v in metrics.values())


def _eval_config_and_checkpoint(tmp_path, body_model_dir):
    """The 3DPW evaluation config with the tiny model on generated data,
    dumped to a file, and a checkpoint of a fixed initialisation."""
    cfg = Config.fromfile(
        osp.join(CONFIGS, '..', '..', 'jotr', 'test',
                 'jotr_res50_test-3dpw.py'))
    tiny = Config.fromfile(
        osp.join(CONFIGS, '..', '..', 'jotr',
                 'jotr_tiny_1xb4_standin-256x256.py'))
    cfg.model = tiny.model
    cfg.test_dataloader.dataset.data_root = str(
        write_synthetic_pw3d(
            str(tmp_path / 'PW3D' / 'data'),
            genders=('male', 'female', 'male')))
    cfg.test_dataloader.update(
        batch_size=1, num_workers=0, persistent_workers=False)
    cfg_file = str(tmp_path / 'jotr_tiny_test-3dpw.py')
    cfg.dump(cfg_file)

    torch.manual_seed(0)
    model = build_standin_model(tiny, body_model_dir)
    ckpt = str(tmp_path / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    return cfg_file, ckpt


def test_dist_test_two_processes_equals_one(tmp_path, standin_body_model_dir):
    """tools/dist_test.sh with 2 CPU processes gives the single-process
    numbers (3 samples: one rank pads, the padding is dropped) and dumps
    every prediction once."""
    import pickle
    import re
    import socket
    import subprocess
    import sys

    from mmengine.runner import Runner

    from mmjotr.utils import build_test_cfg
    cfg_file, ckpt = _eval_config_and_checkpoint(tmp_path,
                                                 standin_body_model_dir)
    single = Runner.from_cfg(
        build_test_cfg(
            cfg_file,
            ckpt,
            work_dir=str(tmp_path / 'single'),
            body_model_dir=standin_body_model_dir)).test()

    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    root = osp.abspath(osp.join(CONFIGS, '..', '..', '..'))
    dump = str(tmp_path / 'preds.pkl')
    result = subprocess.run([
        'bash',
        osp.join(root, 'tools',
                 'dist_test.sh'), cfg_file, ckpt, '2', '--work-dir',
        str(tmp_path / 'dist'), '--body-model-dir', standin_body_model_dir,
        '--dump', dump
    ],
                            env=dict(
                                os.environ,
                                OMP_NUM_THREADS='1',
                                PORT=str(port),
                                PYTHON=sys.executable),
                            capture_output=True,
                            text=True,
                            timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    for key, value in single.items():
        found = re.findall(rf'{re.escape(key)}: ([0-9.]+)', output)
        assert found, (key, output[-2000:])
        assert float(found[-1]) == pytest.approx(value, rel=1e-3, abs=1e-3)
    with open(dump, 'rb') as f:
        preds = pickle.load(f)
    assert sorted(p['sample_idx'] for p in preds) == [0, 1, 2]
