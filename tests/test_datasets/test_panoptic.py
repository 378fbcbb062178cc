# Copyright (c) mmjotr contributors. All rights reserved.
import pickle

import numpy as np

from mmjotr.body_models import get_joint_set
from mmjotr.datasets import PanopticDataset


def test_panoptic_records(tmp_path):
    ann_dir = tmp_path / 'processed' / 'annotations'
    ann_dir.mkdir(parents=True)
    kpts3d = np.zeros((2, 24, 4))
    kpts3d[:, :15, :3] = np.arange(45).reshape(15, 3) / 10.
    kpts3d[:, :15, 3] = 1
    kpts3d[0, 7, 3] = 0  # right elbow invisible
    kpts2d = np.zeros((2, 24, 3))
    kpts2d[:, :15, :2] = np.arange(30).reshape(15, 2) + 100
    kpts2d[:, :15, 2] = 1
    frames = [
        dict(
            filename='processed/160422_mafia2/00_16/00_16_00001.png',
            width=832,
            height=512,
            bboxes=np.array([[10, 10, 200, 400], [300, 10, 300, 400]]),
            kpts2d=kpts2d,
            kpts3d=kpts3d)
    ]
    with open(ann_dir / '160422_mafia2.pkl', 'wb') as f:
        pickle.dump(frames, f)
    ds = PanopticDataset(
        data_root=str(tmp_path), sequences=('160422_mafia2', ))
    assert len(ds) == 1 and ds.skip_counts == {'zero-area boxes': 1}
    rec = ds.get_data_info(0)
    h36m = get_joint_set('h36m_17')
    gt = rec['gt_joints_cam']
    # J24 14 (pelvis) -> H36M 0, J24 0 (right ankle) -> H36M "R_Ankle"
    np.testing.assert_allclose(gt[0], kpts3d[0, 14, :3])
    np.testing.assert_allclose(gt[h36m.index('R_Ankle')], kpts3d[0, 0, :3])
    np.testing.assert_allclose(gt[h36m.index('Neck')], kpts3d[0, 12, :3])
    assert rec['gt_joints_visible'][h36m.index('R_Elbow')] == 0
    # spine, nose-like head joint and head top are not in the protocol
    for name in ('Torso', 'Nose', 'Head_top'):
        assert rec['gt_joints_visible'][h36m.index(name)] == 0
    assert rec['gt_joints_visible'].sum() == 13
    jotr = get_joint_set('jotr_30')
    np.testing.assert_allclose(rec['input_keypoints'][jotr.index('Pelvis')],
                               [128., 129., 1.])
    assert rec['sequence'] == '160422_mafia2'
