# Copyright (c) mmjotr contributors. All rights reserved.
import json

import numpy as np
import pytest

from mmjotr.datasets import AnnotationError, Human36MDataset

# camera 1: rotation of 90 degrees about y, t in mm
R = np.array([[0., 0., 1.], [0., 1., 0.], [-1., 0., 0.]])
T_MM = np.array([100., -200., 4000.])
FOCAL, PRINCPT = [1145., 1144.], [512., 515.]


def write_h36m(root, camera_r=R.tolist()):
    ann = root / 'annotations'
    ann.mkdir(parents=True)
    images, anns, joints, fits = [], [], {'2': {'1': {}}}, {'2': {'1': {}}}
    rng = np.random.default_rng(0)
    for i, frame in enumerate((0, 3, 5)):
        images.append(
            dict(
                id=i,
                file_name=f's_01_act_02/f{frame}.jpg',
                width=1000,
                height=1002,
                subject=1,
                action_idx=2,
                subaction_idx=1,
                frame_idx=frame,
                cam_idx=1))
        anns.append(dict(id=10 + i, image_id=i, bbox=[-20., 50., 400., 600.]))
        joints['2']['1'][str(frame)] = (rng.normal(size=(17, 3)) *
                                        300.).tolist()
    fits['2']['1']['0'] = dict(
        pose=[0.1] * 72, shape=[0.2] * 10, trans=[0.5, 0.1, 0.3])
    files = dict(
        data=dict(images=images, annotations=anns),
        camera={'1': dict(R=camera_r, t=T_MM.tolist(), f=FOCAL, c=PRINCPT)},
        joint_3d=joints,
        smpl_param=fits)
    for name, content in files.items():
        (ann /
         f'Human36M_subject1_{name}.json').write_text(json.dumps(content))
    return joints


def test_human36m_records(tmp_path):
    joints = write_h36m(tmp_path)
    ds = Human36MDataset(subjects=(1, ), data_root=str(tmp_path))
    # frame 3 is not a multiple of 5
    assert len(ds) == 2
    rec = ds.get_data_info(0)
    world = np.array(joints['2']['1']['0'])
    expected_cam = (world @ R.T + T_MM) / 1000.
    np.testing.assert_allclose(rec['joints_cam'], expected_cam, atol=1e-5)
    uv = expected_cam[:, :2] / expected_cam[:, 2:] * FOCAL + PRINCPT
    np.testing.assert_allclose(rec['keypoints'], uv, atol=1e-3)
    assert rec['joint_set'] == 'h36m_17' and rec['is_3d']
    # box clipped at x = 0: x2 = 0 + (400 - 1)
    np.testing.assert_allclose(rec['bbox'], [0., 50., 399., 649.])
    assert rec['img_path'].endswith('images/s_01_act_02/f0.jpg')
    assert rec['smpl_valid'] and rec['smpl_fit_thr'] == 25.
    np.testing.assert_allclose(rec['smpl_world_to_cam'][0], R)
    np.testing.assert_allclose(rec['smpl_world_to_cam'][1], T_MM / 1000.)
    # frame 5 has no fit
    assert not ds.get_data_info(1)['smpl_valid']


def test_human36m_errors(tmp_path):
    write_h36m(tmp_path, camera_r=[[1., 0.], [0., 1.]])
    with pytest.raises(
            AnnotationError, match=r'subject1_data.json '
            r'\[annotation 0\].*"R"'):
        Human36MDataset(subjects=(1, ), data_root=str(tmp_path))
    with pytest.raises(FileNotFoundError, match='Human36M_subject5_data'):
        Human36MDataset(subjects=(5, ), data_root=str(tmp_path))
