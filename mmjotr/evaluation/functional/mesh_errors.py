# Copyright (c) mmjotr contributors. All rights reserved.
"""Per-sample mesh and joint errors (numpy, metres in, metres out)."""
from typing import Optional, Sequence

import numpy as np

from mmjotr.geometry import similarity_procrustes_np


def centre_at(points: np.ndarray, root: np.ndarray) -> np.ndarray:
    """Subtract a per-sample root: (B, K, 3) - (B, 3) → (B, K, 3)."""
    return points - root[:, None, :]


def regress_joints(vertices: np.ndarray, regressor: np.ndarray) -> np.ndarray:
    """Joints from meshes: (B, V, 3) with (J, V) → (B, J, 3)."""
    return np.einsum('jv,bvc->bjc', regressor, vertices)


def mpjpe(pred: np.ndarray,
          gt: np.ndarray,
          weights: Optional[np.ndarray] = None) -> np.ndarray:
    """Mean per-joint position error of each sample.

    Args:
        pred (np.ndarray): (B, K, 3) joints.
        gt (np.ndarray): (B, K, 3) joints.
        weights (np.ndarray, optional): (B, K) per-joint weights; the
            weighted errors are summed and divided by K (not by the weight
            sum), as in the Panoptic protocol of Jiang et al.

    Returns:
        np.ndarray: (B,) errors in the input unit.
    """
    err = np.linalg.norm(pred - gt, axis=-1)  # (B, K)
    if weights is not None:
        err = err * weights
    return err.mean(-1)


def pa_mpjpe(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """MPJPE after a similarity Procrustes alignment of ``pred`` to ``gt``.

    Args:
        pred (np.ndarray): (B, K, 3) joints.
        gt (np.ndarray): (B, K, 3) joints.

    Returns:
        np.ndarray: (B,) errors in the input unit.
    """
    return mpjpe(similarity_procrustes_np(pred, gt), gt)


def pve(pred_vertices: np.ndarray, gt_vertices: np.ndarray) -> np.ndarray:
    """Mean per-vertex error of each sample: (B, V, 3) pairs → (B,)."""
    return np.linalg.norm(pred_vertices - gt_vertices, axis=-1).mean(-1)


def mesh_errors(pred_vertices: np.ndarray,
                gt_vertices: np.ndarray,
                h36m_regressor: np.ndarray,
                pelvis_regressor: np.ndarray,
                eval_indices: Sequence[int],
                root_index: int = 0) -> dict:
    """MPJPE, PA-MPJPE and PVE of mesh pairs, in millimetres.

    MPJPE / PA-MPJPE use the H36M joints regressed from both meshes,
    centred at the H36M pelvis (``root_index``), on ``eval_indices``; PVE
    centres both meshes at the SMPL pelvis (``pelvis_regressor`` @ mesh).

    Args:
        pred_vertices (np.ndarray): (B, V, 3) metres.
        gt_vertices (np.ndarray): (B, V, 3) metres.
        h36m_regressor (np.ndarray): (17, V).
        pelvis_regressor (np.ndarray): (V,) SMPL pelvis row.
        eval_indices (Sequence[int]): evaluated H36M joints (14).
        root_index (int): H36M pelvis index.

    Returns:
        dict: ``mpjpe``, ``pa_mpjpe``, ``pve`` arrays of shape (B,) in mm.
    """
    pred_j = regress_joints(pred_vertices, h36m_regressor)  # (B, 17, 3)
    gt_j = regress_joints(gt_vertices, h36m_regressor)
    idx = list(eval_indices)
    pred_j = centre_at(pred_j, pred_j[:, root_index])[:, idx]
    gt_j = centre_at(gt_j, gt_j[:, root_index])[:, idx]
    pred_v = centre_at(pred_vertices,
                       pred_vertices.transpose(0, 2, 1) @ pelvis_regressor)
    gt_v = centre_at(gt_vertices,
                     gt_vertices.transpose(0, 2, 1) @ pelvis_regressor)
    return dict(
        mpjpe=mpjpe(pred_j, gt_j) * 1000.,
        pa_mpjpe=pa_mpjpe(pred_j, gt_j) * 1000.,
        pve=pve(pred_v, gt_v) * 1000.)
