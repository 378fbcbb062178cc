# Copyright (c) mmjotr contributors. All rights reserved.
import json

import numpy as np
import pytest

from mmjotr.datasets import AnnotationError, CocoSMPLDataset


def coco_person(ann_id, bbox, num_keypoints=17, iscrowd=0, image_id=1):
    kpts = np.zeros((17, 3))
    kpts[:, 0] = bbox[0] + np.arange(17)
    kpts[:, 1] = bbox[1] + 2 * np.arange(17)
    kpts[:num_keypoints, 2] = 2
    return dict(
        id=ann_id,
        image_id=image_id,
        bbox=bbox,
        iscrowd=iscrowd,
        num_keypoints=num_keypoints,
        keypoints=kpts.reshape(-1).tolist(),
        category_id=1)


def neural_annot(extra=None):
    fit = dict(
        smpl_param=dict(
            pose=[0.1] * 72, shape=[0.5] * 10, trans=[0.1, 0.2, 5.]),
        cam_param=dict(focal=[5000., 5000.], princpt=[320., 240.]))
    fit.update(extra or {})
    return fit


def write_coco(root, anns, fits):
    (root / 'annotations').mkdir()
    coco = dict(
        images=[dict(id=1, file_name='000001.jpg', width=640, height=480)],
        annotations=anns,
        categories=[dict(id=1, name='person')])
    (root / 'annotations' /
     'person_keypoints_train2017.json').write_text(json.dumps(coco))
    (root / 'annotations' /
     'MSCOCO_train_SMPL_NeuralAnnot.json').write_text(json.dumps(fits))


def test_coco_records_and_skips(tmp_path):
    anns = [
        coco_person(1, [10., 20., 100., 200.]),
        coco_person(2, [30., 40., 100., 200.], num_keypoints=5),
        coco_person(3, [0., 0., 50., 50.], iscrowd=1),
        coco_person(4, [0., 0., 50., 50.], num_keypoints=0),
        coco_person(5, [10., 10., 0., 30.]),  # zero area
        coco_person(6, [400., 300., 50., 50.]),  # far away
    ]
    write_coco(tmp_path, anns, {'1': neural_annot(), '6': neural_annot()})
    ds = CocoSMPLDataset(data_root=str(tmp_path))
    assert len(ds) == 3
    assert ds.skip_counts == {
        'crowd annotations': 1,
        'people without keypoints': 1,
        'zero-area boxes': 1
    }
    rec = ds.get_data_info(0)
    np.testing.assert_allclose(rec['keypoints'][3], [13., 26.])
    assert rec['keypoints_visible'].sum() == 17
    assert rec['joint_set'] == 'coco_17'
    assert rec['derive_joints'] == ('Pelvis', )
    assert rec['smpl_valid'] and not rec['is_3d']
    np.testing.assert_allclose(rec['cam_princpt'], [320., 240.])
    np.testing.assert_allclose(rec['smpl_transl'], [0.1, 0.2, 5.])
    assert rec['img_path'].endswith('images/train2017/000001.jpg')
    # person 2 overlaps person 1 (IoU 0.47), person 6 overlaps nobody
    assert rec['near_keypoints'].shape == (1, 17, 3)
    np.testing.assert_allclose(rec['near_keypoints'][0, :, 2],
                               [1.] * 5 + [0.] * 12)
    assert not ds.get_data_info(1)['smpl_valid']
    assert ds.get_data_info(2)['near_keypoints'] is None


def test_coco_malformed_keypoints(tmp_path):
    ann = coco_person(1, [10., 20., 100., 200.])
    ann['keypoints'] = ann['keypoints'][:-3]
    write_coco(tmp_path, [ann], {})
    with pytest.raises(AnnotationError, match=r'\[annotation 1\].*keypoints'):
        CocoSMPLDataset(data_root=str(tmp_path))


def test_coco_skips_are_logged_with_counts(tmp_path, monkeypatch):
    anns = [
        coco_person(1, [10., 20., 100., 200.]),
        coco_person(2, [10., 10., 0., 30.]),  # zero area
        coco_person(3, [10., 10., 50., 30.]),
    ]
    anns[2]['keypoints'][0] = float('nan')
    write_coco(tmp_path, anns, {'1': neural_annot()})
    messages = []
    monkeypatch.setattr('mmjotr.datasets.base_mesh_dataset.print_log',
                        lambda msg, **kwargs: messages.append(msg))
    ds = CocoSMPLDataset(data_root=str(tmp_path))
    assert len(ds) == 1
    assert len(messages) == 1
    assert 'kept 1 records' in messages[0]
    assert '1 non-finite keypoints' in messages[0]
    assert '1 zero-area boxes' in messages[0]


def test_coco_without_usable_people(tmp_path):
    write_coco(tmp_path, [coco_person(1, [0., 0., 50., 50.], iscrowd=1)], {})
    with pytest.raises(ValueError, match='no usable records.*1 crowd'):
        CocoSMPLDataset(data_root=str(tmp_path))
