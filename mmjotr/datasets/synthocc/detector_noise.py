# Copyright (c) mmjotr contributors. All rights reserved.
"""The fixed 2D-pose inputs of the SynthOcc test splits.

A real 2D detector is accurate on visible joints and guesses on hidden
ones: it drops some, misplaces the others by more, gives them low scores,
and in crowds often reports the joint of the person in front. These
inputs model that, so their error grows with occlusion.
"""
from typing import Optional

import numpy as np

from .visibility import HIDDEN, VISIBLE

__all__ = ['DetectorNoise']


class DetectorNoise:
    """Noisy COCO-17 detections from ground-truth keypoints.

    Offsets are Gaussian with a standard deviation proportional to the
    person's box size ``max(w, h)``: ``visible_sigma`` for visible joints,
    ``hidden_sigma`` for hidden ones. A hidden joint is dropped (score 0)
    with ``hidden_drop_prob``, and, when the occluding person's joint is
    given and inside the image, replaced by it (a swap) with
    ``swap_prob``. Scores: U(0.6, 0.95) visible, U(0.1, 0.5) hidden; joints
    outside the image get score 0.

    Args:
        visible_sigma (float): relative offset of visible joints.
        hidden_sigma (float): relative offset of hidden joints.
        hidden_drop_prob (float): chance to drop a hidden joint.
        swap_prob (float): chance that a hidden joint takes the occluding
            person's position.
    """

    def __init__(self,
                 visible_sigma: float = 0.015,
                 hidden_sigma: float = 0.08,
                 hidden_drop_prob: float = 0.25,
                 swap_prob: float = 0.3) -> None:
        self.visible_sigma = visible_sigma
        self.hidden_sigma = hidden_sigma
        self.hidden_drop_prob = hidden_drop_prob
        self.swap_prob = swap_prob

    def __call__(self,
                 rng: np.random.Generator,
                 keypoints: np.ndarray,
                 box_size: float,
                 occluder_keypoints: Optional[np.ndarray] = None
                 ) -> np.ndarray:
        """Detections of one person.

        Note:
            - K: joints (17, COCO order)

        Args:
            rng (np.random.Generator): random source.
            keypoints (ndarray[K, 3]): ground truth x, y, COCO visibility.
            box_size (float): person box size in pixels.
            occluder_keypoints (ndarray[K, 3], optional): ground truth of
                the person in front (for swaps).

        Returns:
            ndarray[K, 3]: x, y, score.
        """
        num = len(keypoints)
        vis = keypoints[:, 2]
        out = np.zeros((num, 3))
        # fixed draw order (one of each per joint) keeps the inputs stable
        # when only the probabilities change
        noise = rng.normal(size=(num, 2))
        drop, swap = rng.random(num), rng.random(num)
        score_vis = rng.uniform(0.6, 0.95, num)
        score_hid = rng.uniform(0.1, 0.5, num)
        visible, hidden = vis == VISIBLE, vis == HIDDEN
        sigma = np.where(hidden, self.hidden_sigma, self.visible_sigma)
        out[:, :2] = keypoints[:, :2] + noise * (sigma * box_size)[:, None]
        out[:, 2] = np.where(visible, score_vis,
                             np.where(hidden, score_hid, 0.))
        if occluder_keypoints is not None:
            can_swap = hidden & (occluder_keypoints[:, 2] > 0) & (
                swap < self.swap_prob)
            out[can_swap, :2] = occluder_keypoints[
                can_swap, :2] + noise[can_swap] * self.visible_sigma * box_size
        dropped = hidden & (drop < self.hidden_drop_prob)
        out[dropped] = 0.
        return out
