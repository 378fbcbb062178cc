# Copyright (c) mmjotr contributors. All rights reserved.
"""The paper's "human pose predictor": 2D keypoints from the person crop.

JOTR takes a 2D pose as input (rendered as heatmaps by the pose-guided
backbone). When no pose is given, this module estimates one on the crop
with a frozen mmpose top-down heatmap model, so that a box is enough.
"""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint
from mmpose.structures import PoseDataSample
from torch import Tensor

from mmjotr.body_models import get_joint_set, map_joints
from mmjotr.codecs import VOLUME_SIZE, crop_to_volume
from mmjotr.registry import MODELS

__all__ = ['CropPosePredictor']


@MODELS.register_module()
class CropPosePredictor(BaseModule):
    """Estimate missing 2D pose inputs with a frozen mmpose model.

    The crop (256 x 256) is centre-cropped to the pose model's aspect
    ratio and resized to its input size, normalised with the pose model's
    own data preprocessor statistics, and decoded by its head (no flip
    test); the keypoints are mapped back to the crop, then to JOTR-30
    (pelvis and neck as midpoints of hips and shoulders when the set lacks
    them) in the 64 px heatmap frame. Keypoints with a score at most
    ``score_thr`` or outside the heatmap are masked out.

    The pose model's weights come from ``checkpoint``; they are kept out of
    JOTR's state dict (a JOTR checkpoint neither needs nor carries them)
    and out of its parameters (never trained). It stays in eval mode.

    Args:
        pose_model (dict): an mmpose top-down model config (built in
            mmpose's scope), e.g. the ``model`` of
            ``td-hm_res50_8xb64-210e_coco-256x192.py``.
        checkpoint (str, optional): its weights; None leaves it randomly
            initialised (tests only; a warning is logged).
        joint_set (str): its keypoint set. Defaults to ``'coco_17'``.
        score_thr (float): keypoints count above this score. Defaults to
            0.3.
        derive_joints (sequence of str): JOTR-30 joints made as midpoints.
            Defaults to ``('Pelvis', 'Neck')``.
    """

    def __init__(self,
                 pose_model: dict,
                 checkpoint: Optional[str] = None,
                 joint_set: str = 'coco_17',
                 score_thr: float = 0.3,
                 derive_joints: Sequence[str] = ('Pelvis', 'Neck'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        from mmpose.registry import MODELS as MMPOSE_MODELS
        cfg = ConfigDict(pose_model)
        cfg.pop('_scope_', None)
        with DefaultScope.overwrite_default_scope('mmpose'):
            model = MMPOSE_MODELS.build(cfg)
        if checkpoint is not None:
            load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
        else:
            print_log(
                'CropPosePredictor: no checkpoint, the pose model keeps '
                'random weights',
                logger='current',
                level=30)
        model.eval()
        model.requires_grad_(False)
        # Stored outside ``_modules``: not in JOTR's state dict, parameters
        # or init_weights (whose pretrained init would fetch weights).
        object.__setattr__(self, 'pose_model', model)
        codec = cfg.get('codec') or cfg.head.decoder
        self.input_size = tuple(codec['input_size'])  # (w, h)
        self.joint_set = joint_set
        self.score_thr = float(score_thr)
        self.derive_joints = tuple(derive_joints)

    def _apply(self, fn, *args, **kwargs):
        self.pose_model._apply(fn, *args, **kwargs)
        return super()._apply(fn, *args, **kwargs)

    def train(self, mode: bool = True):
        super().train(mode)
        self.pose_model.eval()
        return self

    @torch.no_grad()
    def forward(self, crops: Tensor) -> tuple:
        """Estimate the 2D pose on crops.

        Note:
            - B: crops

        Args:
            crops (Tensor[B, 3, 256, 256]): RGB in ``[0, 1]`` (the output of
                JOTR's data preprocessor).

        Returns:
            tuple: keypoints ``Tensor[B, 30, 2]`` in 64 px heatmap
            coordinates and their mask ``Tensor[B, 30]``.
        """
        width, height = self.input_size
        side = crops.shape[-1]
        crop_w = min(side, round(side * width / height))
        left = (side - crop_w) // 2
        x = crops[..., left:left + crop_w] * 255.  # (B, 3, 256, crop_w)
        x = F.interpolate(
            x, size=(height, width), mode='bilinear', align_corners=False)
        pre = self.pose_model.data_preprocessor
        x = (x - pre.mean.to(x)) / pre.std.to(x)  # RGB, as mmpose after
        # its BGR -> RGB swap
        feats = self.pose_model.extract_feat(x)
        samples = [PoseDataSample(metainfo=dict()) for _ in range(len(x))]
        preds = self.pose_model.head.predict(
            feats, samples, test_cfg=dict(flip_test=False))
        if isinstance(preds, tuple):  # (instances, heatmaps)
            preds = preds[0]
        kpts = torch.stack([
            torch.as_tensor(p.keypoints[0], dtype=x.dtype) for p in preds
        ]).to(x.device)  # (B, K, 2) pose-input pixels
        scores = torch.stack([
            torch.as_tensor(p.keypoint_scores[0], dtype=x.dtype) for p in preds
        ]).to(x.device)  # (B, K)
        kpts = kpts * kpts.new_tensor([crop_w / width, side / height])
        kpts[..., 0] += left
        kpts = crop_to_volume(kpts, crop_size=side)
        return self._to_jotr30(kpts, scores)

    def _to_jotr30(self, kpts: Tensor, scores: Tensor) -> tuple:
        joints, present = map_joints(
            torch.cat([kpts, scores[..., None]], -1), self.joint_set,
            'jotr_30')  # (B, 30, 3)
        names = ('Pelvis', ('L_Hip', 'R_Hip')), ('Neck', ('L_Shoulder',
                                                          'R_Shoulder'))
        jotr = get_joint_set('jotr_30')
        for name, (a, b) in names:
            k = jotr.index(name)
            if name in self.derive_joints and not present[k]:
                ia, ib = jotr.index(a), jotr.index(b)
                joints[:, k, :2] = (joints[:, ia, :2] + joints[:, ib, :2]) / 2
                joints[:, k, 2] = joints[:, ia, 2] * joints[:, ib, 2]
        xy = joints[..., :2]
        inside = ((xy >= 0) & (xy < VOLUME_SIZE)).all(-1)
        mask = ((joints[..., 2] > self.score_thr) & inside).float()
        return xy, mask

    def fill_missing(self, crops: Tensor,
                     data_samples: List[PoseDataSample]) -> None:
        """Write estimated 2D poses into the samples that have none.

        A sample "has none" when its ``gt_instances.keypoints_input_mask``
        is all zero; its ``keypoints_input`` and mask are replaced.

        Args:
            crops (Tensor[B, 3, 256, 256]): preprocessed crops.
            data_samples (list[PoseDataSample]): one per crop.
        """
        missing = [
            i for i, s in enumerate(data_samples)
            if not s.gt_instances.keypoints_input_mask.bool().any()
        ]
        if not missing:
            return
        xy, mask = self(crops[missing])
        for j, i in enumerate(missing):
            gt = data_samples[i].gt_instances
            gt.keypoints_input = xy[j:j + 1].to(gt.keypoints_input)
            gt.keypoints_input_mask = mask[j:j + 1].to(gt.keypoints_input_mask)
