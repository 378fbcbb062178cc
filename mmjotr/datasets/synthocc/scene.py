# Copyright (c) mmjotr contributors. All rights reserved.
"""Sampling of SynthOcc scenes: people, camera placement and occluders."""
from dataclasses import dataclass
from typing import Optional, Tuple

import cv2
import numpy as np
from scipy.spatial.transform import Rotation

from mmjotr.body_models.standin import sample_body_poses
from .procedural import box_mesh, cylinder_mesh, ellipsoid_mesh

__all__ = [
    'Person', 'Occluder', 'sample_person_params', 'place_root',
    'sample_occluder', 'coarse_mask', 'OCCLUDER_KINDS'
]

OCCLUDER_KINDS = ('box', 'pole', 'bar', 'ball', 'table')
#: JOTR-30 joints an object occluder is aimed at (pelvis, knees, ankles,
#: chest, head, shoulders, elbows, wrists).
OCCLUDER_TARGETS = (0, 4, 5, 7, 8, 9, 15, 16, 17, 18, 19, 20, 21)


@dataclass
class Person:
    """One posed body in the camera frame.

    Attributes:
        pose (ndarray[72]): SMPL axis-angle pose, root first.
        betas (ndarray[10]): shape.
        transl (ndarray[3]): translation, metres.
        vertices (ndarray[V, 3]): camera-frame vertices.
        joints (ndarray[30, 3]): camera-frame JOTR-30 joints.
        colors (ndarray[V, 3]): per-vertex RGB.
    """
    pose: np.ndarray
    betas: np.ndarray
    transl: np.ndarray
    vertices: np.ndarray
    joints: np.ndarray
    colors: np.ndarray


@dataclass
class Occluder:
    """A textured object in the camera frame.

    Attributes:
        kind (str): one of ``OCCLUDER_KINDS``.
        vertices (ndarray[V, 3]): camera-frame vertices.
        faces (ndarray[F, 3]): triangles.
    """
    kind: str
    vertices: np.ndarray
    faces: np.ndarray


def sample_person_params(rng: np.random.Generator
                         ) -> Tuple[np.ndarray, np.ndarray]:
    """A pose from the joint-limit prior (the one the stand-in VPoser was
    fitted to) with a random heading, and a random shape.

    The root turns the body's y-up rest frame into the camera's y-down
    frame (a half turn about x) seen from a camera pitched down by
    0.35-0.5 rad, yaws the body by U(-pi/2, pi/2) (facing the camera's
    half-space, as in most photos) and tilts it by up to 0.15 rad; hands
    stay at rest. These ranges keep every root rotation below pi, where
    its axis-angle (what the SMPL pose loss compares) is continuous: with
    all headings the targets would jump between antipodal axis-angles and
    a regressor learns their mean.

    Returns:
        tuple: pose (72,) and betas (10,).
    """
    pose = np.zeros((24, 3))
    pose[1:22] = sample_body_poses(1, rng)[0]
    yaw = rng.uniform(-np.pi / 2, np.pi / 2)
    pitch = rng.uniform(0.35, 0.5)
    tilt = rng.uniform(-0.15, 0.15, 2)
    root = (
        Rotation.from_rotvec([np.pi - pitch, 0, 0]) *
        Rotation.from_euler('YXZ', [yaw, tilt[0], tilt[1]]))
    pose[0] = root.as_rotvec()
    betas = np.clip(rng.normal(0, 1, 10), -2.5, 2.5)
    return pose.reshape(72), betas


def place_root(root_joint: np.ndarray, uv: Tuple[float, float], depth: float,
               focal: float, princpt: Tuple[float, float]) -> np.ndarray:
    """The translation that puts the root joint at pixel ``uv`` and depth.

    Args:
        root_joint (ndarray[3]): root joint of the untranslated body.
        uv (tuple): pixel of the root.
        depth (float): camera-frame z of the root, metres.
        focal (float): focal length, pixels.
        princpt (tuple): principal point, pixels.

    Returns:
        ndarray[3]: translation, metres.
    """
    target = np.array([(uv[0] - princpt[0]) * depth / focal,
                       (uv[1] - princpt[1]) * depth / focal, depth])
    return target - root_joint


def _ray_point(uv: np.ndarray, depth: float, focal: float,
               princpt: Tuple[float, float]) -> np.ndarray:
    return np.array([(uv[0] - princpt[0]) * depth / focal,
                     (uv[1] - princpt[1]) * depth / focal, depth])


def sample_occluder(rng: np.random.Generator, target: Person,
                    joints_px: np.ndarray, body_height_px: float, focal: float,
                    princpt: Tuple[float,
                                   float], image_height: int) -> Occluder:
    """An object between the camera and a body part of ``target``.

    A joint is picked, the object is put on the ray through it (with a
    little jitter), 0.3-1.2 m in front of it, and sized to 20-55 % of the
    body's height in the image. ``table`` is a wide block rising from
    below the image up to the joint, like furniture in front of legs.

    Args:
        rng (np.random.Generator): random source.
        target (Person): the person to occlude.
        joints_px (ndarray[30, 2]): its joints in pixels.
        body_height_px (float): its box height in pixels.
        focal (float): focal length, pixels.
        princpt (tuple): principal point, pixels.
        image_height (int): image height, pixels.

    Returns:
        Occluder: the object in the camera frame.
    """
    kind = OCCLUDER_KINDS[int(rng.integers(len(OCCLUDER_KINDS)))]
    joint = OCCLUDER_TARGETS[int(rng.integers(len(OCCLUDER_TARGETS)))]
    depth = max(1.0, target.joints[joint, 2] - rng.uniform(0.3, 1.2))
    uv = joints_px[joint] + rng.normal(0, 0.05 * body_height_px, 2)
    size = rng.uniform(0.2, 0.55) * body_height_px * depth / focal  # metres
    spin = Rotation.from_euler('y', rng.uniform(-0.6, 0.6))
    if kind == 'box':
        verts, faces = box_mesh(size *
                                rng.uniform([0.6, 0.6, 0.3], [1.4, 1.4, 0.8]))
    elif kind in ('pole', 'bar'):
        verts, faces = cylinder_mesh(size * rng.uniform(0.1, 0.25), 3.0)
        lean = rng.uniform(-0.3, 0.3) + (np.pi / 2 if kind == 'bar' else 0)
        spin = Rotation.from_euler('z', lean)
    elif kind == 'ball':
        verts, faces = ellipsoid_mesh(size * rng.uniform(0.3, 0.6, 3))
    else:  # table: top edge at the joint, reaching below the image
        width = rng.uniform(0.8, 1.6) * body_height_px * depth / focal
        top = uv[1] * 1.0
        bottom = image_height * 1.5
        height = (bottom - top) * depth / focal
        verts, faces = box_mesh(np.array([width, height, 0.4 * width]))
        uv = np.array([uv[0], (top + bottom) / 2])
    centre = _ray_point(uv, depth, focal, princpt)
    verts = spin.apply(verts) + centre
    return Occluder(kind, verts, faces)


def coarse_mask(points_px: np.ndarray,
                shape: Tuple[int, int],
                cell: int = 4,
                convex: bool = False,
                mask: Optional[np.ndarray] = None) -> np.ndarray:
    """A cheap silhouette on a grid of ``cell``-pixel cells: the cells
    holding projected vertices (dense meshes) or the filled convex hull of
    them (convex objects). Used to accept or redraw an occlusion before
    paying for the exact rendering.

    Args:
        points_px (ndarray[N, 2]): projected vertices.
        shape (tuple): image (height, width).
        cell (int): cell size in pixels.
        convex (bool): fill the convex hull.
        mask (ndarray, optional): a mask to add to (modified in place).

    Returns:
        ndarray[H / cell, W / cell]: uint8 mask.
    """
    h, w = -(-shape[0] // cell), -(-shape[1] // cell)
    if mask is None:
        mask = np.zeros((h, w), np.uint8)
    pts = points_px / cell
    if convex:
        hull = cv2.convexHull(np.clip(pts, -1e4, 1e4).round().astype(np.int32))
        cv2.fillConvexPoly(mask, hull, 1)
        return mask
    ij = np.floor(pts).astype(np.int64)
    ok = (ij[:, 0] >= 0) & (ij[:, 0] < w) & (ij[:, 1] >= 0) & (ij[:, 1] < h)
    mask[ij[ok, 1], ij[ok, 0]] = 1
    return mask
