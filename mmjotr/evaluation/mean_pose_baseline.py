# Copyright (c) mmjotr contributors. All rights reserved.
"""The mean-pose baseline: one constant mesh for every test person."""
from typing import Dict, Sequence, Tuple

import numpy as np
from mmengine.evaluator import BaseMetric
from scipy.spatial.transform import Rotation

__all__ = ['mean_smpl_params', 'evaluate_constant_mesh']


def mean_smpl_params(poses: np.ndarray,
                     betas: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The mean SMPL pose and shape of a set of people.

    Each joint's rotation (the root's included) is the chordal L2 mean:
    the average rotation matrix projected back onto SO(3) (SVD); the shape
    is the arithmetic mean.

    Note:
        - N: people

    Args:
        poses (ndarray[N, 72]): axis-angle poses.
        betas (ndarray[N, 10]): shapes.

    Returns:
        tuple: pose (72,) and betas (10,), float32.
    """
    poses = np.asarray(poses, np.float64).reshape(len(poses), 24, 3)
    mats = Rotation.from_rotvec(poses.reshape(-1, 3)).as_matrix()
    mean = mats.reshape(len(poses), 24, 3, 3).mean(0)  # (24, 3, 3)
    u, _, vt = np.linalg.svd(mean)
    fix = np.sign(np.linalg.det(u @ vt))  # keep det +1
    u[:, :, -1] *= fix[:, None]
    rot = u @ vt
    pose = Rotation.from_matrix(rot).as_rotvec().reshape(72)
    return pose.astype(np.float32), np.asarray(betas).mean(0).astype(
        np.float32)


def evaluate_constant_mesh(metric: BaseMetric,
                           vertices: np.ndarray,
                           records: Sequence[dict],
                           batch_size: int = 64) -> Dict[str, float]:
    """Evaluate one mesh predicted for every record with a mesh metric.

    Args:
        metric (BaseMetric): e.g. ``MeshMetric`` (its ``process`` reads
            ``pred_instances.vertices``, ``gt_smpl_pose``,
            ``gt_smpl_betas`` and ``gender`` of each sample).
        vertices (ndarray[V, 3]): the constant prediction.
        records (Sequence[dict]): dataset records (``smpl_pose``,
            ``smpl_betas``, ``smpl_gender``).
        batch_size (int): samples per ``process`` call.

    Returns:
        dict: the metric's results (prefixed keys).
    """
    pred = np.asarray(vertices, np.float32)[None]  # (1, V, 3)
    samples = [
        dict(
            pred_instances=dict(vertices=pred),
            gt_smpl_pose=np.asarray(r['smpl_pose'], np.float32),
            gt_smpl_betas=np.asarray(r['smpl_betas'], np.float32),
            gender=r.get('smpl_gender', 'neutral'),
            sample_idx=i,
            img_path=r.get('img_path', '')) for i, r in enumerate(records)
    ]
    for start in range(0, len(samples), batch_size):
        metric.process({}, samples[start:start + batch_size])
    return metric.evaluate(len(samples))
