# Copyright (c) mmjotr contributors. All rights reserved.
"""Procedural appearance of SynthOcc: backgrounds, textures, occluder
meshes and per-part body colours. Everything is drawn from a numpy
``Generator``, so a seed fixes every pixel."""
from typing import Tuple

import cv2
import numpy as np

__all__ = [
    'procedural_background', 'procedural_texture', 'box_mesh', 'cylinder_mesh',
    'ellipsoid_mesh', 'body_part_regions', 'body_colors', 'BODY_REGIONS'
]

#: Clothing regions of the body; each vertex gets one (see
#: :func:`body_part_regions`).
BODY_REGIONS = ('skin', 'hair', 'shirt', 'sleeve', 'pants', 'shoes')
# SMPL joint (argmax skinning weight) -> region index in BODY_REGIONS
_JOINT_REGION = {
    0: 4,
    1: 4,
    2: 4,
    4: 4,
    5: 4,  # pelvis, hips, knees: pants
    7: 5,
    8: 5,
    10: 5,
    11: 5,  # ankles, toes: shoes
    3: 2,
    6: 2,
    9: 2,
    13: 2,
    14: 2,
    16: 2,
    17: 2,  # trunk, collars, shoulders
    18: 3,
    19: 3,  # elbows: sleeves (long or short)
    12: 0,
    15: 0,
    20: 0,
    21: 0,
    22: 0,
    23: 0  # neck, head, hands: skin
}


def _smooth_noise(rng: np.random.Generator, shape: Tuple[int, int],
                  cells: int) -> np.ndarray:
    """(H, W) float32 noise in [0, 1]: a random ``cells`` grid, bilinearly
    upsampled (value noise)."""
    grid = rng.random((cells + 1, cells + 1)).astype(np.float32)
    return cv2.resize(
        grid, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)


def procedural_texture(rng: np.random.Generator,
                       shape: Tuple[int, int]) -> np.ndarray:
    """A random two-colour pattern (stripes, checks or blotches) plus
    value noise.

    Returns:
        ndarray[H, W, 3]: RGB in [0, 1], float32.
    """
    h, w = shape
    c0, c1 = rng.random(3), rng.random(3)
    yy, xx = np.ogrid[0:h, 0:w]
    kind = rng.integers(3)
    period = rng.uniform(6, 30)
    if kind == 0:  # stripes at a random angle
        angle = rng.uniform(0, np.pi)
        t = (np.cos(angle) * xx + np.sin(angle) * yy) / period
        mix = (np.sin(2 * np.pi * t) > 0).astype(np.float64)
    elif kind == 1:  # checks
        mix = ((xx // period + yy // period) % 2).astype(np.float64)
    else:  # blotches
        mix = (_smooth_noise(rng, shape, int(rng.integers(3, 10)))
               > 0.5).astype(np.float64)
    tex = c0 * (1 - mix[..., None]) + c1 * mix[..., None]
    noise = _smooth_noise(rng, shape, int(rng.integers(8, 24)))
    tex = tex * (0.8 + 0.4 * noise[..., None])
    return np.clip(tex, 0, 1).astype(np.float32)


def procedural_background(rng: np.random.Generator,
                          shape: Tuple[int, int]) -> np.ndarray:
    """A room-like background: wall gradient, floor below a horizon, a few
    textured rectangles (furniture, posters).

    Returns:
        ndarray[H, W, 3]: RGB in [0, 1], float32.
    """
    h, w = shape
    top, bottom = rng.random(3), rng.random(3)
    ramp = np.linspace(0, 1, h)[:, None, None]
    img = top * (1 - ramp) + bottom * ramp  # (H, 1, 3)
    img = np.broadcast_to(img, (h, w, 3)).copy()
    img *= 0.7 + 0.6 * _smooth_noise(rng, shape, 4)[..., None]
    horizon = int(h * rng.uniform(0.45, 0.8))
    floor = procedural_texture(rng, (h - horizon, w))
    img[horizon:] = 0.5 * img[horizon:] + 0.5 * floor
    for _ in range(int(rng.integers(1, 5))):
        rh, rw = int(rng.uniform(0.1, 0.5) * h), int(rng.uniform(0.1, 0.4) * w)
        y0, x0 = int(rng.integers(0, h - rh)), int(rng.integers(0, w - rw))
        img[y0:y0 + rh, x0:x0 + rw] = procedural_texture(rng, (rh, rw))
    return np.clip(img, 0, 1).astype(np.float32)


def box_mesh(size: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Axis-aligned box centred at the origin, outward-wound.

    Args:
        size (ndarray[3]): edge lengths, metres.

    Returns:
        tuple: vertices (8, 3) and faces (12, 3).
    """
    corners = np.array([[x, y, z] for x in (-.5, .5) for y in (-.5, .5)
                        for z in (-.5, .5)]) * np.asarray(size)
    quads = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6),
             (0, 2, 6, 4), (1, 5, 7, 3)]
    faces = [(a, b, c) for a, b, c, _ in quads]
    faces += [(a, c, d) for a, _, c, d in quads]
    return corners, np.array(faces)


def cylinder_mesh(radius: float,
                  height: float,
                  segments: int = 12,
                  stacks: int = 24) -> Tuple[np.ndarray, np.ndarray]:
    """Closed cylinder along y centred at the origin, outward-wound.

    The side is cut into ``stacks`` rings so that no triangle is long and
    thin (the rasteriser's cost grows with each triangle's pixel box).

    Returns:
        tuple: vertices ((stacks + 1) * segments + 2, 3) and faces
        (2 * stacks * segments + 2 * segments, 3).
    """
    a = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    ys = np.linspace(-height / 2, height / 2, stacks + 1)
    ring = np.stack([radius * np.cos(a), radius * np.sin(a)], 1)
    side = np.stack([
        np.tile(ring[:, 0], stacks + 1),
        np.repeat(ys, segments),
        np.tile(ring[:, 1], stacks + 1)
    ], 1)  # ring k, segment s at k * segments + s
    bottom, top = len(side), len(side) + 1
    verts = np.concatenate([side, [[0, -height / 2, 0], [0, height / 2, 0]]])
    s = np.arange(segments)
    s2 = (s + 1) % segments
    faces = []
    for k in range(stacks):
        lo, hi = k * segments, (k + 1) * segments
        faces.append(np.stack([lo + s, hi + s, lo + s2], 1))
        faces.append(np.stack([lo + s2, hi + s, hi + s2], 1))
    top_ring = stacks * segments
    faces.append(np.stack([np.full(segments, bottom), s, s2], 1))
    faces.append(
        np.stack([np.full(segments, top), top_ring + s2, top_ring + s], 1))
    return verts, np.concatenate(faces)


def ellipsoid_mesh(radii: np.ndarray,
                   rings: int = 10,
                   segments: int = 16) -> Tuple[np.ndarray, np.ndarray]:
    """Ellipsoid centred at the origin (UV sphere), outward-wound.

    Returns:
        tuple: vertices (V, 3) and faces (F, 3).
    """
    theta = np.linspace(0, np.pi, rings + 1)[1:-1]  # polar angles
    phi = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    t, p = np.meshgrid(theta, phi, indexing='ij')
    verts = np.stack([np.sin(t) * np.cos(p),
                      np.cos(t),
                      np.sin(t) * np.sin(p)], -1).reshape(-1, 3)
    verts = np.concatenate([[[0, 1, 0]], verts, [[0, -1, 0]]])
    faces = []
    idx = 1 + np.arange((rings - 1) * segments).reshape(rings - 1, segments)
    for s in range(segments):
        s2 = (s + 1) % segments
        faces.append((0, idx[0, s2], idx[0, s]))
        faces.append((len(verts) - 1, idx[-1, s], idx[-1, s2]))
        for r in range(rings - 2):
            a, b = idx[r, s], idx[r, s2]
            c, d = idx[r + 1, s], idx[r + 1, s2]
            faces += [(a, b, c), (b, d, c)]
    return verts * np.asarray(radii), np.array(faces)


def body_part_regions(lbs_weights: np.ndarray,
                      rest_vertices: np.ndarray) -> np.ndarray:
    """Clothing region (index into ``BODY_REGIONS``) of every vertex.

    The region follows the joint with the largest skinning weight; the
    back and top of the head (above the ears, y-up rest pose) is hair.

    Args:
        lbs_weights (ndarray[V, 24]): skinning weights.
        rest_vertices (ndarray[V, 3]): template vertices (y up, facing +z).

    Returns:
        ndarray[V]: int region index.
    """
    joint = lbs_weights.argmax(1)
    region = np.array([_JOINT_REGION[int(j)] for j in range(24)])[joint]
    head = joint == 15
    if head.any():
        y, z = rest_vertices[:, 1], rest_vertices[:, 2]
        y_head = y[head]
        y_cut = y_head.min() + 0.55 * (y_head.max() - y_head.min())
        z_mid = np.median(z[head])
        region[head & ((y > y_cut) | (z < z_mid - 0.02))] = 1
    return region


def body_colors(rng: np.random.Generator, regions: np.ndarray) -> np.ndarray:
    """Per-vertex RGB of one person: skin tone, hair, shirt (long or short
    sleeves), pants and shoes drawn at random.

    Returns:
        ndarray[V, 3]: RGB in [0, 1].
    """
    skin = np.array([0.95, 0.78, 0.65]) * rng.uniform(0.35, 1.0)
    hair = rng.uniform(0.02, 0.5) * np.array([1.0, 0.8, 0.6])
    shirt, pants, shoes = rng.random(3), rng.random(3), rng.random(3) * 0.5
    sleeve = shirt if rng.random() < 0.5 else skin
    palette = np.stack([skin, hair, shirt, sleeve, pants, shoes])
    return palette[regions]
