# Copyright (c) mmjotr contributors. All rights reserved.
import logging
import os.path as osp
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample
from torch import nn

from mmjotr.body_models import get_joint_set
from mmjotr.codecs import volume_to_crop
from mmjotr.datasets.base_mesh_dataset import RECORD_DEFAULTS
from mmjotr.geometry import (apply_affine, crop_to_full_camera,
                             default_focal_length)
from mmjotr.registry import MODELS
from mmjotr.utils import enable_safe_checkpoint_resume
from mmjotr.utils.checkpoint_io import load_model_checkpoint
from .image_io import load_image


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None,
               strict: bool = True,
               fast_inference: Union[None, bool, dict] = None) -> nn.Module:
    """Build an mmjotr model from a config and load its weights.

    Args:
        config (str | Config): config file path or loaded config.
        checkpoint (str, optional): checkpoint to load; None keeps the
            model's initialisation (``init_weights`` is called).
        device (str): device to put the model on. Defaults to ``'cpu'``.
        cfg_options (dict, optional): overrides merged into the config,
            e.g. ``{'model.head.body_model_dir': 'data/standin/body_models'}``.
        strict (bool): refuse a checkpoint with missing, unexpected or
            mis-shaped tensors (``CheckpointMismatchError`` listing them,
            naming the checkpoint and the config); False loads the matching
            tensors of a partial checkpoint (the rest logged).
        fast_inference (bool | dict, optional): sets
            ``model.test_cfg.fast_inference`` (True, False or a dict of
            ``FastInference`` arguments); None keeps the config's. On the
            fast path BN is folded into the backbone convs after loading,
            so the returned model is for inference only.

    Returns:
        nn.Module: the model in eval mode, ``model.cfg`` holding the config.
    """
    if isinstance(config, str):
        if not osp.isfile(config):
            raise FileNotFoundError(f'config file not found: {config}')
        config = Config.fromfile(config)
    elif not isinstance(config, Config):
        raise TypeError('config must be a file path or a Config, '
                        f'got {type(config).__name__}')
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    if cfg_options:
        config.merge_from_dict(cfg_options)
    if fast_inference is not None:
        test_cfg = dict(config.model.get('test_cfg') or {})
        test_cfg['fast_inference'] = fast_inference
        config.model.test_cfg = test_cfg
    init_default_scope(config.get('default_scope', 'mmjotr'))

    model = MODELS.build(config.model)
    if checkpoint is None:
        # mmengine logs one INFO record per parameter when no log file is
        # attached; outside a Runner that drowns the console.
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    else:
        enable_safe_checkpoint_resume()
        load_model_checkpoint(
            model,
            checkpoint,
            strict=strict,
            config_name=config.filename or 'the given config')
    model.cfg = config
    model.to(torch.device(device))
    model.eval()
    if getattr(model, 'fast_inference', None) is not None:
        model.fast_inference.prepare(model)
    return model


#: keypoint_format -> (joint set, JOTR-30 joints derived as midpoints).
KEYPOINT_FORMATS = {
    'coco': ('coco_17', ('Pelvis', 'Neck')),
    'openpose': ('openpose_25', ()),
    'openpose_18': ('openpose_18', ('Pelvis', )),
    'h36m': ('h36m_17', ()),
    'jotr': ('jotr_30', ()),
}

#: The test-time crop and packing (configs/_base_/datasets/mesh_test.py),
#: used when the model's config has no test pipeline.
DEFAULT_INFERENCE_PIPELINE = [
    dict(type='mmpose.LoadImage'),
    dict(
        type='GetMeshBBox',
        test_mode=True,
        keypoint_extend=1.2,
        test_scale=1.1,
        fallback_scale=1.25),
    dict(type='RandomMeshAffine', input_size=256, test_mode=True),
    dict(type='GenerateMeshTargets', with_smpl_targets=False, test_mode=True),
    dict(type='PackMeshInputs'),
]


def _pack_records(img: np.ndarray, bboxes: np.ndarray,
                  keypoints: Optional[np.ndarray],
                  scores: Optional[np.ndarray], joint_set: str,
                  derive: Tuple[str, ...], score_thr: float,
                  img_path: Optional[str]) -> List[dict]:
    records = []
    for i, box in enumerate(bboxes):
        record = dict(
            RECORD_DEFAULTS,
            img=img,
            img_path=img_path,
            bbox=box.astype(np.float32),
            sample_idx=i)
        if keypoints is not None:
            record.update(
                input_keypoints=np.concatenate(
                    [keypoints[i], scores[i][:, None]], 1).astype(np.float32),
                input_joint_set=joint_set,
                input_score_thr=score_thr,
                derive_joints=derive)
        records.append(record)
    return records


def _check_inputs(bboxes, keypoints, keypoint_scores, joint_set):
    bboxes = np.asarray(bboxes, np.float32).reshape(
        -1, 4) if len(bboxes) else np.zeros((0, 4), np.float32)
    if not np.isfinite(bboxes).all():
        raise ValueError('inference_mesh: bboxes hold NaN or Inf')
    bad = np.flatnonzero((bboxes[:, 2] <= bboxes[:, 0])
                         | (bboxes[:, 3] <= bboxes[:, 1]))
    if len(bad):
        raise ValueError(f'inference_mesh: bbox {int(bad[0])} '
                         f'{bboxes[bad[0]].tolist()} is not x1<x2, y1<y2')
    if keypoints is None:
        return bboxes, None, None
    num = get_joint_set(joint_set).num_joints
    keypoints = np.asarray(keypoints, np.float32)
    if keypoints.shape[-1] == 3 and keypoint_scores is None:
        keypoint_scores = keypoints[..., 2]
    keypoints = keypoints[..., :2]
    if keypoints.shape != (len(bboxes), num, 2):
        raise ValueError(f'inference_mesh: keypoints must be ({len(bboxes)}, '
                         f'{num}, 2) for {len(bboxes)} boxes in joint set '
                         f'"{joint_set}", got {keypoints.shape}')
    scores = (
        np.ones(keypoints.shape[:2], np.float32) if keypoint_scores is None
        else np.asarray(keypoint_scores, np.float32))
    if scores.shape != keypoints.shape[:2]:
        raise ValueError('inference_mesh: keypoint_scores must be '
                         f'{keypoints.shape[:2]}, got {scores.shape}')
    return bboxes, keypoints, np.nan_to_num(scores, nan=0.)


def inference_mesh(model: nn.Module,
                   img: Union[str, np.ndarray],
                   bboxes: Union[np.ndarray, Sequence],
                   keypoints: Optional[np.ndarray] = None,
                   keypoint_scores: Optional[np.ndarray] = None,
                   keypoint_format: str = 'coco',
                   keypoint_score_thr: float = 0.3,
                   focal_length: Optional[float] = None,
                   batch_size: Optional[int] = None) -> PoseDataSample:
    """Recover the meshes of the persons in one image.

    Each person is cropped as at test time (the box of its valid keypoints,
    or of ``bboxes`` when fewer than two are valid), its 2D pose is mapped
    to JOTR's 30 joints with a mask, and all persons go through the model
    in one batched forward (``batch_size`` splits it). The crop cameras are
    converted to one perspective camera of the whole image
    (:func:`mmjotr.geometry.crop_to_full_camera`), so that persons sit at
    consistent depths.

    Note:
        - N: persons, K: joints of ``keypoint_format``, V: mesh vertices

    Args:
        model (nn.Module): from :func:`init_model`.
        img (str | ndarray): image path or array (BGR; grayscale, BGRA,
            16-bit and float are converted).
        bboxes (ndarray[N, 4]): person boxes, xyxy image pixels.
        keypoints (ndarray[N, K, 2 | 3], optional): 2D poses in image
            pixels (a third channel is taken as the score). None needs a
            model with a ``pose_predictor``.
        keypoint_scores (ndarray[N, K], optional): confidences; 1 if None.
        keypoint_format (str): ``'coco'`` (COCO-17), ``'openpose'``
            (BODY_25), ``'openpose_18'``, ``'h36m'`` (H36M-17) or ``'jotr'``
            (JOTR-30).
        keypoint_score_thr (float): keypoints count above this score.
        focal_length (float, optional): of the full-image camera in pixels;
            the image diagonal when None.
        batch_size (int, optional): persons per forward; all when None.

    Returns:
        PoseDataSample: metainfo ``img_path``, ``ori_shape``,
        ``focal_length``, ``principal_point``; ``pred_instances`` (numpy,
        float32): ``bboxes`` (N, 4) as given, ``bboxes_crop`` (N, 4),
        ``smpl_pose`` (N, 72), ``smpl_betas`` (N, 10), ``vertices``
        (N, V, 3) and ``keypoints_3d`` (N, 30, 3) root-relative metres,
        ``cam_t`` (N, 3) of the crop cameras, ``cam_t_full`` (N, 3) of the
        full-image camera, ``keypoints`` (N, 30, 2) = ``keypoints_3d +
        cam_t_full`` projected with it (image pixels), ``input_keypoints``
        (N, 30, 2) and ``input_keypoints_mask`` (N, 30) as mapped.
    """
    if keypoint_format not in KEYPOINT_FORMATS:
        raise ValueError(f'inference_mesh: unknown keypoint_format '
                         f'"{keypoint_format}"; known: '
                         f'{sorted(KEYPOINT_FORMATS)}')
    joint_set, derive = KEYPOINT_FORMATS[keypoint_format]
    img_path = img if isinstance(img, str) else None
    image = load_image(img)
    bboxes, keypoints, scores = _check_inputs(bboxes, keypoints,
                                              keypoint_scores, joint_set)
    if keypoints is None and len(bboxes) and getattr(model, 'pose_predictor',
                                                     None) is None:
        raise ValueError('inference_mesh: no keypoints given and the model '
                         'has no pose_predictor to estimate them')
    height, width = image.shape[:2]
    focal = float(focal_length or default_focal_length(height, width))
    princpt = (width / 2., height / 2.)
    result = PoseDataSample(
        metainfo=dict(
            img_path=img_path,
            ori_shape=(height, width),
            img_shape=(height, width),
            focal_length=focal,
            principal_point=princpt))

    scope = model.cfg.get('default_scope', 'mmjotr') if hasattr(
        model, 'cfg') else 'mmjotr'
    with DefaultScope.overwrite_default_scope(scope):
        cfg_pipeline = getattr(model, 'cfg',
                               Config()).get('test_dataloader',
                                             {}).get('dataset',
                                                     {}).get('pipeline')
        pipeline = Compose(cfg_pipeline or DEFAULT_INFERENCE_PIPELINE)
        records = _pack_records(image, bboxes, keypoints, scores, joint_set,
                                derive, keypoint_score_thr, img_path)
        samples = []
        step = batch_size or max(len(records), 1)
        for start in range(0, len(records), step):
            batch = pseudo_collate(
                [pipeline(dict(r)) for r in records[start:start + step]])
            with torch.no_grad():
                samples.extend(model.test_step(batch))
    result.pred_instances = _merge_predictions(samples, bboxes, model, focal,
                                               princpt)
    return result


def _merge_predictions(samples: List[PoseDataSample], bboxes: np.ndarray,
                       model: nn.Module, focal: float,
                       princpt: Tuple[float, float]) -> InstanceData:
    """One image's ``pred_instances`` from the per-crop samples."""
    num_verts = model.head.body_model.v_template.shape[0]
    pred = InstanceData()
    if not samples:
        empty = dict(
            bboxes=(4, ),
            bboxes_crop=(4, ),
            smpl_pose=(72, ),
            smpl_betas=(10, ),
            vertices=(num_verts, 3),
            keypoints_3d=(30, 3),
            cam_t=(3, ),
            cam_t_full=(3, ),
            keypoints=(30, 2),
            input_keypoints=(30, 2),
            input_keypoints_mask=(30, ))
        for key, shape in empty.items():
            pred.set_field(np.zeros((0, *shape), np.float32), key)
        return pred

    def cat(key, source='pred_instances'):
        return np.concatenate([
            s.get(source).get(key).detach().cpu().float().numpy()
            for s in samples
        ])

    for key in ('smpl_pose', 'smpl_betas', 'vertices', 'keypoints_3d',
                'cam_t'):
        pred.set_field(cat(key), key)
    pred.bboxes = bboxes.astype(np.float32)
    pred.bboxes_crop = cat('bboxes', 'gt_instances')
    mats = np.stack([s.metainfo['crop_to_img'] for s in samples])
    pred.cam_t_full = crop_to_full_camera(pred.cam_t, mats, focal, princpt)
    cam_points = pred.keypoints_3d + pred.cam_t_full[:, None]  # (N, 30, 3)
    pred.keypoints = (focal * cam_points[..., :2] / cam_points[..., 2:] +
                      np.asarray(princpt, np.float32)).astype(np.float32)
    volume_xy = cat('keypoints_input', 'gt_instances')  # (N, 30, 2) voxels
    crop = volume_to_crop(volume_xy)
    pred.input_keypoints = np.stack([
        apply_affine(c, m.astype(np.float32)) for c, m in zip(crop, mats)
    ]).astype(np.float32)
    pred.input_keypoints_mask = cat('keypoints_input_mask', 'gt_instances')
    return pred
