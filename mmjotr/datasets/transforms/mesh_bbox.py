# Copyright (c) mmjotr contributors. All rights reserved.
"""The square person box that the crop is taken from."""
from typing import Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmjotr.registry import TRANSFORMS
from ..bbox_utils import keypoints_bbox, sanitize_bbox_xywh, square_bbox
from .keypoint_utils import input_keypoints_jotr30


@TRANSFORMS.register_module()
class GetMeshBBox(BaseTransform):
    """Compute the square crop box ``bbox_crop`` (xyxy, image pixels).

    Training (``test_mode=False``): the tight box (already clipped to the
    image) made square and enlarged by a factor drawn from
    ``U(enlarge_range)``. Testing: the box of the valid 2D input keypoints
    enlarged ``keypoint_extend`` times, clipped to the image, made square and
    enlarged ``test_scale`` times; when fewer than two input keypoints are
    valid, the tight box made square and enlarged ``fallback_scale`` times
    (``bbox_source`` says which was used).

    Required keys: ``bbox``; ``img_shape`` and ``input_keypoints`` (test).
    Added keys: ``bbox_crop``, ``bbox_source``.

    Args:
        test_mode (bool): use the test-time rule.
        enlarge_range (tuple[float, float]): training enlargement range.
        keypoint_extend (float): enlargement of the keypoint box.
        test_scale (float): enlargement of the square test box.
        fallback_scale (float): enlargement of the tight-box fallback.
    """

    def __init__(self,
                 test_mode: bool = False,
                 enlarge_range: Tuple[float, float] = (1.0, 1.2),
                 keypoint_extend: float = 1.2,
                 test_scale: float = 1.1,
                 fallback_scale: float = 1.25) -> None:
        self.test_mode = test_mode
        self.enlarge_range = tuple(enlarge_range)
        self.keypoint_extend = keypoint_extend
        self.test_scale = test_scale
        self.fallback_scale = fallback_scale

    def _keypoint_box(self, results: dict) -> Optional[np.ndarray]:
        inputs = input_keypoints_jotr30(results)
        if inputs is None:
            return None
        box = keypoints_bbox(*inputs, extend=self.keypoint_extend)
        if box is None:
            return None
        h, w = results['img_shape'][:2]
        return sanitize_bbox_xywh(
            (box[0], box[1], box[2] - box[0], box[3] - box[1]), w, h)

    def transform(self, results: dict) -> dict:
        bbox = results.get('bbox')
        if bbox is None:
            raise KeyError(f'GetMeshBBox: sample {results.get("img_path")} '
                           'has no "bbox"')
        if not self.test_mode:
            scale = np.random.uniform(*self.enlarge_range)
            results['bbox_crop'] = square_bbox(bbox, scale)
            results['bbox_source'] = 'annotation'
            return results
        box = self._keypoint_box(results)
        if box is None:
            results['bbox_crop'] = square_bbox(bbox, self.fallback_scale)
            results['bbox_source'] = 'annotation'
        else:
            results['bbox_crop'] = square_bbox(box, self.test_scale)
            results['bbox_source'] = 'keypoints'
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(test_mode={self.test_mode}, '
                f'enlarge_range={self.enlarge_range})')
