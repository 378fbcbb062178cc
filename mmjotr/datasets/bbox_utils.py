# Copyright (c) mmjotr contributors. All rights reserved.
"""Person-box helpers shared by the adapters and the transforms."""
from typing import Optional, Sequence

import numpy as np


def sanitize_bbox_xywh(bbox: Sequence[float], img_w: float,
                       img_h: float) -> Optional[np.ndarray]:
    """Clip an xywh box to the image and return it as xyxy.

    The box keeps the reference convention: its far corner is
    ``min(img - 1, x1 + max(0, w - 1))``.

    Args:
        bbox (Sequence[float]): x, y, w, h in pixels.
        img_w (float): image width.
        img_h (float): image height.

    Returns:
        np.ndarray | None: float32 (4,) xyxy, or None for an empty box
        (zero or negative area, or outside the image, or non-finite).
    """
    x, y, w, h = (float(v) for v in bbox)
    if not np.isfinite([x, y, w, h]).all() or w <= 0 or h <= 0:
        return None
    x1, y1 = max(0., x), max(0., y)
    x2 = min(img_w - 1., x1 + max(0., w - 1.))
    y2 = min(img_h - 1., y1 + max(0., h - 1.))
    if x2 <= x1 or y2 <= y1:
        return None
    return np.array([x1, y1, x2, y2], dtype=np.float32)


def square_bbox(bbox_xyxy: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """The square box around ``bbox_xyxy``'s centre, side × ``scale``.

    Args:
        bbox_xyxy (np.ndarray): (4,) box.
        scale (float): enlargement of the longer side.

    Returns:
        np.ndarray: float32 (4,) square xyxy box.
    """
    x1, y1, x2, y2 = bbox_xyxy
    cx, cy = (x1 + x2) / 2., (y1 + y2) / 2.
    half = max(x2 - x1, y2 - y1) * scale / 2.
    return np.array([cx - half, cy - half, cx + half, cy + half],
                    dtype=np.float32)


def keypoints_bbox(keypoints: np.ndarray,
                   valid: np.ndarray,
                   extend: float = 1.2) -> Optional[np.ndarray]:
    """The box of the valid keypoints, both sides × ``extend``.

    Args:
        keypoints (np.ndarray): (K, 2) pixels.
        valid (np.ndarray): (K,) truthy where a keypoint counts.
        extend (float): enlargement about the box centre.

    Returns:
        np.ndarray | None: float32 (4,) xyxy, None with < 2 distinct
        valid keypoints.
    """
    pts = keypoints[np.asarray(valid, dtype=bool)]
    if len(pts) < 2:
        return None
    lo, hi = pts.min(0), pts.max(0)
    if (hi - lo).min() <= 0:
        return None
    centre, half = (lo + hi) / 2., (hi - lo) * extend / 2.
    return np.concatenate([centre - half, centre + half]).astype(np.float32)


def bbox_iou_xyxy(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """IoU of one xyxy box with (M, 4) boxes → (M,)."""
    others = np.asarray(others, dtype=np.float32).reshape(-1, 4)
    lt = np.maximum(box[:2], others[:, :2])
    rb = np.minimum(box[2:], others[:, 2:])
    inter = np.clip(rb - lt, 0, None).prod(1)
    area = (box[2:] - box[:2]).prod()
    areas = (others[:, 2:] - others[:, :2]).prod(1)
    return inter / np.maximum(area + areas - inter, 1e-9)


def overlapping_people(index: int,
                       boxes: np.ndarray,
                       iou_thr: float = 0.1) -> np.ndarray:
    """Indices of the other boxes whose IoU with ``boxes[index]`` >= thr.

    Args:
        index (int): the person of interest.
        boxes (np.ndarray): (M, 4) xyxy boxes of all people in the image.
        iou_thr (float): overlap threshold (0.1 in the reference).

    Returns:
        np.ndarray: int64 indices, ``index`` excluded.
    """
    iou = bbox_iou_xyxy(boxes[index], boxes)
    iou[index] = -1.
    return np.nonzero(iou >= iou_thr)[0]
