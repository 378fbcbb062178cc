# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from mmjotr.geometry import similarity_procrustes, similarity_procrustes_np


def _known_similarity(batch: int = 8, joints: int = 14, seed: int = 0):
    rng = np.random.default_rng(seed)
    pred = rng.normal(size=(batch, joints, 3))
    rot = Rotation.random(batch, random_state=seed).as_matrix()
    scale = rng.uniform(0.5, 2.0, batch)
    transl = rng.normal(size=(batch, 3))
    gt = scale[:, None, None] * np.einsum('bij,bkj->bki', rot, pred)
    return pred, gt + transl[:, None]


def test_recovers_known_similarity_exactly():
    pred, gt = _known_similarity()
    np.testing.assert_allclose(
        similarity_procrustes_np(pred, gt), gt, atol=1e-10)
    aligned = similarity_procrustes(
        torch.from_numpy(pred), torch.from_numpy(gt))
    np.testing.assert_allclose(aligned.numpy(), gt, atol=1e-10)
    aligned32 = similarity_procrustes(
        torch.from_numpy(pred).float(),
        torch.from_numpy(gt).float())
    np.testing.assert_allclose(aligned32.numpy(), gt, atol=1e-4)


def test_noisy_alignment_agrees_and_is_optimal():
    pred, gt = _known_similarity(seed=3)
    rng = np.random.default_rng(4)
    gt = gt + rng.normal(scale=0.2, size=gt.shape)
    aligned_np = similarity_procrustes_np(pred, gt)
    aligned = similarity_procrustes(
        torch.from_numpy(pred), torch.from_numpy(gt)).numpy()
    np.testing.assert_allclose(aligned, aligned_np, atol=1e-8)
    # Perturbing the optimal transform never lowers the residual.
    residual = ((aligned_np - gt)**2).sum()
    for _ in range(20):
        delta = Rotation.from_rotvec(rng.normal(scale=0.05, size=3))
        centre = aligned_np.mean(axis=1, keepdims=True)
        moved = (aligned_np - centre) @ delta.as_matrix().T * 1.01 + centre
        assert ((moved - gt)**2).sum() > residual


def test_reflection_is_not_used():
    pred, _ = _known_similarity(batch=1)
    mirrored = pred * np.array([-1.0, 1.0, 1.0])
    aligned = similarity_procrustes_np(pred, mirrored)
    # The best proper rotation cannot reproduce a mirror image.
    assert np.abs(aligned - mirrored).max() > 0.1
    centred = aligned - aligned.mean(axis=1, keepdims=True)
    src = pred - pred.mean(axis=1, keepdims=True)
    rot, *_ = np.linalg.lstsq(src[0], centred[0], rcond=None)
    assert np.linalg.det(rot) > 0
    torch_aligned = similarity_procrustes(
        torch.from_numpy(pred), torch.from_numpy(mirrored)).numpy()
    np.testing.assert_allclose(torch_aligned, aligned, atol=1e-8)


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match='similarity_procrustes_np'):
        similarity_procrustes_np(np.zeros((2, 5, 3)), np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match='similarity_procrustes'):
        similarity_procrustes(torch.zeros(2, 5, 2), torch.zeros(2, 5, 2))
