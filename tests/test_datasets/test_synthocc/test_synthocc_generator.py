# Copyright (c) mmjotr contributors. All rights reserved.
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmjotr.datasets.synthocc import (SPLITS, SYNTHOCC_INFO, SynthOccSettings,
                                      ensure_synthocc, is_complete_synthocc,
                                      write_synthocc)


def _read(path):
    with open(path, 'rb') as f:
        return f.read()


def _ann(root, split):
    return osp.join(root, 'annotations', f'synthocc_{split}.json')


def test_same_seed_gives_identical_bytes(synthocc_root, synthocc_frames,
                                         standin_body_model_dir, tmp_path):
    again = str(tmp_path / 'again')
    # two worker processes: same bytes as one process
    write_synthocc(
        again,
        standin_body_model_dir,
        SynthOccSettings(seed=0, num_frames=synthocc_frames),
        workers=2)
    for split in SPLITS:
        assert _read(_ann(synthocc_root, split)) == _read(_ann(again, split))
    for name in ('train/000000.jpg', 'test_person_occluded/000003.jpg'):
        assert _read(osp.join(synthocc_root, 'images',
                              name)) == _read(osp.join(again, 'images', name))

    other = str(tmp_path / 'other')
    write_synthocc(other, standin_body_model_dir,
                   SynthOccSettings(seed=1, num_frames=dict(train=2)))
    a = json.load(open(_ann(synthocc_root, 'train')))
    b = json.load(open(_ann(other, 'train')))
    assert a['annotations'][0]['smpl_param'] != b['annotations'][0][
        'smpl_param']


def test_splits_have_the_promised_scenes(synthocc_root, synthocc_frames):
    for split in SPLITS:
        db = json.load(open(_ann(synthocc_root, split)))
        assert len(db['images']) == synthocc_frames[split]
        targets = [a for a in db['annotations'] if a['is_target']]
        assert len(targets) == len(db['images'])
        scenes = {img['scene'] for img in db['images']}
        ratios = np.array([a['occlusion_ratio'] for a in targets])
        if split == 'test_clean':
            assert scenes == {'clean'}
            assert (ratios == 0).all()
            assert len(db['annotations']) == len(targets)
        elif split == 'test_object_occluded':
            assert scenes == {'object'}
            assert all(img['occluders'] for img in db['images'])
            assert ratios.mean() > 0.1
        elif split == 'test_person_occluded':
            assert scenes == {'person'}
            assert len(db['annotations']) > len(targets)  # other people
            assert ratios.mean() > 0.1
        for ann in targets:
            assert np.asarray(ann['input_keypoints']).shape == (17, 3)
            joints = np.asarray(ann['joints_img'])
            assert joints.shape == (30, 3)
            # the visible joints are on the image
            vis = joints[:, 2] > 0
            assert (joints[vis, 0] >= -0.5).all()
            assert (joints[vis, 0] < db['images'][0]['width'] - 0.5).all()


def test_images_show_the_target(synthocc_root):
    db = json.load(open(_ann(synthocc_root, 'test_clean')))
    img = cv2.imread(
        osp.join(synthocc_root, 'images', db['images'][0]['file_name']))
    assert img.shape == (db['images'][0]['height'], db['images'][0]['width'],
                         3)


def test_ensure_reuses_regenerates_and_refuses(standin_body_model_dir,
                                               tmp_path):
    root = str(tmp_path / 'copy')
    small = SynthOccSettings(seed=0, num_frames=dict(train=1, test_clean=1))
    ensure_synthocc(root, standin_body_model_dir, small)
    assert is_complete_synthocc(root, standin_body_model_dir, small)
    stamp = os.stat(osp.join(root, SYNTHOCC_INFO)).st_mtime_ns
    ensure_synthocc(root, standin_body_model_dir, small)  # reused
    assert os.stat(osp.join(root, SYNTHOCC_INFO)).st_mtime_ns == stamp

    changed = SynthOccSettings(seed=2, num_frames=dict(train=1, test_clean=1))
    assert not is_complete_synthocc(root, standin_body_model_dir, changed)
    ensure_synthocc(root, standin_body_model_dir, changed)  # regenerated
    info = json.load(open(osp.join(root, SYNTHOCC_INFO)))
    assert info['settings']['seed'] == 2

    user = tmp_path / 'mine'
    user.mkdir()
    (user / 'notes.txt').write_text('keep me')
    with pytest.raises(FileExistsError, match='refusing'):
        ensure_synthocc(str(user), standin_body_model_dir, small)
    assert (user / 'notes.txt').read_text() == 'keep me'
    assert os.listdir(user) == ['notes.txt']


def test_settings_reject_unknown_splits():
    with pytest.raises(ValueError, match='valid'):
        SynthOccSettings(num_frames=dict(valid=3))
