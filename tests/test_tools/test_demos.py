# Copyright (c) mmjotr contributors. All rights reserved.
"""The demo scripts end to end, as a user runs them (random weights)."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import mmdet
import mmpose
import numpy as np
import pytest

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TINY = osp.join(ROOT, 'configs', 'jotr', 'jotr_tiny_1xb4_standin-256x256.py')


def run(args, tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=ROOT)
    result = subprocess.run(
        [sys.executable] + args,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_keypoint_file_demo_on_a_generated_frame(tmp_path,
                                                 standin_body_model_dir):
    run([
        osp.join(ROOT, 'demo', 'make_demo_frame.py'), '--out-dir', 'frame',
        '--body-model-dir', standin_body_model_dir
    ], tmp_path)
    with open(tmp_path / 'frame' / 'keypoints.json') as f:
        assert len(json.load(f)['annotations']) == 2
    run([
        osp.join(ROOT, 'demo',
                 'mesh_demo_from_keypoints.py'), TINY, 'none', '--input',
        str(tmp_path / 'frame' / 'frame.png'), '--coco-json',
        str(tmp_path / 'frame' / 'keypoints.json'), '--output-root', 'out',
        '--save-predictions', '--side-view', '--renderer', 'raster',
        '--body-model-dir', standin_body_model_dir
    ], tmp_path)
    drawn = cv2.imread(str(tmp_path / 'out' / 'frame.png'))
    assert drawn.shape == (360, 960, 3)  # frame + side view
    with open(tmp_path / 'out' / 'predictions' / 'frame.json') as f:
        persons = json.load(f)['persons']
    assert len(persons) == 2
    assert np.asarray(persons[0]['keypoints']).shape == (30, 2)


@pytest.mark.slow  # the chain itself is tested in-process (test_apis)
def test_mmdet_demo_on_an_image(tmp_path, standin_body_model_dir):
    det = osp.join(
        osp.dirname(mmdet.__file__), '.mim', 'configs', 'rtmdet',
        'rtmdet_tiny_8xb32-300e_coco.py')
    pose = osp.join(
        osp.dirname(mmpose.__file__), '.mim', 'configs', 'body_2d_keypoint',
        'topdown_heatmap', 'coco', 'td-hm_res50_8xb64-210e_coco-256x192.py')
    cv2.imwrite(
        str(tmp_path / 'img.jpg'), np.full((120, 160, 3), 90, np.uint8))
    result = run([
        osp.join(ROOT, 'demo', 'mesh_demo_with_mmdet.py'), det, 'none', pose,
        'none', TINY, 'none', '--input', 'img.jpg', '--output-root', 'vis',
        '--save-predictions', '--max-persons', '2', '--renderer', 'raster',
        '--body-model-dir', standin_body_model_dir
    ], tmp_path)
    assert '1 frame(s) done' in result.stdout + result.stderr
    assert (tmp_path / 'vis' / 'img.png').exists()
    assert (tmp_path / 'vis' / 'predictions' / 'img.json').exists()
