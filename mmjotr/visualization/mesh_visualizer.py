# Copyright (c) mmjotr contributors. All rights reserved.
"""Draw recovered meshes over their image (an mmengine ``Visualizer``)."""
from typing import Optional, Sequence, Tuple

import cv2
import mmcv
import numpy as np
from mmengine.visualization import Visualizer
from mmpose.structures import PoseDataSample

from mmjotr.geometry import CROP_SIZE, FOCAL_LENGTH
from mmjotr.registry import VISUALIZERS
from .renderers import PinholeCamera, RenderMesh, build_renderer

__all__ = ['MeshVisualizer', 'PALETTE']

#: Mesh colours (RGB in [0, 1]) by track id, or by person index.
PALETTE = np.array([[0.65, 0.74, 0.86], [0.94, 0.62, 0.47], [0.55, 0.80, 0.55],
                    [0.85, 0.70, 0.90], [0.95, 0.85, 0.45], [0.50, 0.80, 0.85],
                    [0.90, 0.55, 0.65], [0.70, 0.70, 0.70]])


@VISUALIZERS.register_module()
class MeshVisualizer(Visualizer):
    """Overlay the predicted meshes of a data sample on its image.

    Like mmpose's ``PoseLocalVisualizer``: :meth:`add_datasample` draws
    and then shows, writes ``out_file`` or hands the picture to the
    visualisation back ends. The camera comes from the sample:

    - an image-level sample of :func:`mmjotr.apis.inference_mesh`
      (metainfo ``focal_length``, ``principal_point``; ``cam_t_full``):
      all persons in the full image, hidden surfaces removed between them;
    - a per-crop sample of ``JOTR.predict`` (validation/test): the 256 px
      crop camera (focal 5000, ``cam_t``), drawn over the input crop.

    Args:
        name (str): instance name. Defaults to ``'visualizer'``.
        image (ndarray, optional): initial image.
        vis_backends (list[dict], optional): visualisation back ends.
        save_dir (str, optional): where back ends write.
        renderer (str): ``'auto'``, ``'gl'`` or ``'raster'``, see
            :func:`build_renderer`. Defaults to ``'auto'``.
        alpha (float): mesh opacity. Defaults to 0.8.
        side_view (bool): append a view from the side (rotated 90 degrees
            about the vertical through the persons' centre). Defaults to
            False.
        draw_keypoints (bool): draw the predicted 2D keypoints. Defaults
            to False.
        keypoint_radius (int): of those dots, pixels. Defaults to 3.
        max_render_size (int): longer image sides above this are drawn
            downscaled to it. Defaults to 1920.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 image: Optional[np.ndarray] = None,
                 vis_backends: Optional[Sequence[dict]] = None,
                 save_dir: Optional[str] = None,
                 renderer: str = 'auto',
                 alpha: float = 0.8,
                 side_view: bool = False,
                 draw_keypoints: bool = False,
                 keypoint_radius: int = 3,
                 max_render_size: int = 1920) -> None:
        super().__init__(
            name=name,
            image=image,
            vis_backends=vis_backends,
            save_dir=save_dir)
        self.renderer_backend = renderer
        self._renderer = None
        self.alpha = float(alpha)
        self.side_view = bool(side_view)
        self.draw_keypoints = bool(draw_keypoints)
        self.keypoint_radius = int(keypoint_radius)
        self.max_render_size = int(max_render_size)
        self.faces: Optional[np.ndarray] = None

    @property
    def renderer(self):
        """The renderer back end (built on first use)."""
        if self._renderer is None:
            self._renderer = build_renderer(self.renderer_backend)
        return self._renderer

    @staticmethod
    def sample_camera(sample: PoseDataSample, image_shape: Tuple[int, int]
                      ) -> Tuple[PinholeCamera, np.ndarray]:
        """The camera of a sample and the per-person translations.

        Returns:
            tuple: :class:`PinholeCamera` of ``image_shape`` (h, w) and
            ``(N, 3)`` translations to add to the root-relative vertices.
        """
        pred = sample.pred_instances
        height, width = image_shape
        if 'focal_length' in sample.metainfo and 'cam_t_full' in pred:
            focal = float(sample.metainfo['focal_length'])
            cx, cy = sample.metainfo['principal_point']
            cam_t = pred.cam_t_full
        else:
            if (height, width) != (CROP_SIZE, CROP_SIZE):
                raise ValueError(
                    'MeshVisualizer: a per-crop sample (no full-image '
                    f'camera) is drawn on its {CROP_SIZE} px input crop, '
                    f'got an image of {height}x{width}')
            focal, cx, cy = FOCAL_LENGTH, CROP_SIZE / 2., CROP_SIZE / 2.
            cam_t = pred.cam_t
        cam = PinholeCamera(focal, focal, float(cx), float(cy), width, height)
        return cam, _numpy(cam_t).reshape(-1, 3)

    def draw_meshes(self,
                    image: np.ndarray,
                    sample: PoseDataSample,
                    faces: np.ndarray,
                    side_view: Optional[bool] = None,
                    draw_keypoints: Optional[bool] = None) -> np.ndarray:
        """Draw a sample's meshes (and keypoints) on an RGB image.

        Args:
            image (ndarray[H, W, 3]): uint8 RGB.
            sample (PoseDataSample): with ``pred_instances``.
            faces (ndarray[F, 3]): mesh faces.
            side_view (bool, optional): overrides the instance setting.
            draw_keypoints (bool, optional): overrides the instance
                setting.

        Returns:
            ndarray: uint8 RGB, ``(h, w, 3)`` or ``(h, 2w, 3)`` with the
            side view, downscaled when larger than ``max_render_size``.
        """
        side_view = self.side_view if side_view is None else side_view
        draw_keypoints = (
            self.draw_keypoints if draw_keypoints is None else draw_keypoints)
        camera, cam_t = self.sample_camera(sample, image.shape[:2])
        pred = sample.pred_instances
        vertices = _numpy(pred.vertices) if len(cam_t) else np.zeros((0, 1, 3))
        ids = (
            _numpy(pred.track_ids).astype(np.int64)
            if 'track_ids' in pred else np.arange(len(cam_t)))
        scale = min(1., self.max_render_size / max(image.shape[:2]))
        if scale < 1.:
            size = (max(1, round(image.shape[1] * scale)),
                    max(1, round(image.shape[0] * scale)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            camera = PinholeCamera(camera.fx * scale, camera.fy * scale,
                                   (camera.cx + .5) * scale - .5,
                                   (camera.cy + .5) * scale - .5, size[0],
                                   size[1])
        meshes = [
            RenderMesh(v + t, faces, PALETTE[i % len(PALETTE)])
            for v, t, i in zip(vertices, cam_t, ids)
        ]
        drawn = self.renderer.render(meshes,
                                     camera).composite(image, self.alpha)
        if draw_keypoints and 'keypoints' in pred and len(cam_t):
            self._draw_dots(drawn, _numpy(pred.keypoints) * scale, ids)
        if not side_view:
            return drawn
        side = np.full_like(drawn, 255)
        if meshes:
            side = self.renderer.render(_side_meshes(meshes),
                                        camera).composite(side, 1.)
        return np.concatenate([drawn, side], axis=1)

    def _draw_dots(self, image: np.ndarray, keypoints: np.ndarray,
                   ids: np.ndarray) -> None:
        for points, i in zip(keypoints, ids):
            color = tuple(int(c * 255) for c in PALETTE[i % len(PALETTE)])
            for x, y in points:
                if np.isfinite([x, y]).all():
                    cv2.circle(image, (int(round(x)), int(round(y))),
                               self.keypoint_radius, color, -1, cv2.LINE_AA)
                    cv2.circle(image, (int(round(x)), int(round(y))),
                               self.keypoint_radius, (0, 0, 0), 1, cv2.LINE_AA)

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample: PoseDataSample,
                       faces: Optional[np.ndarray] = None,
                       draw_gt: bool = False,
                       draw_pred: bool = True,
                       side_view: Optional[bool] = None,
                       draw_keypoints: Optional[bool] = None,
                       show: bool = False,
                       wait_time: float = 0.,
                       out_file: Optional[str] = None,
                       step: int = 0) -> np.ndarray:
        """Draw, then show / write / send to the back ends.

        Args:
            name (str): image identifier for the back ends.
            image (ndarray[H, W, 3]): uint8 RGB.
            data_sample (PoseDataSample): predictions.
            faces (ndarray[F, 3], optional): mesh faces; defaults to those
                set with :meth:`set_faces`.
            draw_gt (bool): unsupported for meshes (no ground-truth mesh
                in the samples); must be False.
            draw_pred (bool): draw the predictions. Defaults to True.
            side_view (bool, optional): see :meth:`draw_meshes`.
            draw_keypoints (bool, optional): see :meth:`draw_meshes`.
            show (bool): show in a window.
            wait_time (float): seconds to show.
            out_file (str, optional): write the picture here (not to the
                back ends).
            step (int): global step for the back ends.

        Returns:
            ndarray: the drawn uint8 RGB image.
        """
        if draw_gt:
            raise ValueError('MeshVisualizer: draw_gt is not supported')
        faces = self.faces if faces is None else faces
        if faces is None:
            raise ValueError('MeshVisualizer: no mesh faces; pass faces= '
                             'or call set_faces(model.head.body_model.faces)')
        drawn = image
        if draw_pred and 'pred_instances' in data_sample:
            drawn = self.draw_meshes(image, data_sample, faces, side_view,
                                     draw_keypoints)
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step)
        return drawn

    def set_faces(self, faces) -> None:
        """Set the mesh faces ``(F, 3)`` used when none are passed."""
        self.faces = _numpy(faces).astype(np.int64)


def _numpy(x) -> np.ndarray:
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _side_meshes(meshes):
    """The meshes turned 90 degrees about the vertical (y) axis through
    their joint centre, seen by the same camera."""
    centre = np.mean([m.vertices.mean(0) for m in meshes], axis=0)
    rot = np.array([[0., 0., 1.], [0., 1., 0.], [-1., 0., 0.]])
    return [
        RenderMesh((m.vertices - centre) @ rot.T + centre, m.faces, m.color)
        for m in meshes
    ]
