# Copyright (c) mmjotr contributors. All rights reserved.
import json

import numpy as np

from mmjotr.datasets import MuCoDataset


def person(ann_id, depth, bbox):
    cam = np.full((21, 3), 100., np.float32)
    cam[:, 2] = depth + np.arange(21)
    img = np.tile(np.array(bbox[:2], np.float32) + 5, (21, 1))
    return dict(
        id=ann_id,
        image_id=1,
        bbox=bbox,
        keypoints_cam=cam.tolist(),
        keypoints_img=img.tolist())


def test_muco_closest_person_and_neighbours(tmp_path):
    anns = [
        person(1, 5000., [100, 100, 100, 200]),
        person(2, 3000., [120, 110, 100, 200]),  # closest: a sample
        person(3, 4000., [600, 600, 50, 50]),  # no overlap
    ]
    coco = dict(
        images=[
            dict(
                id=1,
                file_name='augmented_set/1.jpg',
                width=800,
                height=800,
                f=[1500., 1500.],
                c=[400., 400.])
        ],
        annotations=anns)
    (tmp_path / 'MuCo-3DHP.json').write_text(json.dumps(coco))
    (tmp_path / 'smpl_param.json').write_text(
        json.dumps(
            {'2': dict(pose=[0.] * 72, shape=[0.] * 10, trans=[0., 0., 3.])}))
    ds = MuCoDataset(data_root=str(tmp_path))
    assert len(ds) == 1
    rec = ds.get_data_info(0)
    np.testing.assert_allclose(rec['joints_cam'][0, 2], 3.0)  # mm -> m
    np.testing.assert_allclose(rec['keypoints'][0], [125., 115.])
    np.testing.assert_allclose(rec['cam_focal'], [1500., 1500.])
    assert rec['smpl_valid'] and rec['smpl_fit_thr'] == 25.
    # only person 1 overlaps (IoU >= 0.1); visibility column is 1
    assert rec['near_keypoints'].shape == (1, 21, 3)
    np.testing.assert_allclose(rec['near_keypoints'][0, 0], [105., 105., 1.])
