# Copyright (c) mmjotr contributors. All rights reserved.
"""Per-joint visibility and occlusion ratio from a z-buffer rendering."""
from typing import Tuple

import numpy as np

from mmjotr.visualization import RenderOutput

__all__ = ['joint_visibility', 'occlusion_ratio']

#: COCO's visibility flags: outside / labelled but hidden / visible.
OUTSIDE, HIDDEN, VISIBLE = 0, 1, 2


def joint_visibility(joints_cam: np.ndarray, joints_px: np.ndarray,
                     render: RenderOutput, instance: int) -> np.ndarray:
    """COCO-style visibility of a person's joints in a rendered scene.

    A joint is *hidden* when the surface seen at its pixel belongs to
    another mesh (an occluder or another person) that lies in front of the
    joint; a joint covered by its own body (self-occlusion) or by nothing
    counts as *visible*, as annotators mark joints they can locate.

    Note:
        - K: joints
        - H, W: image size

    Args:
        joints_cam (ndarray[K, 3]): camera-frame joints, metres.
        joints_px (ndarray[K, 2]): their pixel coordinates.
        render (RenderOutput): the rendering of the whole scene.
        instance (int): the person's index in the rendered mesh list.

    Returns:
        ndarray[K]: int, ``0`` outside the image, ``1`` hidden by another
        mesh, ``2`` visible.
    """
    height, width = render.depth.shape
    px = np.round(joints_px).astype(np.int64)  # pixel centres are integers
    inside = ((px[:, 0] >= 0) & (px[:, 0] < width) & (px[:, 1] >= 0) &
              (px[:, 1] < height) & (joints_cam[:, 2] > 0))
    flags = np.full(len(joints_cam), OUTSIDE, np.int64)
    u, v = px[inside, 0], px[inside, 1]
    seen = render.instance_id[v, u]
    in_front = render.depth[v, u] < joints_cam[inside, 2]
    hidden = (seen >= 0) & (seen != instance) & in_front
    flags[inside] = np.where(hidden, HIDDEN, VISIBLE)
    return flags


def occlusion_ratio(solo: RenderOutput, scene: RenderOutput,
                    instance: int) -> Tuple[float, int]:
    """The share of a person's silhouette that other meshes cover.

    Args:
        solo (RenderOutput): the person rendered alone (any instance index).
        scene (RenderOutput): the whole scene, same camera.
        instance (int): the person's index in the scene's mesh list.

    Returns:
        tuple: ratio in [0, 1] (0 for an empty silhouette) and the
        silhouette's pixel count.
    """
    silhouette = solo.mask
    area = int(silhouette.sum())
    if area == 0:
        return 0., 0
    kept = int((scene.instance_id[silhouette] == instance).sum())
    return 1. - kept / area, area
