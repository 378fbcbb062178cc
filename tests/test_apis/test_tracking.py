# Copyright (c) mmjotr contributors. All rights reserved.
import math

import numpy as np
import pytest
import torch

from mmjotr.apis import IoUTracker, MeshSmoother, OneEuroFilter
from mmjotr.apis.iou_tracker import box_iou_matrix
from mmjotr.geometry import axis_angle_to_rotmat


def crossing_boxes(num_frames=41, speed=8.):
    """Two boxes of nearly the same size on nearly one row moving towards
    each other; at frame 20 they overlap with IoU 0.79."""
    frames = []
    for t in range(num_frames):
        xa = 100. + speed * t
        xb = 420. - speed * t
        frames.append(
            np.array([[xa, 50, xa + 80, 250], [xb, 60, xb + 90, 265]]))
    return frames


def test_box_iou_matrix_hand_values():
    iou = box_iou_matrix([[0, 0, 10, 10]], [[5, 0, 15, 10], [20, 20, 30, 30]])
    np.testing.assert_allclose(iou, [[50 / 150, 0.]])


def test_identities_survive_a_crossing():
    rng = np.random.default_rng(0)
    tracker = IoUTracker()
    seen = []
    for boxes in crossing_boxes():
        order = rng.permutation(2)  # detectors list persons in any order
        ids = tracker.update(boxes[order] + rng.normal(0, 0.5, (2, 4)))
        seen.append(ids[np.argsort(order)])  # ids of (A, B)
    seen = np.array(seen)
    assert (seen[:, 0] == seen[0, 0]).all() and (seen[:, 1] == seen[0,
                                                                    1]).all()
    assert seen[0, 0] != seen[0, 1]


def gap_crossing_boxes(reappear_before, speed=20., gap=5):
    """Two persons walking towards each other at ``speed`` px/frame cross
    between frames 20 and 21 (their left edges coincide at t = 20.5); no
    detection of either for ``gap`` frames (a detector miss, occlusion),
    then they reappear at frame 20 (``reappear_before``: ``speed`` px
    before the crossing) or 21 (``speed`` px after it).

    At the reappearance, a track's box moved one frame too far (predicted
    ``age + 2`` frames ahead) lands on the other person at frame 20, one
    frame too short (``age`` frames) on the other person at frame 21, and
    the last seen boxes (no velocity) are ``speed * (gap + 1)`` = 120 px
    off, more than a box width.

    Returns:
        list: per frame, an (N, 4) array of the visible persons' boxes,
        A (80 x 200, moving right) before B (90 x 205, moving left).
    """
    end = 20 if reappear_before else 21
    frames = []
    for t in range(end - gap - 16, end + 8):
        xa = 100. + speed * t
        xb = 100. + speed * (41 - t)
        boxes = np.array([[xa, 50, xa + 80, 250], [xb, 60, xb + 90, 265]])
        frames.append(boxes[:0] if end - gap <= t < end else boxes)
    return frames


@pytest.mark.parametrize('reappear_before', [True, False])
def test_identities_survive_a_missed_crossing(reappear_before):
    rng = np.random.default_rng(1)
    tracker = IoUTracker()  # max_age 5: a 5-frame gap is bridged
    seen = []
    for boxes in gap_crossing_boxes(reappear_before):
        order = rng.permutation(len(boxes))
        ids = tracker.update(boxes[order] + rng.normal(0, 0.5, boxes.shape))
        if len(boxes):
            seen.append(ids[np.argsort(order)])  # ids of (A, B)
        else:
            assert ids.shape == (0, )
    seen = np.array(seen)
    assert (seen == seen[0]).all() and seen[0, 0] != seen[0, 1]


def test_tracks_end_and_new_ids_start():
    tracker = IoUTracker(max_age=1)
    box = np.array([[0., 0, 10, 10]])
    assert tracker.update(box).tolist() == [0]
    assert tracker.update(np.zeros((0, 4))).tolist() == []
    assert tracker.update(box).tolist() == [0]  # lost 1 frame: kept
    tracker.update(np.zeros((0, 4)))
    tracker.update(np.zeros((0, 4)))
    assert tracker.update(box).tolist() == [1]  # lost 2 frames: new id
    assert tracker.update(box + 100).tolist() == [2]  # no overlap: new


def test_one_euro_filter_values_and_jitter_reduction():
    f = OneEuroFilter(min_cutoff=1.0, beta=0.0, fps=30.)
    assert f(np.array([0.])) == 0.
    a = 1. / (1. + 30. / (2 * math.pi))  # cutoff 1 Hz at dt = 1/30
    assert f(np.array([1.]))[0] == pytest.approx(a)
    with pytest.raises(ValueError, match=r'shape \(2,\)'):
        f(np.zeros(2))
    with pytest.raises(ValueError, match='must be positive'):
        OneEuroFilter(min_cutoff=0.)

    rng = np.random.default_rng(0)
    truth = rng.normal(size=72)
    noisy = truth + rng.normal(0, 0.05, (300, 72))  # a still, noisy pose
    f = OneEuroFilter(min_cutoff=0.5, beta=0.1, fps=30.)
    smooth = np.stack([f(x) for x in noisy])

    def jitter(seq):
        return np.abs(np.diff(seq[30:], axis=0)).mean()

    factor = jitter(noisy) / jitter(smooth)
    print(f'one-euro filter: frame-to-frame jitter reduced {factor:.1f}x')
    assert factor >= 5
    assert np.abs(smooth[30:] - truth).mean() < 0.05  # and no bias


def test_mesh_smoother_rotations_across_the_axis_angle_wrap():
    rng = np.random.default_rng(1)
    num = 200
    # every joint turned ~179 degrees about z: noise flips the axis-angle
    # between ~(0, 0, 3.12) and ~(0, 0, -3.14) representations
    angle = np.deg2rad(179.) + rng.normal(0, 0.03, (num, 24))
    axis = np.zeros((num, 24, 3))
    axis[..., 2] = 1.
    axis[..., :2] = rng.normal(0, 0.02, (num, 24, 2))
    axis /= np.linalg.norm(axis, axis=-1, keepdims=True)
    pose = (axis * angle[..., None]).reshape(num, 72).astype(np.float32)
    smoother = MeshSmoother(min_cutoff=0.5, beta=0.1, fps=30.)
    out = []
    for t in range(num):
        p, b, c = smoother(
            np.array([7]), pose[t:t + 1], np.zeros((1, 10), np.float32),
            np.array([[0., 0., 5.]], np.float32))
        assert b.shape == (1, 10) and c.shape == (1, 3)
        out.append(p[0])
    out = np.stack(out)

    def step_angles(seq):
        rot = axis_angle_to_rotmat(
            torch.from_numpy(seq.reshape(-1, 24, 3)).double()).numpy()
        rel = np.einsum('tjab,tjac->tjbc', rot[:-1], rot[1:])
        cos = (np.trace(rel, axis1=-2, axis2=-1) - 1) / 2
        return np.arccos(np.clip(cos, -1, 1))[30:].mean()

    factor = step_angles(pose) / step_angles(out)
    print(f'pose smoothing: frame-to-frame rotation jitter reduced '
          f'{factor:.1f}x')
    assert factor >= 5
