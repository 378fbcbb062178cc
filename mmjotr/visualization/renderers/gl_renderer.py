# Copyright (c) mmjotr contributors. All rights reserved.
"""Offscreen OpenGL rendering through pyrender (EGL or OSMesa).

The GL back end of the renderer interface: same ``render(meshes, camera)
-> RenderOutput`` as :class:`RasterRenderer`, faster on large images. It
needs ``pyrender`` (``pip install pyrender``; requirements/optional.txt)
and a headless GL: Mesa's EGL (``libegl1``, ``libgl1-mesa-dri``) or OSMesa
(``libosmesa6``). The platform is read from ``PYOPENGL_PLATFORM`` when
PyOpenGL is first imported; unset, ``'egl'`` is chosen here. A process can
use only one platform, so switching means a new process.

pyrender draws in OpenGL axes (y up, looking down -z) with pixel centres at
half-integers; the meshes are mirrored into that frame and the principal
point shifted by half a pixel, so that the output lines up with the
OpenCV-convention :class:`PinholeCamera`. It reports no face index
(``face_id`` is None), and its depth comes from one of four multisamples
(a quarter pixel off the pixel centre), so it differs from the
rasteriser's exact centre depth by the depth change over that distance.
"""
import os
from typing import Optional, Sequence

import numpy as np

from .raster_renderer import vertex_normals
from .render_types import (PinholeCamera, RenderMesh, RenderOutput,
                           unit_light_direction)

__all__ = ['GLRenderer']

#: OpenCV camera axes -> OpenGL camera axes.
_CV_TO_GL = np.array([1., -1., -1.])


def _import_pyrender():
    """Import pyrender with a headless default platform."""
    os.environ.setdefault('PYOPENGL_PLATFORM', 'egl')
    import pyrender
    return pyrender


class GLRenderer:
    """Render triangle meshes offscreen with pyrender.

    Args:
        ambient (float): ambient light intensity. Defaults to 0.35.
        diffuse (float): directional light intensity scale. Defaults to
            0.65.
        light_dir (sequence of 3 floats): direction from the surface to
            the light in the camera frame (OpenCV axes). Defaults to
            ``(0.3, -0.4, -1)`` as :class:`RasterRenderer`.
        near (float): faces nearer than this (metres) are clipped.
            Defaults to 1e-3. Each frame's clipping planes are fitted to
            its meshes' depth range (within ``[near, far]``), which keeps
            the 24-bit depth buffer precise (~1e-5 of the depth).
        far (float): faces beyond this are clipped. Defaults to 1e3.

    Raises:
        ImportError / RuntimeError: pyrender or a GL context is
        unavailable (raised on construction, so that callers can fall
        back).
    """

    name = 'gl'

    def __init__(self,
                 ambient: float = 0.35,
                 diffuse: float = 0.65,
                 light_dir: Sequence[float] = (0.3, -0.4, -1.0),
                 near: float = 1e-3,
                 far: float = 1e3) -> None:
        self.light = unit_light_direction(light_dir, 'GLRenderer')
        self.ambient = float(ambient)
        self.diffuse = float(diffuse)
        self.near = float(near)
        self.far = float(far)
        self._pyrender = _import_pyrender()
        self._renderer: Optional[object] = None
        # Fail now rather than at the first frame.
        self._viewer(1, 1)

    def _viewer(self, width: int, height: int):
        if self._renderer is None:
            self._renderer = self._pyrender.OffscreenRenderer(width, height)
        else:
            self._renderer.viewport_width = width
            self._renderer.viewport_height = height
        return self._renderer

    def _light_pose(self) -> np.ndarray:
        """Pose of a directional light shining along ``-light``."""
        z = self.light * _CV_TO_GL  # light travels along -z of its node
        helper = np.array([0., 1., 0.]) if abs(z[1]) < 0.9 else np.array(
            [1., 0., 0.])
        x = np.cross(helper, z)
        x /= np.linalg.norm(x)
        pose = np.eye(4)
        pose[:3, :3] = np.stack([x, np.cross(z, x), z], axis=1)
        return pose

    def render(self, meshes: Sequence[RenderMesh],
               camera: PinholeCamera) -> RenderOutput:
        """Render meshes seen by one camera (see :class:`RasterRenderer`).

        Args:
            meshes (sequence of RenderMesh): meshes in the camera frame.
            camera (PinholeCamera): intrinsics and image size.

        Returns:
            RenderOutput: colour, depth and instance index per pixel;
            ``face_id`` is None.
        """
        pyrender = self._pyrender
        height, width = camera.size
        meshes = [m for m in meshes]
        scene = pyrender.Scene(
            bg_color=[0., 0., 0., 0.], ambient_light=[self.ambient] * 3)
        seg_map = {}
        for i, mesh in enumerate(meshes):
            if len(mesh.faces) == 0:
                continue
            colors = np.concatenate(
                [mesh.vertex_colors(),
                 np.ones((len(mesh.vertices), 1))],
                axis=1)
            primitive = pyrender.Primitive(
                positions=(mesh.vertices * _CV_TO_GL).astype(np.float32),
                normals=(vertex_normals(mesh.vertices, mesh.faces) *
                         _CV_TO_GL).astype(np.float32),
                indices=mesh.faces.astype(np.uint32),
                color_0=colors.astype(np.float32),
                material=pyrender.MetallicRoughnessMaterial(
                    baseColorFactor=[1., 1., 1., 1.],
                    metallicFactor=0.,
                    roughnessFactor=1.,
                    doubleSided=True),
                mode=pyrender.constants.GLTF.TRIANGLES)
            node = scene.add(pyrender.Mesh([primitive]))
            # instance i + 1 encoded in red (low byte) and green (high)
            seg_map[node] = [(i + 1) % 256, (i + 1) // 256, 0]
        depths = np.concatenate([m.vertices[:, 2] for m in meshes] or [[1.]])
        near = min(max(self.near, 0.5 * depths.min()), self.far / 2.)
        far = max(min(self.far, 2. * depths.max()), 2. * near)
        scene.add(
            pyrender.IntrinsicsCamera(
                camera.fx,
                camera.fy,
                camera.cx + 0.5,
                camera.cy + 0.5,
                znear=near,
                zfar=far))
        scene.add(
            pyrender.DirectionalLight(
                color=np.ones(3), intensity=3. * self.diffuse),
            pose=self._light_pose())
        viewer = self._viewer(width, height)
        color, depth = viewer.render(scene)
        if seg_map:
            seg, _ = viewer.render(
                scene, flags=pyrender.RenderFlags.SEG, seg_node_map=seg_map)
            instance_id = (
                seg[..., 0].astype(np.int32) +
                256 * seg[..., 1].astype(np.int32) - 1)
        else:
            instance_id = np.full((height, width), -1, np.int32)
        # pyrender resolves a 4x multisampled depth buffer by taking one
        # sample (a quarter pixel off centre): at silhouette edges that
        # sample may miss the surface the segmentation hit.
        instance_id[depth <= 0] = -1
        mask = instance_id >= 0
        out_depth = np.where(mask & (depth > 0), depth,
                             np.inf).astype(np.float32)
        out_color = np.where(mask[..., None], color[..., :3] / 255.,
                             0.).astype(np.float32)
        return RenderOutput(out_color, out_depth, instance_id, None)

    def __del__(self) -> None:
        if getattr(self, '_renderer', None) is not None:
            try:
                self._renderer.delete()
            except Exception:  # interpreter shutdown: GL may be gone
                pass
