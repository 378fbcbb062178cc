# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
from scipy.spatial.transform import Rotation

from mmjotr.evaluation import mesh_errors, mpjpe, pa_mpjpe, pve


def naive_mpjpe(pred, gt):
    return np.mean([
        np.mean([np.sqrt(np.sum((p - g)**2)) for p, g in zip(ps, gs)])
        for ps, gs in zip(pred, gt)
    ])


def naive_procrustes(source, target):
    """``s R source + t`` closest to ``target``, one (K, 3) pair at a time
    (Umeyama 1991, written as in SPIN's ``compute_similarity_transform``:
    points as columns, ``R = V Z U^T``)."""
    src, tgt = source.T, target.T  # (3, K)
    mu_src = src.mean(1, keepdims=True)
    mu_tgt = tgt.mean(1, keepdims=True)
    x, y = src - mu_src, tgt - mu_tgt
    u, _, vh = np.linalg.svd(x @ y.T)
    z = np.eye(3)
    z[2, 2] = np.sign(np.linalg.det(u @ vh))
    rot = vh.T @ z @ u.T
    scale = np.trace(rot @ x @ y.T) / np.sum(x**2)
    trans = mu_tgt - scale * rot @ mu_src
    return (scale * rot @ src + trans).T


def naive_pa_mpjpe(pred, gt):
    return np.array(
        [naive_mpjpe([naive_procrustes(p, g)], [g]) for p, g in zip(pred, gt)])


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


def test_pa_mpjpe_against_naive_procrustes():
    rng = np.random.default_rng(2)
    gt = rng.normal(size=(5, 14, 3))
    rots = Rotation.random(5, random_state=3).as_matrix()
    # another scale, a rotation, a shift and noise: pred and gt do not
    # play symmetric roles, so swapped arguments give another number
    pred = 0.4 * np.einsum('bij,bkj->bki', rots, gt) + rng.normal(
        scale=0.1, size=gt.shape) + [1., 2., -3.]
    expected = naive_pa_mpjpe(pred, gt)
    np.testing.assert_allclose(pa_mpjpe(pred, gt), expected, rtol=1e-9)
    swapped = naive_pa_mpjpe(gt, pred)
    assert (np.abs(swapped - expected) > 0.1 * expected).all()
    # a mirror image is not a rotation: no perfect alignment
    mirrored = gt * [-1., 1., 1.]
    expected = naive_pa_mpjpe(mirrored, gt)
    assert (expected > 0.3).all()
    np.testing.assert_allclose(pa_mpjpe(mirrored, gt), expected, rtol=1e-9)


def test_pa_mpjpe_hand_values():
    # a plus sign in the xy plane; R_z(90 deg), scale 2, shift 3 along z
    gt = np.array([[[1., 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]]])
    rot_z = np.array([[0., -1, 0], [1, 0, 0], [0, 0, 1]])
    pred = 2. * gt @ rot_z.T + [0., 0., 3.]
    # each joint: 2 R g is orthogonal to g, so |2 R g + t - g|^2 = 4 + 1 + 9
    np.testing.assert_allclose(mpjpe(pred, gt), [np.sqrt(14.)])
    np.testing.assert_allclose(pa_mpjpe(pred, gt), [0.], atol=1e-12)
    # stretched along x: by symmetry R = I, t = 0 and the scale is
    # sum <p, g> / sum |p|^2 = 6 / 10; aligned x joints are 0.2 off, the
    # y joints 0.4 off
    stretched = np.array([[[2., 0, 0], [-2, 0, 0], [0, 1, 0], [0, -1, 0]]])
    np.testing.assert_allclose(mpjpe(stretched, gt), [0.5])
    np.testing.assert_allclose(pa_mpjpe(stretched, gt), [0.3], atol=1e-12)
    # aligning gt to the stretched copy instead (scale 6 / 4) gives 0.5
    np.testing.assert_allclose(pa_mpjpe(gt, stretched), [0.5], atol=1e-12)
    # moving the prediction rigidly changes nothing
    moved = stretched @ rot_z.T + [5., -1., 2.]
    np.testing.assert_allclose(pa_mpjpe(moved, gt), [0.3], atol=1e-12)


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
        np.testing.assert_allclose(out['pa_mpjpe'][b],
                                   naive_pa_mpjpe([pj], [gj])[0] * 1000)
        assert out['pa_mpjpe'][b] < out['mpjpe'][b]
