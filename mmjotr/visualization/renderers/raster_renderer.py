# Copyright (c) mmjotr contributors. All rights reserved.
"""A z-buffer triangle rasteriser in numpy: the renderer that always works.

Written for mmjotr because neither mmengine nor mmpose renders meshes, and
the GL renderers (pyrender, pytorch3d) need a GL context or a wheel this
platform lacks. Besides colour it returns the depth, the mesh and the face
seen at every pixel, which the SynthOcc generator uses for per-joint
visibility.

How it works: each triangle's pixel bounding box is enumerated as a small
grid (triangles are grouped by box size, so a body's thousands of
few-pixel faces are tested together in one vectorised step); pixel centres
inside the triangle get perspective-correct barycentric coordinates and a
depth; a sort by (pixel, depth) keeps the nearest fragment per pixel.
Shading is Lambertian, two-sided, with normals interpolated from the
vertices (smooth) or per face (flat).
"""
from typing import List, Sequence, Tuple

import numpy as np

from .render_types import (PinholeCamera, RenderMesh, RenderOutput,
                           unit_light_direction)

__all__ = ['RasterRenderer', 'vertex_normals']

#: Most candidate pixels tested in one vectorised step (memory bound).
_MAX_CANDIDATES = 1 << 21


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals.

    Args:
        vertices (ndarray[V, 3]): positions.
        faces (ndarray[F, 3]): vertex indices, consistently wound.

    Returns:
        ndarray[V, 3]: unit normals (zero for vertices in no face).
    """
    v0, v1, v2 = (vertices[faces[:, i]] for i in range(3))
    face_n = np.cross(v1 - v0, v2 - v0)  # (F, 3), length = 2 * area
    normals = np.zeros_like(vertices)
    for axis in range(3):
        weights = np.repeat(face_n[:, axis], 3)
        normals[:, axis] = np.bincount(
            faces.reshape(-1), weights=weights, minlength=len(vertices))
    norm = np.linalg.norm(normals, axis=1, keepdims=True)
    return normals / np.maximum(norm, 1e-12)


class RasterRenderer:
    """Render triangle meshes with a z-buffer, in numpy.

    Args:
        ambient (float): ambient light share. Defaults to 0.35.
        diffuse (float): Lambertian light share. Defaults to 0.65.
        light_dir (sequence of 3 floats): direction from the surface towards
            the light in the camera frame (OpenCV axes: y down, z forward).
            Defaults to ``(0.3, -0.4, -1)``: from the camera, up and right.
        smooth (bool): interpolate vertex normals (True) or shade each face
            flat. Defaults to True.
        near (float): faces with a vertex closer than this (metres) are not
            drawn. Defaults to 1e-3.
        cull_back_faces (bool): skip faces whose normal (right-handed from
            the winding) points away from the camera; about halves the work
            for closed, outward-wound meshes (SMPL's are), and is wrong for
            open or inconsistently wound ones. Defaults to False.
    """

    name = 'raster'

    def __init__(self,
                 ambient: float = 0.35,
                 diffuse: float = 0.65,
                 light_dir: Sequence[float] = (0.3, -0.4, -1.0),
                 smooth: bool = True,
                 near: float = 1e-3,
                 cull_back_faces: bool = False) -> None:
        self.light = unit_light_direction(light_dir, 'RasterRenderer')
        self.ambient = float(ambient)
        self.diffuse = float(diffuse)
        self.smooth = bool(smooth)
        self.near = float(near)
        self.cull_back_faces = bool(cull_back_faces)

    def render(self, meshes: Sequence[RenderMesh],
               camera: PinholeCamera) -> RenderOutput:
        """Render meshes seen by one camera.

        Args:
            meshes (sequence of RenderMesh): meshes in the camera frame.
            camera (PinholeCamera): intrinsics and image size.

        Returns:
            RenderOutput: colour, depth, instance and face index per pixel.
        """
        height, width = camera.size
        color = np.zeros((height, width, 3), np.float32)
        depth = np.full((height, width), np.inf, np.float32)
        instance_id = np.full((height, width), -1, np.int32)
        face_id = np.full((height, width), -1, np.int32)
        meshes = list(meshes)
        if not meshes or all(len(m.faces) == 0 for m in meshes):
            return RenderOutput(color, depth, instance_id, face_id)

        verts = np.concatenate([m.vertices for m in meshes])  # (V, 3)
        v_offsets = np.cumsum([0] + [len(m.vertices) for m in meshes])
        faces = np.concatenate(
            [m.faces + off for m, off in zip(meshes, v_offsets)])  # (F, 3)
        f_counts = [len(m.faces) for m in meshes]
        f_offsets = np.cumsum([0] + f_counts)
        face_mesh = np.repeat(np.arange(len(meshes)), f_counts)  # (F, )

        z = verts[:, 2]
        safe_z = np.where(z > self.near, z, 1.0)
        uv = np.stack([
            camera.fx * verts[:, 0] / safe_z + camera.cx,
            camera.fy * verts[:, 1] / safe_z + camera.cy
        ],
                      axis=1)  # (V, 2)

        candidates = np.arange(len(faces))
        if self.cull_back_faces:
            v0, v1, v2 = (verts[faces[:, i]] for i in range(3))
            normal = np.cross(v1 - v0, v2 - v0)  # (F, 3)
            candidates = np.flatnonzero((normal * v0).sum(axis=1) < 0)
        pix, frag_depth, frag_face, bary = self._rasterize(
            uv, z, faces, candidates, height, width)
        if len(pix) == 0:
            return RenderOutput(color, depth, instance_id, face_id)
        # nearest fragment per pixel: sort by pixel, then depth (one int64
        # key: the depth quantised to 31 bits, ~1e-9 of the depth range)
        d_lo, d_hi = frag_depth.min(), frag_depth.max()
        d_q = ((frag_depth - d_lo) * ((2**31 - 1) / max(d_hi - d_lo, 1e-12)))
        order = np.argsort((pix << 31) | d_q.astype(np.int64))
        pix_sorted = pix[order]
        first = np.ones(len(order), bool)
        first[1:] = pix_sorted[1:] != pix_sorted[:-1]
        win = order[first]
        win_pix = pix[win]
        win_face = frag_face[win]
        win_bary = bary[win]  # (P, 3) perspective-correct

        depth.reshape(-1)[win_pix] = frag_depth[win]
        win_mesh = face_mesh[win_face]
        instance_id.reshape(-1)[win_pix] = win_mesh
        face_id.reshape(-1)[win_pix] = win_face - f_offsets[win_mesh]

        vcolors = np.concatenate([m.vertex_colors() for m in meshes])
        tri = faces[win_face]  # (P, 3)
        albedo = np.einsum('pk,pkc->pc', win_bary, vcolors[tri])
        if self.smooth:
            normals = np.concatenate(
                [vertex_normals(m.vertices, m.faces) for m in meshes])
            n = np.einsum('pk,pkc->pc', win_bary, normals[tri])
        else:
            v0, v1, v2 = (verts[tri[:, i]] for i in range(3))
            n = np.cross(v1 - v0, v2 - v0)
        n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
        # two-sided: the lit side is the one facing the light
        lambert = np.abs(n @ self.light)
        shade = self.ambient + self.diffuse * lambert  # (P, )
        color.reshape(-1, 3)[win_pix] = np.clip(albedo * shade[:, None], 0, 1)
        return RenderOutput(color, depth, instance_id, face_id)

    def _rasterize(self, uv: np.ndarray, z: np.ndarray, faces: np.ndarray,
                   candidates: np.ndarray, height: int, width: int
                   ) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All fragments (pixel centres inside a face) of the candidate
        faces.

        Returns:
            tuple: flat pixel index ``(N, )``, depth ``(N, )``, face index
            ``(N, )`` and perspective-correct barycentrics ``(N, 3)``.
        """
        faces = faces[candidates]
        p = uv[faces]  # (F, 3, 2)
        fz = z[faces]  # (F, 3)
        lo = np.ceil(p.min(axis=1))  # (F, 2)
        hi = np.floor(p.max(axis=1))
        lo = np.maximum(lo, 0)
        hi = np.minimum(hi, [width - 1, height - 1])
        e1 = p[:, 1] - p[:, 0]
        e2 = p[:, 2] - p[:, 0]
        area = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]  # 2x signed area
        keep = ((fz.min(axis=1) > self.near) & (lo <= hi).all(axis=1)
                & (np.abs(area) > 1e-12))
        idx = np.flatnonzero(keep)
        face_index = candidates[idx]
        if len(idx) == 0:
            empty = np.zeros(0, np.int64)
            return empty, np.zeros(0), empty, np.zeros((0, 3))
        lo = lo[idx].astype(np.int64)
        hi = hi[idx].astype(np.int64)
        box = (hi - lo + 1).max(axis=1)  # (F', ) side of the square to scan

        out: List[Tuple[np.ndarray, ...]] = []
        side = 1
        done = np.zeros(len(idx), bool)
        while not done.all():
            sel = np.flatnonzero(~done & (box <= side))
            done[sel] = True
            if len(sel):
                step = max(1, _MAX_CANDIDATES // (side * side))
                for start in range(0, len(sel), step):
                    part = sel[start:start + step]
                    out.append(
                        self._fragments(p[idx[part]], fz[idx[part]],
                                        area[idx[part]], lo[part], hi[part],
                                        side, width, face_index[part]))
            side *= 2
        pix, frag_depth, frag_face, bary = (
            np.concatenate(a) for a in zip(*out))
        return pix, frag_depth, frag_face, bary

    @staticmethod
    def _fragments(p: np.ndarray, fz: np.ndarray, area: np.ndarray,
                   lo: np.ndarray, hi: np.ndarray, side: int, width: int,
                   face_index: np.ndarray) -> Tuple[np.ndarray, ...]:
        """Fragments of faces whose box fits in ``side`` x ``side``.

        The screen-space barycentrics are affine in the pixel position, so
        each is ``a + b * dx + c * dy`` with ``(dx, dy)`` the offset from the
        box corner: three coefficients per face, one multiply-add per
        candidate pixel.
        """
        grid = np.arange(side, dtype=np.float64)
        dx = np.tile(grid, side)  # (S, )
        dy = np.repeat(grid, side)
        inv_area = 1.0 / area  # (n, )
        corner = lo.astype(np.float64)  # (n, 2)
        coeffs = []
        for i in range(2):  # w0 from edge (1, 2), w1 from edge (2, 0)
            pa, pb = p[:, (i + 1) % 3], p[:, (i + 2) % 3]  # (n, 2)
            ex, ey = pb[:, 0] - pa[:, 0], pb[:, 1] - pa[:, 1]
            # w_i(P) = ((pb - pa) x (P - pa)) / area, affine in P
            a = (ex * (corner[:, 1] - pa[:, 1]) - ey *
                 (corner[:, 0] - pa[:, 0])) * inv_area
            coeffs.append(
                (a[:, None], (-ey * inv_area)[:, None], (ex * inv_area)[:,
                                                                        None]))
        (a0, b0, c0), (a1, b1, c1) = coeffs
        w0 = a0 + b0 * dx + c0 * dy  # (n, S)
        w1 = a1 + b1 * dx + c1 * dy
        w2 = 1.0 - w0 - w1
        extent = hi - lo  # (n, 2)
        eps = -1e-9
        inside = ((w0 >= eps) & (w1 >= eps) & (w2 >= eps)
                  & (dx <= extent[:, :1]) & (dy <= extent[:, 1:]))
        rows, cols = np.nonzero(inside)
        w = np.stack([w0[rows, cols], w1[rows, cols], w2[rows, cols]],
                     axis=1)  # (N, 3) screen-space barycentrics
        wz = w / fz[rows]  # perspective correction
        inv_depth = wz.sum(axis=1)
        bary = wz / inv_depth[:, None]
        pix = ((lo[rows, 1] + dy[cols].astype(np.int64)) * width +
               lo[rows, 0] + dx[cols].astype(np.int64))
        return pix, 1.0 / inv_depth, face_index[rows], bary
