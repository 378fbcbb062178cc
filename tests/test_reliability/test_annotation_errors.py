# Copyright (c) mmjotr contributors. All rights reserved.
"""Every field read from an annotation goes through the checked accessors:
errors name the file, the record and the field; absurd finite values are
counted skips (issue 9 #3 and "should fix")."""
import copy
import json
import pickle
import re

import numpy as np
import pytest

from mmjotr.datasets import (AnnotationError, CocoSMPLDataset, PanopticDataset,
                             PW3DDataset)
from mmjotr.testing import write_synthetic_pw3d


def _coco(tmp_path, image=None, ann=None, fits=None):
    (tmp_path / 'annotations').mkdir(exist_ok=True)
    kpts = np.zeros((17, 3))
    kpts[:, 0] = np.linspace(250, 350, 17)
    kpts[:, 1] = np.linspace(100, 400, 17)
    kpts[:, 2] = 2
    base_img = dict(id=1, file_name='1.jpg', width=640, height=480)
    base_ann = dict(
        id=1,
        image_id=1,
        bbox=[240., 90., 120., 320.],
        iscrowd=0,
        num_keypoints=17,
        category_id=1,
        keypoints=kpts.reshape(-1).tolist())
    coco = dict(
        images=[image if image is not None else base_img],
        annotations=[dict(base_ann, **(ann or {}))],
        categories=[dict(id=1, name='person')])
    (tmp_path / 'annotations' /
     'person_keypoints_train2017.json').write_text(json.dumps(coco))
    if fits is None:
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


IMG = dict(id=1, file_name='1.jpg', width=640, height=480)


@pytest.mark.parametrize('image, ann, message', [
    ({
        k: v
        for k, v in IMG.items() if k != 'width'
    }, None, 'missing field '
     '"width"'),
    ({
        k: v
        for k, v in IMG.items() if k != 'file_name'
    }, None, 'missing field "file_name"'),
    (dict(IMG, width='wide'), None, 'field "width" is not a number'),
    (dict(IMG, file_name=['1.jpg'
                          ]), None, 'field "file_name" must be a string'),
    (None, dict(bbox='240 90 120 320'), 'field "bbox" is not numeric'),
    (None, dict(bbox=[240., 90., 120.]), r'field "bbox" has shape '
     r'\(3,\), expected \(4,\)'),
])
def test_coco_field_errors_name_file_record_and_field(tmp_path, image, ann,
                                                      message):
    root = _coco(tmp_path, image=image, ann=ann)
    with pytest.raises(AnnotationError) as err:
        CocoSMPLDataset(data_root=root)
    text = str(err.value)
    assert 'person_keypoints_train2017.json' in text
    assert ('[image 1]' in text) or ('[annotation 1]' in text)
    assert re.search(message, text), text


def test_annotation_file_that_is_a_list_is_named(tmp_path):
    root = _coco(tmp_path, fits=[1, 2])
    with pytest.raises(
            AnnotationError,
            match='MSCOCO_train_SMPL_NeuralAnnot.json: NeuralAnnot '
            'fits must hold a JSON object at the top level, got '
            'list'):
        CocoSMPLDataset(data_root=root)
    (tmp_path / 'annotations' /
     'person_keypoints_train2017.json').write_text('[1, 2]')
    with pytest.raises(
            AnnotationError,
            match='person_keypoints_train2017.json: not a COCO'):
        CocoSMPLDataset(data_root=root)


def test_absurd_finite_keypoint_is_a_counted_skip(tmp_path):
    kpts = np.zeros((17, 3))
    kpts[:, 0] = np.linspace(250, 350, 17)
    kpts[:, 1] = np.linspace(100, 400, 17)
    kpts[:, 2] = 2
    bad = kpts.copy()
    bad[3, 0] = 3e38
    root = _coco(tmp_path)
    path = tmp_path / 'annotations' / 'person_keypoints_train2017.json'
    coco = json.loads(path.read_text())
    second = copy.deepcopy(coco['annotations'][0])
    second.update(id=2, keypoints=bad.reshape(-1).tolist())
    coco['annotations'].append(second)
    path.write_text(json.dumps(coco))
    ds = CocoSMPLDataset(data_root=root)
    assert len(ds) == 1
    assert ds.skip_counts == {'out-of-range keypoints (|value| > 1e+06)': 1}
    # an absurd SMPL fit keeps the person, without the fit
    fits = json.loads((tmp_path / 'annotations' /
                       'MSCOCO_train_SMPL_NeuralAnnot.json').read_text())
    fits['1']['smpl_param']['trans'] = [0., 0., -3e38]
    (tmp_path / 'annotations' /
     'MSCOCO_train_SMPL_NeuralAnnot.json').write_text(json.dumps(fits))
    ds = CocoSMPLDataset(data_root=root)
    assert ds.skip_counts[
        'out-of-range SMPL fits (|value| > 1e+06) (kept without fit)'] == 1
    assert ds.get_data_info(0)['smpl_valid'] is False


def test_gender_given_as_a_list_is_named(tmp_path):
    with pytest.raises(
            AnnotationError,
            match=r'3DPW_latest_test.json \[annotation 5\]: field '
            '"gender" must be a string, got list'):
        PW3DDataset(
            data_root=write_synthetic_pw3d(
                str(tmp_path / 'PW3D'), genders=[['male']]))


def test_panoptic_out_of_range_joint_is_skipped(tmp_path):
    kpts3d = np.zeros((2, 24, 4))
    kpts3d[:, :15, :3] = 1.
    kpts3d[:, :15, 3] = 1
    kpts3d[1, 2, 0] = 3e38
    frames = [
        dict(
            filename='a.png',
            width=832,
            height=512,
            bboxes=np.array([[10., 10., 200., 400.]] * 2),
            kpts2d=np.ones((2, 24, 3)),
            kpts3d=kpts3d)
    ]
    ann_dir = tmp_path / 'processed' / 'annotations'
    ann_dir.mkdir(parents=True)
    with open(ann_dir / 'seq.pkl', 'wb') as f:
        pickle.dump(frames, f)
    ds = PanopticDataset(data_root=str(tmp_path), sequences=('seq', ))
    assert len(ds) == 1
    assert ds.skip_counts == {'out-of-range joints (|value| > 1e+06)': 1}
    frames[0]['width'] = 'wide'
    with open(ann_dir / 'seq.pkl', 'wb') as f:
        pickle.dump(frames, f)
    with pytest.raises(
            AnnotationError,
            match=r'seq.pkl \[frame 0\]: field "width" is not a'):
        PanopticDataset(data_root=str(tmp_path), sequences=('seq', ))
