# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np

from mmjotr.body_models import get_joint_set
from mmjotr.datasets.transforms import (flip_joints, input_keypoints_jotr30,
                                        to_joint_set)

COCO = get_joint_set('coco_17').joint_names
JOTR = get_joint_set('jotr_30').joint_names


def _coco_points():
    points = np.arange(17 * 2, dtype=np.float32).reshape(17, 2)
    weights = np.linspace(0.1, 0.9, 17).astype(np.float32)
    return points, weights


def test_to_joint_set_moves_by_name_and_derives_pelvis_and_neck():
    points, weights = _coco_points()
    out, w = to_joint_set(points, weights, 'coco_17', 'jotr_30')
    assert out.shape == (30, 2) and out.dtype == np.float32
    for k, name in enumerate(JOTR):
        if name in COCO:
            np.testing.assert_array_equal(out[k], points[COCO.index(name)])
            assert w[k] == weights[COCO.index(name)]
        else:
            assert w[k] == 0 and (out[k] == 0).all(), name
    derived, wd = to_joint_set(points, weights, 'coco_17', 'jotr_30',
                               ('Pelvis', 'Neck'))
    for name, (a, b) in (('Pelvis', ('L_Hip', 'R_Hip')),
                         ('Neck', ('L_Shoulder', 'R_Shoulder'))):
        ia, ib = COCO.index(a), COCO.index(b)
        k = JOTR.index(name)
        np.testing.assert_allclose(derived[k], (points[ia] + points[ib]) / 2)
        assert wd[k] == np.float32(weights[ia] * weights[ib])


def test_flip_swaps_left_and_right():
    array = np.arange(30, dtype=np.float32)[:, None].repeat(3, 1)
    flipped = flip_joints(array)
    for k, name in enumerate(JOTR):
        other = name.replace('L_', 'X_').replace('R_',
                                                 'L_').replace('X_', 'R_')
        assert flipped[k, 0] == JOTR.index(other), name
    np.testing.assert_array_equal(flip_joints(flipped), array)


def test_test_time_input_thresholds_the_confidence():
    points, _ = _coco_points()
    scores = np.full(17, 0.2, np.float32)
    scores[COCO.index('Nose')] = 0.9
    record = dict(
        input_keypoints=np.concatenate([points, scores[:, None]], 1),
        input_joint_set='coco_17',
        input_score_thr=0.5)
    xy, valid = input_keypoints_jotr30(record)
    assert valid.sum() == 1 and valid[JOTR.index('Nose')] == 1
    np.testing.assert_array_equal(xy[JOTR.index('Nose')], points[0])
    assert input_keypoints_jotr30(dict(input_keypoints=None)) is None
