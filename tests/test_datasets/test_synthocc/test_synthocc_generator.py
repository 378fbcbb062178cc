# Copyright (c) mmjotr contributors. All rights reserved.
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

import mmjotr.datasets.synthocc.generator as synthocc_generator
from mmjotr.datasets.synthocc import (SPLITS, SYNTHOCC_INFO, SynthOccGenerator,
                                      SynthOccSettings, ensure_synthocc,
                                      is_complete_synthocc, write_synthocc)


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


def _silhouette(body_model, ann, image_info, sub=4):
    """The mask of a person from its annotation alone: the SMPL mesh of
    ``smpl_param`` projected with the frame's ``cam_param`` (numpy), its
    triangles filled (cv2) at ``sub`` times the resolution, and the pixels
    more than half covered."""
    smpl = ann['smpl_param']
    with torch.no_grad():
        verts = body_model(
            torch.tensor([smpl['pose']], dtype=torch.float32),
            torch.tensor([smpl['shape']], dtype=torch.float32)).vertices
    verts = verts[0].double().numpy() + smpl['trans']  # (V, 3) camera
    cam = image_info['cam_param']
    px = np.array(cam['focal']) * verts[:, :2] / verts[:, 2:] + cam['princpt']
    size = (image_info['width'], image_info['height'])
    fine = np.zeros((size[1] * sub, size[0] * sub), np.float32)
    # pixel i spans [i - 0.5, i + 0.5]: fine pixels sub * i .. sub * i +
    # sub - 1, centred at sub * (i + 0.5) - 0.5
    tris = np.round((px * sub + (sub - 1) / 2.) * 16).astype(np.int32)
    for tri in tris[body_model.faces.numpy()]:
        cv2.fillConvexPoly(fine, tri, 1., shift=4)  # 4 fractional bits
    return cv2.resize(fine, size, interpolation=cv2.INTER_AREA) > 0.5


def _foreground(generator, split, index, monkeypatch):
    """Frame ``index`` of ``split`` drawn again over two flat backgrounds
    (the real one is still drawn, so the random stream is unchanged):
    the pixels that do not change are the rendered people and objects."""
    real_background = synthocc_generator.procedural_background
    images = []
    for value in (0., 1.):

        def flat(rng, shape, value=value):
            return np.full_like(real_background(rng, shape), value)

        monkeypatch.setattr(synthocc_generator, 'procedural_background', flat)
        images.append(generator.frame(split, index).image)
    return (images[0] == images[1]).all(-1), images[0]


def _iou(a, b):
    return (a & b).sum() / (a | b).sum()


def test_images_show_the_target(synthocc_root, standin_body_model_dir,
                                monkeypatch):
    db = json.load(open(_ann(synthocc_root, 'test_clean')))
    info, target = db['images'][0], db['annotations'][0]
    assert target['is_target'] and target['image_id'] == 0
    img = cv2.imread(osp.join(synthocc_root, 'images', info['file_name']))
    assert img.shape == (info['height'], info['width'], 3)
    generator = SynthOccGenerator(standin_body_model_dir,
                                  SynthOccSettings(seed=0))
    body = _silhouette(generator.body_model, target, info)
    assert 1000 < body.sum() < 0.5 * body.size
    # where the annotation puts the person, the renderer drew it
    fg, person_only = _foreground(generator, 'test_clean', 0, monkeypatch)
    assert _iou(fg, body) > 0.95
    # the annotated box is the box of the drawn pixels
    ys, xs = np.nonzero(fg)
    x, y, w, h = target['bbox']
    np.testing.assert_allclose(
        [xs.min(), ys.min(), xs.max(), ys.max()], [x, y, x + w, y + h], atol=2)
    # the visible joints are on the person
    joints = np.asarray(target['joints_img'])
    vis = joints[joints[:, 2] > 0, :2]
    assert len(vis) >= 20
    u, v = np.round(vis).astype(int).T
    assert fg[v, u].mean() > 0.9
    # the written image: a background that is not flat, and the person of
    # the flat-background drawing where the annotation says
    core = cv2.erode(body.astype(np.uint8), np.ones((5, 5))).astype(bool)
    far = ~cv2.dilate(body.astype(np.uint8), np.ones((9, 9))).astype(bool)
    jpeg_error = np.abs(img.astype(float) - person_only)
    assert jpeg_error[core].mean() < 8
    assert img[far].std(0).min() > 5
    assert jpeg_error[far].mean() > 20


@pytest.mark.parametrize('split',
                         ['test_object_occluded', 'test_person_occluded'])
def test_occluded_images_show_every_annotated_person(synthocc_root,
                                                     standin_body_model_dir,
                                                     monkeypatch, split):
    db = json.load(open(_ann(synthocc_root, split)))
    info = db['images'][0]
    people = [a for a in db['annotations'] if a['image_id'] == 0]
    generator = SynthOccGenerator(standin_body_model_dir,
                                  SynthOccSettings(seed=0))
    fg, _ = _foreground(generator, split, 0, monkeypatch)
    bodies = [_silhouette(generator.body_model, a, info) for a in people]
    union = np.any(bodies, 0)
    # every annotated person is drawn (in front of or behind the others)
    for body in bodies:
        assert (fg & body).sum() > 0.97 * body.sum()
    if split == 'test_person_occluded':
        assert len(people) > 1
        # nothing but the annotated people is drawn
        assert _iou(fg, union) > 0.95
    else:
        # the occluders are drawn too, over part of the target
        assert (fg & ~union).sum() > 100
        target = people[0]
        assert target['is_target'] and target['occlusion_ratio'] > 0.1


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
