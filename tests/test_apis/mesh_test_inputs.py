# Copyright (c) mmjotr contributors. All rights reserved.
"""Inputs of the inference tests: a smooth synthetic image and COCO-17
poses (imported by the tests of this folder)."""
import os.path as osp

import cv2
import numpy as np

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TINY_CONFIG = osp.join(ROOT, 'configs', 'jotr',
                       'jotr_tiny_1xb4_standin-256x256.py')

#: A standing person's COCO-17 keypoints in a unit box (x right, y down).
COCO_TEMPLATE = np.array([[.50, .08], [.53, .06], [.47, .06], [.56, .08],
                          [.44, .08], [.64, .22], [.36, .22], [.70, .38],
                          [.30, .38], [.72, .52], [.28, .52], [.58, .55],
                          [.42, .55], [.60, .76], [.40, .76], [.60, .96],
                          [.40, .96]])


def smooth_image(height, width, seed=0):
    """uint8 BGR noise blurred to a few-pixel scale (resampling-stable)."""
    rng = np.random.default_rng(seed)
    img = rng.uniform(0, 255, (height, width, 3)).astype(np.float32)
    img = cv2.GaussianBlur(img, (0, 0), 6)
    img = (img - img.min()) / (img.max() - img.min()) * 255
    return img.astype(np.uint8)


def person(x1, y1, width, height):
    """Box (xyxy) and COCO-17 keypoints of a person in that box."""
    kpts = COCO_TEMPLATE * [width, height] + [x1, y1]
    return np.array([x1, y1, x1 + width, y1 + height], np.float32), kpts
