# Copyright (c) mmjotr contributors. All rights reserved.
"""Similarity Procrustes alignment (scale, rotation, translation).

The torch version uses roma's Umeyama solver (``rigid_points_registration``
with scaling; batched, differentiable, reflection-safe). The numpy version
serves the metrics, which run on numpy arrays, with the same closed form.
"""
import numpy as np
import roma
from torch import Tensor

__all__ = ['similarity_procrustes', 'similarity_procrustes_np']


def _check_pair(pred_shape: tuple, gt_shape: tuple, name: str) -> None:
    if len(pred_shape) < 2 or pred_shape[-1] != 3 or pred_shape != gt_shape:
        raise ValueError(f'{name}: pred and gt must both be (..., K, 3), got '
                         f'{pred_shape} and {gt_shape}')


def similarity_procrustes(pred: Tensor, gt: Tensor) -> Tensor:
    """Align ``pred`` to ``gt`` with the best similarity transform.

    Finds ``s, R, t`` minimising ``sum_k |s R pred_k + t - gt_k|^2`` with
    ``R`` a proper rotation (Umeyama, 1991) and returns the aligned points.

    Note:
        - B: batch size (any leading dimensions)
        - K: number of points

    Args:
        pred (Tensor[B, K, 3]): points to align.
        gt (Tensor[B, K, 3]): target points.

    Returns:
        Tensor[B, K, 3]: ``s R pred + t``.
    """
    _check_pair(tuple(pred.shape), tuple(gt.shape), 'similarity_procrustes')
    rot, transl, scale = roma.rigid_points_registration(
        pred, gt, compute_scaling=True)
    aligned = (pred @ rot.transpose(-1, -2)) * scale[..., None, None]
    return aligned + transl[..., None, :]  # (B, K, 3)


def similarity_procrustes_np(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Numpy version of :func:`similarity_procrustes`.

    Args:
        pred (ndarray[..., K, 3]): points to align.
        gt (ndarray[..., K, 3]): target points.

    Returns:
        ndarray[..., K, 3]: ``s R pred + t``, float64.
    """
    _check_pair(pred.shape, gt.shape, 'similarity_procrustes_np')
    pred = np.asarray(pred, dtype=np.float64)
    gt = np.asarray(gt, dtype=np.float64)
    mu_pred = pred.mean(axis=-2, keepdims=True)  # (..., 1, 3)
    mu_gt = gt.mean(axis=-2, keepdims=True)
    x = pred - mu_pred
    y = gt - mu_gt
    var_x = (x**2).sum(axis=(-2, -1))  # (..., )
    cov = np.swapaxes(y, -1, -2) @ x  # (..., 3, 3) = sum_k y_k x_k^T
    u, sigma, vt = np.linalg.svd(cov)
    # Flip the weakest axis when U V^T is a reflection, so R is proper.
    det = np.sign(np.linalg.det(u @ vt))
    det = np.where(det == 0, 1.0, det)
    d = np.ones(sigma.shape)
    d[..., -1] = det
    rot = (u * d[..., None, :]) @ vt  # (..., 3, 3)
    scale = (sigma * d).sum(axis=-1) / np.maximum(var_x, 1e-12)
    aligned = scale[..., None, None] * (x @ np.swapaxes(rot, -1, -2))
    return aligned + mu_gt
