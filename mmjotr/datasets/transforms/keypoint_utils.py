# Copyright (c) mmjotr contributors. All rights reserved.
"""Joint-set conversion and flipping for the mesh pipeline (numpy)."""
from functools import lru_cache
from typing import Optional, Sequence, Tuple

import numpy as np

# Joints derived as the midpoint of two others when a set lacks them.
DERIVED_JOINTS = {
    'Pelvis': ('L_Hip', 'R_Hip'),
    'Neck': ('L_Shoulder', 'R_Shoulder'),
}


@lru_cache(maxsize=None)
def joint_names(joint_set: str) -> Tuple[str, ...]:
    """Joint names of a joint set (see mmjotr.body_models.joint_sets)."""
    from mmjotr.body_models import get_joint_set
    return tuple(get_joint_set(joint_set).joint_names)


@lru_cache(maxsize=None)
def flip_permutation(joint_set: str) -> np.ndarray:
    """Index array that swaps the left/right joints of a set."""
    from mmjotr.body_models import get_joint_set
    perm = np.arange(len(joint_names(joint_set)))
    for a, b in get_joint_set(joint_set).flip_pairs:
        perm[a], perm[b] = b, a
    return perm


@lru_cache(maxsize=None)
def _mapping(src: str, dst: str) -> Tuple[np.ndarray, np.ndarray]:
    """(dst indices, src indices) of the joints the two sets share."""
    src_names, dst_names = joint_names(src), joint_names(dst)
    pairs = [(d, src_names.index(n)) for d, n in enumerate(dst_names)
             if n in src_names]
    dst_idx, src_idx = zip(*pairs) if pairs else ((), ())
    return np.array(dst_idx, dtype=np.int64), np.array(src_idx, np.int64)


def to_joint_set(
    points: np.ndarray,
    weights: np.ndarray,
    src: str,
    dst: str = 'jotr_30',
    derive: Sequence[str] = ()
) -> Tuple[np.ndarray, np.ndarray]:
    """Re-order per-joint data from one joint set to another, by name.

    Joints that ``dst`` has and ``src`` lacks are zero with weight 0, except
    those named in ``derive`` (see ``DERIVED_JOINTS``), which become the
    midpoint of their two source joints with the product of their weights
    (as the reference adds the pelvis and neck).

    Args:
        points (np.ndarray): (K_src, D) coordinates.
        weights (np.ndarray): (K_src,) visibility or confidence.
        src (str): source joint set name.
        dst (str): target joint set name.
        derive (Sequence[str]): joints to derive when ``src`` lacks them.

    Returns:
        tuple: (K_dst, D) float32 points and (K_dst,) float32 weights.
    """
    dst_names = joint_names(dst)
    dst_idx, src_idx = _mapping(src, dst)
    out = np.zeros((len(dst_names), points.shape[-1]), np.float32)
    w_out = np.zeros(len(dst_names), np.float32)
    out[dst_idx] = points[src_idx]
    w_out[dst_idx] = weights[src_idx]
    src_names = joint_names(src)
    for name in derive:
        if name in src_names:
            continue
        a, b = (dst_names.index(n) for n in DERIVED_JOINTS[name])
        k = dst_names.index(name)
        out[k] = (out[a] + out[b]) / 2.
        w_out[k] = w_out[a] * w_out[b]
    return out, w_out


def flip_joints(array: np.ndarray, joint_set: str = 'jotr_30') -> np.ndarray:
    """Swap left/right joints along axis 0 (a copy)."""
    return array[flip_permutation(joint_set)]


def input_keypoints_jotr30(results: dict
                           ) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """The test-time 2D pose input in JOTR-30 image pixels.

    Args:
        results (dict): a record with ``input_keypoints`` (K, 3),
            ``input_joint_set``, ``input_score_thr``, ``derive_joints``.

    Returns:
        tuple | None: (30, 2) pixels and (30,) float32 validity
        (confidence > threshold), or None when the record has no input.
    """
    kpts = results.get('input_keypoints')
    if kpts is None:
        return None
    pts, score = to_joint_set(kpts[:, :2], kpts[:, 2],
                              results['input_joint_set'], 'jotr_30',
                              results.get('derive_joints', ()))
    valid = (score > results.get('input_score_thr', 0.)).astype(np.float32)
    return pts, valid
