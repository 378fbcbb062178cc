# Copyright (c) mmjotr contributors. All rights reserved.
import json

import numpy as np
import pytest

from mmjotr.datasets import CROWD_SEQUENCES, AnnotationError, PW3DDataset


def write_pw3d(root, name='3DPW_latest_test.json', gender='female'):
    images, anns = [], []
    for i, seq in enumerate(('courtyard_hug_00', 'downtown_walk_00')):
        images.append(
            dict(
                id=i,
                file_name='image_00000.jpg',
                sequence=seq,
                width=1080,
                height=1920,
                cam_param=dict(focal=[1961., 1969.], princpt=[540., 960.])))
        openpose = np.zeros((18, 3))
        openpose[:, 0] = 100. + 10 * np.arange(18)
        openpose[:, 1] = 200. + 5 * np.arange(18)
        openpose[:, 2] = 0.5
        anns.append(
            dict(
                id=100 + i,
                image_id=i,
                bbox=[100., 150., 300., 900.],
                smpl_param=dict(
                    pose=[0.05] * 72,
                    shape=[0.3] * 10,
                    trans=[0.1, 0.2, 4.],
                    gender=gender),
                openpose_result=openpose.reshape(-1).tolist()))
    (root / name).write_text(json.dumps(dict(images=images, annotations=anns)))


def test_pw3d_test_records(tmp_path):
    write_pw3d(tmp_path)
    ds = PW3DDataset(data_root=str(tmp_path))
    assert len(ds) == 2
    rec = ds.get_data_info(0)
    assert rec['img_path'].endswith('imageFiles/courtyard_hug_00/'
                                    'image_00000.jpg')
    assert rec['smpl_gender'] == 'female' and rec['sequence'] == \
        'courtyard_hug_00'
    assert rec['input_joint_set'] == 'openpose_18'
    assert rec['input_score_thr'] == 0.05
    assert rec['derive_joints'] == ('Pelvis', )
    np.testing.assert_allclose(rec['input_keypoints'][2], [120., 210., .5])
    np.testing.assert_allclose(rec['cam_focal'], [1961., 1969.])
    np.testing.assert_allclose(rec['bbox'], [100., 150., 399., 1049.])
    assert rec['smpl_valid'] and rec['joint_set'] is None


def test_pw3d_exclude_sequences(tmp_path):
    write_pw3d(tmp_path, '3DPW_latest_validation.json')
    ds = PW3DDataset(
        data_root=str(tmp_path),
        ann_file='3DPW_latest_validation.json',
        exclude_sequences=CROWD_SEQUENCES)
    assert [ds.get_data_info(i)['sequence']
            for i in range(len(ds))] == ['downtown_walk_00']


def test_pw3d_crowd_hhrnet(tmp_path):
    write_pw3d(tmp_path, '3DPW_latest_validation.json', gender='m')
    coco = np.ones((17, 3)) * 7.
    (tmp_path / '3DPW_validation_crowd_hhrnet_result.json').write_text(
        json.dumps({'100': dict(coco_joints=coco.tolist())}))
    kwargs = dict(
        data_root=str(tmp_path),
        ann_file='3DPW_latest_validation.json',
        sequences=CROWD_SEQUENCES)
    release = PW3DDataset(**kwargs)
    assert len(release) == 1
    assert release.get_data_info(0)['input_joint_set'] == 'openpose_18'
    assert release.get_data_info(0)['smpl_gender'] == 'male'
    intended = PW3DDataset(input_source='hhrnet', **kwargs)
    rec = intended.get_data_info(0)
    assert rec['input_joint_set'] == 'coco_17'
    assert rec['derive_joints'] == ('Pelvis', 'Neck')
    np.testing.assert_allclose(rec['input_keypoints'], coco)


def test_pw3d_bad_gender(tmp_path):
    write_pw3d(tmp_path, gender='x')
    with pytest.raises(AnnotationError, match=r'\[annotation 100\]'):
        PW3DDataset(data_root=str(tmp_path))
