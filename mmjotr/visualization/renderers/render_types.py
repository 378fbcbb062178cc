# Copyright (c) mmjotr contributors. All rights reserved.
"""Inputs and outputs shared by the renderer back ends.

Every back end renders a list of :class:`RenderMesh` seen by one
:class:`PinholeCamera` into a :class:`RenderOutput`. Coordinates follow
OpenCV: camera frame x right, y down, z forward (metres); pixel ``(u, v)``
has its centre at integer coordinates, ``u = fx * x / z + cx``.
"""
from dataclasses import dataclass, field
from typing import Optional, Sequence, Tuple

import numpy as np

__all__ = [
    'PinholeCamera', 'RenderMesh', 'RenderOutput', 'unit_light_direction'
]


def unit_light_direction(light_dir: Sequence[float], owner: str) -> np.ndarray:
    """The unit vector of a renderer's ``light_dir`` (surface to light,
    camera frame); ``owner`` names the renderer in the error."""
    light = np.asarray(light_dir, dtype=np.float64)
    if light.shape != (3, ) or not np.linalg.norm(light) > 0:
        raise ValueError(f'{owner}: light_dir must be a non-zero 3-vector, '
                         f'got {light_dir}')
    return light / np.linalg.norm(light)


@dataclass
class PinholeCamera:
    """A pinhole camera in OpenCV convention.

    Args:
        fx, fy (float): focal lengths in pixels.
        cx, cy (float): principal point in pixels.
        width, height (int): image size in pixels.
    """
    fx: float
    fy: float
    cx: float
    cy: float
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError('PinholeCamera: image size must be positive, '
                             f'got {self.width}x{self.height}')
        if not (np.isfinite([self.fx, self.fy, self.cx, self.cy]).all()
                and self.fx > 0 and self.fy > 0):
            raise ValueError('PinholeCamera: focal lengths must be finite '
                             f'and positive, got fx={self.fx}, fy={self.fy}')

    @property
    def size(self) -> Tuple[int, int]:
        """``(height, width)`` of the rendered image."""
        return self.height, self.width

    @property
    def intrinsics(self) -> np.ndarray:
        """``K`` (3, 3)."""
        return np.array([[self.fx, 0., self.cx], [0., self.fy, self.cy],
                         [0., 0., 1.]])

    def project(self, points: np.ndarray) -> np.ndarray:
        """Project camera-frame points ``(N, 3)`` to pixels ``(N, 2)``."""
        z = points[:, 2]
        return np.stack([
            self.fx * points[:, 0] / z + self.cx,
            self.fy * points[:, 1] / z + self.cy
        ],
                        axis=1)


@dataclass
class RenderMesh:
    """One triangle mesh in the camera frame.

    Note:
        - V: vertices
        - F: faces

    Args:
        vertices (ndarray[V, 3]): camera-frame positions, metres.
        faces (ndarray[F, 3]): vertex indices of each triangle.
        color (ndarray[3] | ndarray[V, 3]): RGB in ``[0, 1]``, one colour for
            the mesh or one per vertex.
    """
    vertices: np.ndarray
    faces: np.ndarray
    color: np.ndarray = field(
        default_factory=lambda: np.array([0.65, 0.74, 0.86]))

    def __post_init__(self) -> None:
        self.vertices = np.asarray(self.vertices, dtype=np.float64)
        self.faces = np.asarray(self.faces, dtype=np.int64)
        self.color = np.asarray(self.color, dtype=np.float64)
        if self.vertices.ndim != 2 or self.vertices.shape[1] != 3:
            raise ValueError('RenderMesh: vertices must be (V, 3), got '
                             f'{self.vertices.shape}')
        if self.faces.ndim != 2 or self.faces.shape[1] != 3:
            raise ValueError('RenderMesh: faces must be (F, 3), got '
                             f'{self.faces.shape}')
        if self.faces.size and (self.faces.min() < 0
                                or self.faces.max() >= len(self.vertices)):
            raise ValueError('RenderMesh: face indices out of range '
                             f'[0, {len(self.vertices)})')
        if self.color.shape not in ((3, ), (len(self.vertices), 3)):
            raise ValueError('RenderMesh: color must be (3,) or (V, 3) = '
                             f'({len(self.vertices)}, 3), got '
                             f'{self.color.shape}')
        if not np.isfinite(self.vertices).all():
            raise ValueError('RenderMesh: vertices hold NaN or Inf')

    def vertex_colors(self) -> np.ndarray:
        """RGB per vertex ``(V, 3)``."""
        if self.color.ndim == 1:
            return np.broadcast_to(self.color, self.vertices.shape)
        return self.color


@dataclass
class RenderOutput:
    """What a renderer returns for one camera.

    Note:
        - H, W: image height and width

    Attributes:
        color (ndarray[H, W, 3]): shaded RGB in ``[0, 1]`` (float32), zero
            where no mesh is.
        depth (ndarray[H, W]): camera-frame z of the nearest surface, metres
            (float32); ``inf`` where no mesh is.
        instance_id (ndarray[H, W]): index of the visible mesh in the input
            list, ``-1`` for background (int32).
        face_id (ndarray[H, W], optional): index of the visible face within
            its mesh, ``-1`` for background (int32); back ends that cannot
            report it leave ``None``.
    """
    color: np.ndarray
    depth: np.ndarray
    instance_id: np.ndarray
    face_id: Optional[np.ndarray] = None

    @property
    def mask(self) -> np.ndarray:
        """``(H, W)`` bool: pixels covered by any mesh."""
        return self.instance_id >= 0

    def composite(self, image: np.ndarray, alpha: float = 1.0) -> np.ndarray:
        """Blend the rendering over an image.

        Args:
            image (ndarray[H, W, 3]): uint8 image in the same channel order
                as :attr:`color` is meant for (RGB unless the caller swaps).
            alpha (float): opacity of the meshes in ``[0, 1]``.

        Returns:
            ndarray[H, W, 3]: uint8 image.
        """
        if image.shape[:2] != self.depth.shape:
            raise ValueError('RenderOutput.composite: image is '
                             f'{image.shape[:2]}, rendering is '
                             f'{self.depth.shape}')
        out = image.astype(np.float32)
        mask = self.mask
        out[mask] = ((1 - alpha) * out[mask] + alpha * 255. * self.color[mask])
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)
