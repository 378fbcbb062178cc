# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
from scipy.spatial.transform import Rotation

from mmjotr.evaluation import mesh_errors, mpjpe, pa_mpjpe, pve


def naive_mpjpe(pred, gt):
    return np.mean([
        np.mean([np.sqrt(np.sum((p - g)**2)) for p, g in zip(ps, gs)])
        for ps, gs in zip(pred, gt)
    ])


def test_mpjpe_and_pve_hand_values():
    gt = np.zeros((1, 2, 3))
    pred = np.array([[[3., 4., 0.], [0., 0., 1.]]])
    np.testing.assert_allclose(mpjpe(pred, gt), [3.])
    np.testing.assert_allclose(pve(pred, gt), [3.])
    # weights multiply the errors, the mean still divides by K
    np.testing.assert_allclose(mpjpe(pred, gt, np.array([[1., 0.]])), [2.5])


def test_pa_mpjpe_invariant_to_similarity():
    rng = np.random.default_rng(0)
    gt = rng.normal(size=(4, 14, 3))
    pred = gt + rng.normal(scale=0.05, size=gt.shape)
    base = pa_mpjpe(pred, gt)
    rot = Rotation.from_rotvec([0.3, -1.2, 0.5]).as_matrix()
    moved = 2.5 * pred @ rot.T + np.array([1., -2., 3.])
    np.testing.assert_allclose(pa_mpjpe(moved, gt), base, atol=1e-9)
    assert (base <= mpjpe(pred, gt)).all()
    # a similarity copy of the ground truth aligns perfectly
    np.testing.assert_allclose(
        pa_mpjpe(0.5 * gt @ rot.T + 1., gt), 0., atol=1e-9)


def test_mesh_errors_against_naive_loop():
    rng = np.random.default_rng(1)
    num_verts = 50
    reg = rng.random((17, num_verts))
    reg /= reg.sum(1, keepdims=True)
    pelvis = np.zeros(num_verts)
    pelvis[:5] = 0.2
    gt_v = rng.normal(size=(3, num_verts, 3))
    pred_v = gt_v + rng.normal(scale=0.03, size=gt_v.shape) + 5.
    eval_idx = (1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16)
    out = mesh_errors(pred_v, gt_v, reg, pelvis, eval_idx)
    for b in range(3):
        pj, gj = reg @ pred_v[b], reg @ gt_v[b]
        pj, gj = (pj - pj[0])[list(eval_idx)], (gj - gj[0])[list(eval_idx)]
        np.testing.assert_allclose(out['mpjpe'][b],
                                   naive_mpjpe([pj], [gj]) * 1000)
        pv = pred_v[b] - pelvis @ pred_v[b]
        gv = gt_v[b] - pelvis @ gt_v[b]
        np.testing.assert_allclose(out['pve'][b],
                                   naive_mpjpe([pv], [gv]) * 1000)
        assert out['pa_mpjpe'][b] <= out['mpjpe'][b]
