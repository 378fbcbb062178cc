# Copyright (c) mmjotr contributors. All rights reserved.
"""Photos and videos to meshes: mmdet -> mmpose -> mmjotr."""
import os
import os.path as osp
import tempfile
from typing import Callable, Dict, Iterator, Optional, Union

import cv2
import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.infer import BaseInferencer
from mmengine.logging import print_log
from mmengine.registry import DefaultScope
from mmengine.utils import ProgressBar
from mmpose.structures import PoseDataSample

from mmjotr.registry import INFERENCERS
from ..frame_source import Frame, FrameSource
from ..inference import DEFAULT_INFERENCE_PIPELINE, inference_mesh, init_model
from ..iou_tracker import IoUTracker
from ..mesh_export import export_frame
from ..mesh_smoother import MeshSmoother

__all__ = ['MeshInferencer']

#: Keypoint count of an mmpose model -> ``inference_mesh`` format.
_FORMAT_BY_COUNT = {17: 'coco', 25: 'openpose', 30: 'jotr'}


@INFERENCERS.register_module(name='mesh')
@INFERENCERS.register_module()
class MeshInferencer(BaseInferencer):
    """Detect persons, estimate their 2D pose, recover their meshes.

    Shaped like mmpose's ``Pose3DInferencer``, which wraps a 2D inferencer:
    mmpose's ``Pose2DInferencer`` (built in the ``mmpose`` scope) runs the
    mmdet detector (``mmdet`` scope; person class, score threshold, NMS)
    and the top-down pose model; :func:`inference_mesh` (``mmjotr`` scope)
    recovers all persons of a frame in one batch. Frames come from a
    :class:`FrameSource` (image, array, folder, video file, webcam). On
    videos, persons are tracked (:class:`IoUTracker`) and, if asked,
    their SMPL parameters and camera smoothed (:class:`MeshSmoother`).

    Args:
        model (str | Config): the mmjotr config.
        weights (str, optional): its checkpoint; must match the config
            (missing/unexpected/mis-shaped parameters raise an error naming
            both). None keeps the random initialisation.
        pose2d (str | Config, optional): the mmpose top-down config.
        pose2d_weights (str, optional): its checkpoint.
        det_model (str | Config, optional): the mmdet config. Without
            ``pose2d`` and ``det_model``, calls need ``detections`` (e.g.
            :class:`KeypointFileDetections` for existing keypoint files).
        det_weights (str, optional): its checkpoint.
        det_cat_ids (int | tuple): detector class(es) of persons.
            Defaults to 0 (COCO person).
        device (str, optional): e.g. ``'cpu'``, ``'cuda:0'``.
        renderer (str): ``'auto'``, ``'gl'`` or ``'raster'``.
        track (bool): track persons across frames. Defaults to True.
        smooth (bool): one-euro smoothing of tracked persons. Defaults to
            False.
        smooth_cfg (dict, optional): :class:`MeshSmoother` arguments
            (``min_cutoff``, ``beta``, ``d_cutoff``); ``fps`` comes from
            the video.
        focal_length (float, optional): full-image focal length in pixels;
            the image diagonal when None.
        body_model_dir (str, optional): overrides the config's
            ``model.head.body_model_dir``.
        show_progress (bool): progress bar over folders and videos.
    """

    preprocess_kwargs: set = {'bbox_thr', 'nms_thr', 'max_persons'}
    forward_kwargs: set = {'keypoint_score_thr'}
    visualize_kwargs: set = {
        'show', 'wait_time', 'side_view', 'draw_keypoints', 'vis_out_dir',
        'return_vis'
    }
    postprocess_kwargs: set = {'pred_out_dir', 'save_obj'}

    def __init__(self,
                 model: Union[str, Config],
                 weights: Optional[str] = None,
                 pose2d: Union[str, Config, None] = None,
                 pose2d_weights: Optional[str] = None,
                 det_model: Union[str, Config, None] = None,
                 det_weights: Optional[str] = None,
                 det_cat_ids: Union[int, tuple] = 0,
                 device: Optional[str] = None,
                 renderer: str = 'auto',
                 track: bool = True,
                 smooth: bool = False,
                 smooth_cfg: Optional[dict] = None,
                 focal_length: Optional[float] = None,
                 body_model_dir: Optional[str] = None,
                 show_progress: bool = True) -> None:
        if (pose2d is None) != (det_model is None):
            raise ValueError('MeshInferencer: give both pose2d (mmpose '
                             'top-down) and det_model (mmdet), or neither '
                             '(then pass detections= when calling)')
        self.device = device or ('cuda'
                                 if torch.cuda.is_available() else 'cpu')
        self.renderer_backend = renderer
        self.body_model_dir = body_model_dir
        self.pose2d = None
        self.keypoint_format = None
        if pose2d is not None:
            from mmpose.apis.inferencers import Pose2DInferencer
            if isinstance(det_model, Config):
                # mmpose 1.3 accepts detector configs only as file paths
                self._det_cfg_file = tempfile.NamedTemporaryFile(suffix='.py')
                det_model.dump(self._det_cfg_file.name)
                det_model = self._det_cfg_file.name
            self.pose2d = Pose2DInferencer(
                pose2d,
                pose2d_weights,
                device=self.device,
                scope='mmpose',
                det_model=det_model,
                det_weights=det_weights,
                det_cat_ids=det_cat_ids,
                show_progress=False)
            if self.pose2d.detector is not None:
                # mmpose poses the whole image as one person when the
                # detector finds nobody; detect_2d drops that box
                self.pose2d.detector.model.register_forward_hook(
                    self._keep_detections)
            num_kpts = self.pose2d.model.dataset_meta['num_keypoints']
            if num_kpts not in _FORMAT_BY_COUNT:
                raise ValueError(
                    f'MeshInferencer: pose2d model has {num_kpts} keypoints;'
                    ' supported: COCO-17, OpenPose-25, JOTR-30')
            self.keypoint_format = _FORMAT_BY_COUNT[num_kpts]
        super().__init__(
            model=model,
            weights=weights,
            device=self.device,
            scope='mmjotr',
            show_progress=show_progress)
        self.track = track
        self.smooth = smooth
        self.smooth_cfg = dict(smooth_cfg or {})
        self.focal_length = focal_length
        self.faces = self.model.head.body_model.faces.cpu().numpy()
        self.visualizer.set_faces(self.faces)

    # BaseInferencer's builders -------------------------------------------
    def _init_model(self, cfg: Config, weights: Optional[str], device: str):
        options = ({
            'model.head.body_model_dir': self.body_model_dir
        } if self.body_model_dir else None)
        # load, then move to the device, then prepare the fast path (BN
        # folding, precision for that device): init_model's order
        return init_model(cfg, weights, device=device, cfg_options=options)

    def _init_pipeline(self, cfg: Config):
        # inference_mesh builds the crop pipeline per call from the config
        return cfg.get('test_dataloader', {}).get(
            'dataset', {}).get('pipeline') or DEFAULT_INFERENCE_PIPELINE

    def _init_visualizer(self, cfg: Config):
        from mmjotr.visualization import MeshVisualizer
        name = f'mesh_inferencer_{id(self)}'
        return MeshVisualizer(name=name, renderer=self.renderer_backend)

    # The pipeline, one frame at a time -----------------------------------
    def detect_2d(self,
                  image: np.ndarray,
                  bbox_thr: float = 0.3,
                  nms_thr: float = 0.3,
                  max_persons: Optional[int] = None) -> Dict[str, np.ndarray]:
        """Person boxes and 2D poses of a BGR frame (mmdet -> mmpose).

        Returns:
            dict: ``bboxes`` (N, 4), ``bbox_scores`` (N,), ``keypoints``
            (N, K, 2), ``keypoint_scores`` (N, K); at most
            ``max_persons`` (best detection scores first); empty when the
            detector finds no person above ``bbox_thr``.
        """
        if self.pose2d is None:
            raise ValueError('MeshInferencer was built without detector and '
                             'pose models; pass detections= to the call')
        self._detections = None
        with DefaultScope.overwrite_default_scope('mmpose'):
            result = next(
                self.pose2d(
                    image,
                    return_datasamples=True,
                    bbox_thr=bbox_thr,
                    nms_thr=nms_thr))['predictions'][0]
        pred = result.pred_instances if 'pred_instances' in result else None
        num_kpts = self.pose2d.model.dataset_meta['num_keypoints']
        if pred is None or len(pred) == 0 or not self._found_person(bbox_thr):
            return dict(
                bboxes=np.zeros((0, 4), np.float32),
                bbox_scores=np.zeros(0, np.float32),
                keypoints=np.zeros((0, num_kpts, 2), np.float32),
                keypoint_scores=np.zeros((0, num_kpts), np.float32))
        out = dict(
            bboxes=np.asarray(pred.bboxes, np.float32).reshape(-1, 4),
            bbox_scores=np.asarray(
                pred.bbox_scores if 'bbox_scores' in pred else np.ones(
                    len(pred)), np.float32).reshape(-1),
            keypoints=np.asarray(pred.keypoints, np.float32),
            keypoint_scores=np.asarray(pred.keypoint_scores, np.float32))
        order = np.argsort(-out['bbox_scores'], kind='stable')[:max_persons]
        return {k: v[order] for k, v in out.items()}

    def _keep_detections(self, module, args, output) -> None:
        """Forward hook of the detector: keep its data samples."""
        self._detections = output

    def _found_person(self, bbox_thr: float) -> bool:
        """Whether the detector's last frame has a person box scored above
        ``bbox_thr`` (always True without a detector: whole-image poses)."""
        if self.pose2d.detector is None:
            return True
        det = self._detections[0].pred_instances
        person = np.isin(det.labels.cpu().numpy(), self.pose2d.det_cat_ids)
        return bool((person & (det.scores.cpu().numpy() > bbox_thr)).any())

    def predict_frame(self,
                      image: np.ndarray,
                      detections: Dict[str, np.ndarray],
                      keypoint_score_thr: float = 0.3,
                      img_path: Optional[str] = None) -> PoseDataSample:
        """Meshes of one frame from its detections (see
        :meth:`detect_2d`), tracked and smoothed when enabled."""
        sample = inference_mesh(
            self.model,
            image,
            detections['bboxes'],
            detections['keypoints'],
            detections['keypoint_scores'],
            keypoint_format=detections.get('keypoint_format',
                                           self.keypoint_format or 'coco'),
            keypoint_score_thr=keypoint_score_thr,
            focal_length=self.focal_length)
        sample.set_metainfo(dict(img_path=img_path))
        pred = sample.pred_instances
        pred.bbox_scores = detections['bbox_scores'].astype(np.float32)
        if self.track:
            pred.track_ids = self._tracker.update(pred.bboxes)
            if self.smooth and len(pred.bboxes):
                pose, betas, cam_t = self._smoother(pred.track_ids,
                                                    pred.smpl_pose,
                                                    pred.smpl_betas,
                                                    pred.cam_t_full)
                refresh_geometry(self.model, sample, pose, betas, cam_t)
        return sample

    def reset(self, fps: float = 30.) -> None:
        """Forget tracks and filter states (a new video)."""
        self._tracker = IoUTracker()
        self._smoother = MeshSmoother(**dict(self.smooth_cfg, fps=fps))

    def __call__(self,
                 inputs,
                 return_datasamples: bool = True,
                 bbox_thr: float = 0.3,
                 nms_thr: float = 0.3,
                 max_persons: Optional[int] = None,
                 keypoint_score_thr: float = 0.3,
                 show: bool = False,
                 wait_time: float = 0.,
                 side_view: bool = False,
                 draw_keypoints: bool = False,
                 vis_out_dir: Optional[str] = None,
                 return_vis: bool = False,
                 pred_out_dir: Optional[str] = None,
                 save_obj: bool = False,
                 detections: Optional[Callable[[Frame], dict]] = None
                 ) -> Iterator[dict]:
        """Run on every frame of ``inputs``; a generator, like mmpose's.

        Args:
            inputs: image path or array, folder, video path or webcam
                index (see :class:`FrameSource`).
            return_datasamples (bool): yield the ``PoseDataSample`` (True)
                or its ``pred_instances`` as a dict of arrays.
            bbox_thr (float): detection score threshold.
            nms_thr (float): NMS IoU threshold.
            max_persons (int, optional): keep the best-scored persons.
            keypoint_score_thr (float): 2D keypoints count above this.
            show (bool): show each drawn frame in a window.
            wait_time (float): seconds per shown frame.
            side_view (bool): draw a side view next to the overlay.
            draw_keypoints (bool): draw the projected 2D joints.
            vis_out_dir (str, optional): write drawn images (same names)
                or, for videos and webcams, one ``{stem}.mp4``.
            return_vis (bool): yield the drawn frame too.
            pred_out_dir (str, optional): write ``.json``/``.npz`` per frame.
            save_obj (bool): also write ``.obj`` meshes there.
            detections (callable, optional): ``frame -> dict`` as
                :meth:`detect_2d` returns (plus an optional
                ``keypoint_format``), replacing the detector and pose model.

        Yields:
            dict: ``frame`` (name), ``predictions`` (list of one sample or
            dict) and ``visualization`` (list of one RGB image, or empty).
            Unreadable frames are skipped with a warning; the count is
            logged at the end and kept in :attr:`num_skipped`.
        """
        source = FrameSource(inputs)
        self.reset(source.fps)
        self.num_skipped = 0
        writer = None
        progress = (
            ProgressBar(source.total) if self.show_progress
            and source.kind in ('folder', 'video', 'images') and source.total
            else None)
        draw = bool(show or vis_out_dir or return_vis)
        try:
            for frame in source:
                if progress is not None:
                    progress.update()
                if frame.image is None:
                    continue
                found = (
                    detections(frame)
                    if detections is not None else self.detect_2d(
                        frame.image, bbox_thr, nms_thr, max_persons))
                item = (
                    source.inputs[frame.index]
                    if source.kind == 'images' else source.inputs)
                img_path = (
                    osp.join(item, frame.name) if source.kind == 'folder' else
                    item if source.kind in ('image', 'images')
                    and isinstance(item, str) else None)
                sample = self.predict_frame(frame.image, found,
                                            keypoint_score_thr, img_path)
                vis = None
                if draw:
                    vis = self.visualizer.add_datasample(
                        frame.name,
                        mmcv.bgr2rgb(frame.image),
                        sample,
                        side_view=side_view,
                        draw_keypoints=draw_keypoints,
                        show=show,
                        wait_time=wait_time,
                        out_file=None)
                if vis_out_dir and vis is not None:
                    writer = self._write_vis(vis, frame.name, source,
                                             vis_out_dir, writer)
                if pred_out_dir:
                    export_frame(sample, pred_out_dir,
                                 osp.splitext(frame.name)[0], self.faces,
                                 save_obj)
                yield dict(
                    frame=frame.name,
                    predictions=[
                        sample if return_datasamples else
                        sample.pred_instances.to_dict()
                    ],
                    visualization=[vis] if return_vis else [])
        finally:
            if writer is not None:
                writer.release()
            if progress is not None and source.total:
                print_log('', logger='current')
            self.num_skipped = source.num_skipped
            if source.num_skipped:
                print_log(
                    f'{source.num_skipped} unreadable frame(s) of '
                    f'{source.stem} skipped: ' + '; '.join(source.skipped),
                    logger='current',
                    level=30)

    @staticmethod
    def _write_vis(vis: np.ndarray, name: str, source: FrameSource,
                   out_dir: str, writer):
        os.makedirs(out_dir, exist_ok=True)
        if source.kind not in ('video', 'webcam'):
            stem = osp.splitext(name)[0]
            mmcv.imwrite(vis[..., ::-1], osp.join(out_dir, f'{stem}.png'))
            return writer
        if writer is None:
            path = osp.join(out_dir, f'{source.stem}.mp4')
            writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'),
                                     source.fps, (vis.shape[1], vis.shape[0]))
            if not writer.isOpened():
                raise OSError(f'cannot write the video {path}')
        writer.write(np.ascontiguousarray(vis[..., ::-1]))
        return writer

    # BaseInferencer's abstract steps (this class overrides __call__) ------
    def visualize(self, inputs, preds, **kwargs):
        """Not used: :meth:`__call__` draws each frame as it goes."""
        raise NotImplementedError('MeshInferencer draws frames in __call__')

    def postprocess(self,
                    preds,
                    visualization,
                    return_datasample=False,
                    **kwargs):
        """Not used: :meth:`__call__` yields each frame as it goes."""
        raise NotImplementedError('MeshInferencer yields frames in __call__')


def refresh_geometry(model, sample: PoseDataSample, smpl_pose: np.ndarray,
                     smpl_betas: np.ndarray, cam_t_full: np.ndarray) -> None:
    """Replace a sample's SMPL parameters and camera and recompute its
    vertices, 3D joints and projected keypoints with the model's body
    model (root-relative, as :func:`inference_mesh` gives them)."""
    pred = sample.pred_instances
    body_model = model.head.body_model
    device = body_model.faces.device
    with torch.no_grad():
        out = body_model(
            torch.as_tensor(smpl_pose, device=device),
            torch.as_tensor(smpl_betas, device=device))
    root = out.joints[:, :1]  # (N, 1, 3) pelvis, JOTR-30 joint 0
    pred.smpl_pose = smpl_pose
    pred.smpl_betas = smpl_betas
    pred.cam_t_full = cam_t_full
    pred.vertices = (out.vertices - root).cpu().numpy().astype(np.float32)
    pred.keypoints_3d = (out.joints - root).cpu().numpy().astype(np.float32)
    focal = sample.metainfo['focal_length']
    princpt = np.asarray(sample.metainfo['principal_point'], np.float32)
    cam = pred.keypoints_3d + cam_t_full[:, None]
    pred.keypoints = (focal * cam[..., :2] / cam[..., 2:] +
                      princpt).astype(np.float32)
