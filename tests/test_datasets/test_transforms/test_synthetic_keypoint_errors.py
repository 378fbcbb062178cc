# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest

from mmjotr.body_models import get_joint_set
from mmjotr.datasets.transforms import COCO_SIGMAS, SyntheticKeypointErrors
from mmjotr.datasets.transforms.synthetic_keypoint_errors import (GOOD,
                                                                  INVERSION,
                                                                  JITTER, MISS,
                                                                  SWAP,
                                                                  UNTOUCHED)

JOTR = get_joint_set('jotr_30')
COCO = [JOTR.index(n) for n in get_joint_set('coco_17').joint_names]
AREA = 40. * 60.


def person(num_valid=17, near=None):
    kpts = np.zeros((30, 2), np.float32)
    # COCO joints on a 5 x 4 grid, 12 px apart: no candidate rejects another
    for j, k in enumerate(COCO):
        kpts[k] = [8 + 12 * (j % 5), 8 + 12 * (j // 5)]
    valid = np.zeros(30, np.float32)
    valid[COCO[:num_valid]] = 1
    return dict(
        keypoints_input=kpts,
        keypoints_input_mask=valid.copy(),
        joints_valid=valid,
        bbox_area_input=AREA,
        near_keypoints_input=np.zeros(
            (0, 30, 3), np.float32) if near is None else near)


def radius(j, ks):
    return np.sqrt(-2 * AREA * (2 * COCO_SIGMAS[j])**2 * np.log(ks))


def test_error_frequencies_match_probabilities():
    t = SyntheticKeypointErrors()
    np.random.seed(0)
    draws = np.stack([
        t(person())['keypoint_error_types'][COCO] for _ in range(1500)
    ])  # (1500, 17)
    probs = t.probabilities(17, 0)
    for j in (0, 5, 11, 15):  # nose, shoulder, hip, ankle
        p = np.array([probs[k][j] for k in (GOOD, JITTER, MISS, INVERSION)])
        if j == 0:
            p[3] = 0.  # the nose has no partner: no inversion
        p /= p.sum()  # no neighbour: no swap, the rest renormalised
        freq = [(draws[:, j] == k).mean()
                for k in (GOOD, JITTER, MISS, INVERSION)]
        tol = 4 * np.sqrt(p * (1 - p) / len(draws)) + 1e-3
        assert (np.abs(np.array(freq) - p) <= tol).all(), (j, freq, p)
    assert (draws != SWAP).all()


def test_error_geometry():
    t = SyntheticKeypointErrors()
    np.random.seed(1)
    base = person()['keypoints_input']
    seen = set()
    for _ in range(300):
        res = t(person())
        for j, k in enumerate(COCO):
            kind = res['keypoint_error_types'][k]
            d = np.linalg.norm(res['keypoints_input'][k] - base[k])
            seen.add(int(kind))
            if kind in (GOOD, JITTER):
                lo = 0. if kind == GOOD else radius(j, .85) - 1e-4
                hi = radius(j, .85 if kind == GOOD else .5) + 1e-4
                assert lo <= d <= hi
                continue
            pj = j + 1 if j % 2 else j - 1
            # a partner processed earlier (pj < j) has already moved
            ref = res['keypoints_input'][COCO[pj]] if pj < j else base[
                COCO[pj]]
            d_partner = np.linalg.norm(res['keypoints_input'][k] - ref)
            if kind == MISS:
                # far from every candidate, near one of them (any centre)
                assert d > radius(j, .5) - 1e-4
                assert min(d, d_partner) <= radius(j, .1) + 1e-4
            elif kind == INVERSION:
                assert d_partner <= radius(j, .5) + 1e-4
    assert {GOOD, JITTER, MISS, INVERSION} <= seen
    # joints that are not COCO joints are untouched
    res = t(person())
    others = [k for k in range(30) if k not in COCO]
    assert (res['keypoint_error_types'][others] == UNTOUCHED).all()
    np.testing.assert_array_equal(res['keypoints_input'][others], base[others])


def test_swap_onto_overlapping_person():
    near = np.zeros((1, 30, 3), np.float32)
    for j, k in enumerate(COCO):
        near[0, k] = [200 + 12 * (j % 5), 8 + 12 * (j // 5), 1]
    t = SyntheticKeypointErrors()
    # 7 valid joints and an overlap: the "crowded" swap probabilities
    probs = t.probabilities(7, 1)
    assert probs[SWAP][5] == pytest.approx(0.15)
    np.random.seed(2)
    swaps = 0
    for _ in range(200):
        res = t(person(num_valid=7, near=near))
        for j, k in enumerate(COCO[:7]):
            if res['keypoint_error_types'][k] == SWAP:
                swaps += 1
                assert res['keypoints_input'][k][0] > 150.
        assert (res['keypoint_error_types'][COCO[7:]] == UNTOUCHED).all()
    assert swaps > 0


def test_invalid_probabilities():
    with pytest.raises(ValueError, match='sum above 1'):
        SyntheticKeypointErrors(inversion_prob=[0.9] * 17)
