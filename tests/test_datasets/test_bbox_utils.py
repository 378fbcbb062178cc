# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np

from mmjotr.datasets.bbox_utils import (bbox_iou_xyxy, keypoints_bbox,
                                        overlapping_people, sanitize_bbox_xywh,
                                        square_bbox)


def test_sanitize_clips_with_the_reference_far_corner():
    # far corner x1 + w - 1, clipped to the image's last pixel
    np.testing.assert_array_equal(
        sanitize_bbox_xywh([10, 20, 30, 40], 100, 80), [10, 20, 39, 59])
    np.testing.assert_array_equal(
        sanitize_bbox_xywh([-5, 70, 200, 30], 100, 80), [0, 70, 99, 79])
    empty = ([0, 0, 0, 5], [0, 0, 5, -1], [np.nan, 0, 5, 5], [120, 10, 5, 5])
    for bad in empty:
        assert sanitize_bbox_xywh(bad, 100, 80) is None, bad


def test_square_and_keypoint_boxes():
    np.testing.assert_array_equal(
        square_bbox(np.array([0., 10., 20., 50.]), 1.5), [-20, 0, 40, 60])
    kpts = np.array([[10., 20.], [30., 60.], [500., 500.]])
    box = keypoints_bbox(kpts, [1, 1, 0], extend=1.2)
    np.testing.assert_allclose(box, [8., 16., 32., 64.])
    assert keypoints_bbox(kpts, [1, 0, 0]) is None
    assert keypoints_bbox(np.array([[1., 1.], [1., 5.]]), [1, 1]) is None


def test_iou_and_overlapping_people():
    boxes = np.array([[0., 0., 10., 10.], [5., 0., 15., 10.],
                      [20., 20., 30., 30.], [0., 0., 10., 10.]])
    # overlap 5 x 10 = 50 over 100 + 100 - 50
    np.testing.assert_allclose(
        bbox_iou_xyxy(boxes[0], boxes), [1., 50 / 150, 0., 1.], rtol=1e-6)
    np.testing.assert_array_equal(overlapping_people(0, boxes), [1, 3])
    np.testing.assert_array_equal(
        overlapping_people(0, boxes, iou_thr=0.5), [3])
