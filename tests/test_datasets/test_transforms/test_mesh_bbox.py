# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np

from mmjotr.datasets.transforms import GetMeshBBox


def test_train_box_is_square_and_enlarged():
    np.random.seed(0)
    t = GetMeshBBox()
    for _ in range(20):
        res = t(dict(bbox=np.array([10., 20., 110., 320.])))
        x1, y1, x2, y2 = res['bbox_crop']
        assert abs((x2 - x1) - (y2 - y1)) < 1e-3
        assert 300. <= x2 - x1 <= 360. + 1e-3
        np.testing.assert_allclose([(x1 + x2) / 2, (y1 + y2) / 2], [60., 170.],
                                   atol=1e-4)


def test_test_box_from_input_keypoints():
    kpts = np.zeros((18, 3))
    kpts[:, 2] = 0.01  # below the threshold ...
    kpts[0] = [100., 100., 0.9]  # ... except the nose and the neck
    kpts[1] = [140., 180., 0.9]
    res = GetMeshBBox(test_mode=True)(
        dict(
            bbox=np.array([0., 0., 50., 50.]),
            img_shape=(480, 640),
            input_keypoints=kpts,
            input_joint_set='openpose_18',
            input_score_thr=0.05,
            derive_joints=('Pelvis', )))
    # keypoint box (100,100)-(140,180) x1.2 -> x 96..144, y 92..188;
    # clipping keeps the far corner at x1 + w - 1 -> (143, 187); the square
    # of side 95 x 1.1 around (119.5, 139.5)
    assert res['bbox_source'] == 'keypoints'
    np.testing.assert_allclose(
        res['bbox_crop'], [67.25, 87.25, 171.75, 191.75], atol=1e-3)


def test_test_box_falls_back_to_annotation():
    kpts = np.zeros((17, 3))
    res = GetMeshBBox(
        test_mode=True, fallback_scale=1.1)(
            dict(
                bbox=np.array([0., 0., 100., 50.]),
                img_shape=(480, 640),
                input_keypoints=kpts,
                input_joint_set='coco_17',
                input_score_thr=0.05,
                derive_joints=()))
    assert res['bbox_source'] == 'annotation'
    np.testing.assert_allclose(res['bbox_crop'], [-5., -30., 105., 80.])
