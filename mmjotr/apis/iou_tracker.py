# Copyright (c) mmjotr contributors. All rights reserved.
"""Person identities across video frames from their boxes.

mmpose's inferencer tracks greedily by IoU or OKS (``mmpose.apis``
``_track_by_iou``), which swaps identities when two persons cross; this
tracker solves one assignment per frame (Hungarian, scipy) between the
detections and the tracks' boxes predicted with a constant velocity, so
that two overlapping persons keep their ids while they move past each
other.
"""
from typing import Dict

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ['IoUTracker', 'box_iou_matrix']


def box_iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every pair of xyxy boxes, ``(N, 4) x (M, 4) -> (N, M)``."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])  # (N, M, 2)
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area_a = (a[:, 2:] - a[:, :2]).clip(0).prod(-1)
    area_b = (b[:, 2:] - b[:, :2]).clip(0).prod(-1)
    return inter / np.maximum(area_a[:, None] + area_b[None] - inter, 1e-9)


class IoUTracker:
    """Assign track ids to per-frame boxes.

    Each track keeps its last box and velocity (box change per frame,
    smoothed); a frame's detections are matched to the tracks' predicted
    boxes by maximum total IoU (``scipy.optimize.linear_sum_assignment``),
    keeping matches with IoU >= ``iou_thr``. Unmatched detections start new
    tracks; tracks unmatched for more than ``max_age`` frames end.

    Args:
        iou_thr (float): least IoU of a match. Defaults to 0.3.
        max_age (int): frames a lost track is kept. Defaults to 5.
        velocity_momentum (float): weight of the previous velocity when
            updating it. Defaults to 0.5.
    """

    def __init__(self,
                 iou_thr: float = 0.3,
                 max_age: int = 5,
                 velocity_momentum: float = 0.5) -> None:
        self.iou_thr = float(iou_thr)
        self.max_age = int(max_age)
        self.momentum = float(velocity_momentum)
        self.reset()

    def reset(self) -> None:
        """Forget all tracks (a new video)."""
        self._tracks: Dict[int, dict] = {}
        self._next_id = 0

    def update(self, bboxes: np.ndarray) -> np.ndarray:
        """Track one frame.

        Args:
            bboxes (ndarray[N, 4]): this frame's boxes, xyxy.

        Returns:
            ndarray[N]: int64 track id of each box.
        """
        bboxes = np.asarray(bboxes, np.float64).reshape(-1, 4)
        ids = np.full(len(bboxes), -1, np.int64)
        track_ids = list(self._tracks)
        if track_ids and len(bboxes):
            predicted = np.stack([
                self._tracks[t]['box'] + self._tracks[t]['velocity'] *
                (self._tracks[t]['age'] + 1) for t in track_ids
            ])
            iou = box_iou_matrix(bboxes, predicted)
            rows, cols = linear_sum_assignment(-iou)
            for r, c in zip(rows, cols):
                if iou[r, c] >= self.iou_thr:
                    ids[r] = track_ids[c]
        for t in track_ids:
            if t not in ids:
                self._tracks[t]['age'] += 1
                if self._tracks[t]['age'] > self.max_age:
                    del self._tracks[t]
        for i, box in enumerate(bboxes):
            if ids[i] < 0:
                ids[i] = self._next_id
                self._next_id += 1
                self._tracks[ids[i]] = dict(
                    box=box, velocity=np.zeros(4), age=0)
                continue
            track = self._tracks[ids[i]]
            step = (box - track['box']) / (track['age'] + 1)
            track['velocity'] = (
                self.momentum * track['velocity'] + (1 - self.momentum) * step)
            track['box'] = box
            track['age'] = 0
        return ids
