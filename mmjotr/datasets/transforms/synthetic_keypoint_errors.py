# Copyright (c) mmjotr contributors. All rights reserved.
"""PoseFix-style synthetic errors of the training 2D pose input."""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmjotr.registry import TRANSFORMS
from .keypoint_utils import joint_names

#: COCO keypoint sigmas (OKS), COCO-17 order.
COCO_SIGMAS = np.array([
    .26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87,
    .87, .89, .89
]) / 10.0
#: COCO-17 left/right partner of each joint (-1 for the nose).
COCO_PARTNER = (-1, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15)

GOOD, JITTER, MISS, INVERSION, SWAP, DROPPED, UNTOUCHED = 0, 1, 2, 3, 4, 5, -1
ERROR_NAMES = ('good', 'jitter', 'miss', 'inversion', 'swap', 'dropped')


def _groups(values: Sequence[float],
            groups: Sequence[Sequence[int]]) -> Tuple[float, ...]:
    """A 17-vector with ``values[g]`` at the COCO indices of group g."""
    out = [0.] * 17
    for value, group in zip(values, groups):
        for j in group:
            out[j] = value
    return tuple(out)


_NOSE_KNEE_ANKLE = (0, 13, 14, 15, 16)
_FACE_UPPER = tuple(range(1, 11))
_HIPS = (11, 12)
_FACE = tuple(range(5))
_SHOULDER_ANKLE = (5, 6, 15, 16)
_OTHER = (7, 8, 9, 10, 11, 12, 13, 14)
_UPPER = tuple(range(5, 11))
_LOWER = tuple(range(11, 17))

#: The reference release's per-joint probabilities (COCO-17 order).
DEFAULT_JITTER = dict(
    few=_groups((.15, .20, .25), (_NOSE_KNEE_ANKLE, _FACE_UPPER, _HIPS)),
    many=_groups((.10, .15, .20), (_NOSE_KNEE_ANKLE, _FACE_UPPER, _HIPS)))
DEFAULT_MISS = dict(
    very_few=_groups((.15, .20, .25), (_FACE, _SHOULDER_ANKLE, _OTHER)),
    few=_groups((.10, .13, .15), (_FACE, _SHOULDER_ANKLE, _OTHER)),
    many=_groups((.02, .05, .10), (_FACE, _SHOULDER_ANKLE, _OTHER)))
DEFAULT_INVERSION = _groups((.01, .03, .06), (_FACE, _UPPER, _LOWER))
DEFAULT_SWAP = dict(
    crowded=_groups((.02, .15, .10), (_FACE, _UPPER, _LOWER)),
    default=_groups((.01, .06, .03), (_FACE, _UPPER, _LOWER)))


@TRANSFORMS.register_module()
class SyntheticKeypointErrors(BaseTransform):
    """Corrupt the COCO-17 joints of ``keypoints_input`` like PoseFix.

    Each valid COCO joint becomes one of: *good* (within the OKS-0.85
    radius of its ground truth), *jitter* (between the 0.85 and 0.5
    radii), *miss* (between the 0.5 and 0.1 radii of any candidate),
    *inversion* (near its left/right partner), or *swap* (near the same or
    the partner joint of an overlapping person). Radii are
    ``sqrt(-2 * area * (2 * sigma)^2 * ln(ks))`` with the tight box area in
    heatmap pixels and the COCO sigmas; sampled points must stay further
    from the other candidates than their own radius (the reference's
    rejection rule). The probabilities depend on the joint, the number of
    valid joints (``few`` <= 10 < ``many``; miss also ``very_few`` <= 5)
    and the overlaps (``crowded``: <= 10 valid joints and >= 1 overlap, or
    <= 15 and >= 3); an error type that cannot be produced (no partner, no
    neighbour, every sample rejected) is dropped and the others
    renormalised. If none can, the joint is dropped (mask 0).

    Required keys: ``keypoints_input`` (30, 2), ``keypoints_input_mask``,
    ``joints_valid``, ``bbox_area_input``, ``near_keypoints_input``.
    Modified keys: ``keypoints_input``, ``keypoints_input_mask``.
    Added keys: ``keypoint_error_types`` (30,) int (see ``ERROR_NAMES``;
    -1 = untouched).

    Args:
        jitter_prob (dict): 17-vectors ``few`` and ``many``.
        miss_prob (dict): 17-vectors ``very_few``, ``few`` and ``many``.
        inversion_prob (Sequence[float]): 17-vector.
        swap_prob (dict): 17-vectors ``crowded`` and ``default``.
        num_samples (int): candidate points drawn per error type.
    """

    def __init__(self,
                 jitter_prob: Optional[Dict[str, Sequence[float]]] = None,
                 miss_prob: Optional[Dict[str, Sequence[float]]] = None,
                 inversion_prob: Optional[Sequence[float]] = None,
                 swap_prob: Optional[Dict[str, Sequence[float]]] = None,
                 num_samples: int = 64) -> None:
        self.jitter_prob = {
            k: np.asarray(v, float)
            for k, v in (jitter_prob or DEFAULT_JITTER).items()
        }
        self.miss_prob = {
            k: np.asarray(v, float)
            for k, v in (miss_prob or DEFAULT_MISS).items()
        }
        self.inversion_prob = np.asarray(
            DEFAULT_INVERSION if inversion_prob is None else inversion_prob,
            float)
        self.swap_prob = {
            k: np.asarray(v, float)
            for k, v in (swap_prob or DEFAULT_SWAP).items()
        }
        self.num_samples = num_samples
        total = (
            np.maximum(*self.jitter_prob.values()) +
            np.max(np.stack(list(self.miss_prob.values())), 0) +
            self.inversion_prob + np.maximum(*self.swap_prob.values()))
        if (total > 1 + 1e-9).any():
            raise ValueError(
                'SyntheticKeypointErrors: error probabilities '
                f'sum above 1 for COCO joints {np.nonzero(total > 1)[0]}')

    def probabilities(self, num_valid: int,
                      num_overlap: int) -> Dict[int, np.ndarray]:
        """17-vectors of each error type's probability for a person."""
        crowded = (num_valid <= 10
                   and num_overlap > 0) or (num_valid <= 15
                                            and num_overlap >= 3)
        miss = ('very_few'
                if num_valid <= 5 else 'few' if num_valid <= 10 else 'many')
        probs = {
            JITTER: self.jitter_prob['few' if num_valid <= 10 else 'many'],
            MISS: self.miss_prob[miss],
            INVERSION: self.inversion_prob,
            SWAP: self.swap_prob['crowded' if crowded else 'default'],
        }
        probs[GOOD] = 1. - sum(probs.values())
        return probs

    def _ring(self, centres: np.ndarray, r_lo: float,
              r_hi: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Points at U(r_lo, r_hi) around random ``centres``.

        Returns:
            tuple: (n, 2) points, (n,) radii, (n,) index of their centre.
        """
        n = self.num_samples
        pick = np.random.randint(len(centres), size=n)
        radius = np.random.uniform(r_lo, r_hi, n)
        angle = np.random.uniform(0., 2 * np.pi, n)
        pts = centres[pick] + radius[:, None] * np.stack(
            [np.cos(angle), np.sin(angle)], 1)
        return pts, radius, pick

    @staticmethod
    def _far(pts: np.ndarray, others: np.ndarray,
             radius: np.ndarray) -> np.ndarray:
        if len(others) == 0:
            return np.ones(len(pts), bool)
        dist = np.linalg.norm(pts[:, None] - others[None], axis=-1)
        return (dist > radius[:, None]).all(1)

    def _sample(self, kind: int, gt: np.ndarray, inv: np.ndarray,
                swap: np.ndarray, dist: Dict[float,
                                             float]) -> Optional[np.ndarray]:
        """One point for error ``kind`` or None when every draw fails."""
        if kind in (GOOD, JITTER):
            lo, hi = (0., dist[.85]) if kind == GOOD else (dist[.85], dist[.5])
            pts, radius, _ = self._ring(gt[None], lo, hi)
            ok = self._far(pts, np.concatenate([inv, swap]), radius)
        elif kind == MISS:
            # the ground truth is four times as likely a centre as others
            centres = np.concatenate([np.repeat(gt[None], 4, 0), inv, swap])
            pts, _, pick = self._ring(centres, dist[.5], dist[.1])
            own = np.maximum(pick - 3, 0)  # index into ``everyone``
            everyone = np.concatenate([gt[None], inv, swap])
            d = np.linalg.norm(pts[:, None] - everyone[None], axis=-1)
            d[np.arange(len(pts)), own] = np.inf
            ok = (d > dist[.5]).all(1)
        elif kind == INVERSION:
            pts, radius, _ = self._ring(inv, 0., dist[.5])
            ok = self._far(pts, np.concatenate([gt[None], swap]), radius)
        else:
            pts, radius, _ = self._ring(swap, 0., dist[.5])
            ok = self._far(pts, np.concatenate([gt[None], inv]), radius)
        if not ok.any():
            return None
        candidates = np.nonzero(ok)[0]
        return pts[candidates[np.random.randint(len(candidates))]]

    def transform(self, results: dict) -> dict:
        coco = [
            joint_names('jotr_30').index(n) for n in joint_names('coco_17')
        ]
        kpts = results['keypoints_input'].copy()
        mask = results['keypoints_input_mask'].copy()
        valid = results['joints_valid'][coco] > 0
        near = results['near_keypoints_input'][:, coco]  # (M, 17, 3)
        probs = self.probabilities(int(valid.sum()), len(near))
        area = max(float(results['bbox_area_input']), 1e-6)
        radii = {
            ks: np.sqrt(-2. * area * (2 * COCO_SIGMAS)**2 * np.log(ks))
            for ks in (.85, .5, .1)
        }
        errors = np.full(len(kpts), UNTOUCHED, np.int64)
        for j, k in enumerate(coco):
            if not valid[j]:
                continue
            partner = COCO_PARTNER[j]
            has_partner = partner >= 0 and valid[partner]
            inv = kpts[coco[partner]][None] if has_partner else np.zeros(
                (0, 2))
            swap = near[near[:, j, 2] > 0, j, :2]
            if partner >= 0:
                swap = np.concatenate(
                    [swap, near[near[:, partner, 2] > 0, partner, :2]])
            p = np.array([probs[t][j] for t in range(5)])
            p[INVERSION] *= has_partner
            p[SWAP] *= len(swap) > 0
            dist = {ks: r[j] for ks, r in radii.items()}
            point = None
            while point is None and p.sum() > 0:
                # draw an error type with probability p / p.sum()
                kind = int(
                    np.searchsorted(
                        np.cumsum(p), np.random.rand() * p.sum(),
                        side='right'))
                point = self._sample(kind, kpts[k], inv, swap, dist)
                p[kind] = 0.
            if point is None:
                errors[k], mask[k] = DROPPED, 0.
            else:
                errors[k], kpts[k] = kind, point
        results.update(
            keypoints_input=kpts.astype(np.float32),
            keypoints_input_mask=mask,
            keypoint_error_types=errors)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(num_samples={self.num_samples})'
