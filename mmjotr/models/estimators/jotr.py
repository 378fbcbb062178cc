# Copyright (c) mmjotr contributors. All rights reserved.
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseModel
from mmpose.structures import PoseDataSample
from torch import Tensor

from mmjotr.models.heads import FusionHeadOutput
from mmjotr.models.utils.fast_inference import FastInference
from mmjotr.models.utils.fp32_modules import keep_in_fp32
from mmjotr.models.utils.typing import (ConfigType, OptConfigType,
                                        OptMultiConfig)
from mmjotr.registry import MODELS
from mmjotr.structures import MeshTargets, pack_mesh_predictions

#: Parts kept in fp32 under autocast (AMP training, fast inference): the
#: outputs in metres and the loss values.
FP32_MODULES = ('head.smpl_regressor', 'head.losses',
                'head.uncertainty_weighting', 'head.contrast')


@MODELS.register_module()
class JOTR(BaseModel):
    """JOTR: 3D joint contrastive learning with transformers (ICCV 2023).

    Pose-guided backbone -> lifting neck (H3D) -> fusion head (SMPL
    parameters, mesh, joints). Modes: ``loss`` returns the ``loss_*`` terms
    (plus logged ``uw_*`` weights and ``depth_exponent`` λ), ``predict``
    fills ``pred_instances`` of the data samples (docs/interfaces.md
    "Predictions"), ``tensor`` returns the head's :class:`FusionHeadOutput`.
    The 2D pose input comes from ``gt_instances.keypoints_input`` in every
    mode.

    Args:
        backbone (dict): the pose-guided backbone.
        neck (dict): the lifting neck.
        head (dict): the fusion head.
        data_preprocessor (dict, optional): defaults to
            ``MeshDataPreprocessor``.
        train_cfg (dict, optional): unused options are rejected.
        test_cfg (dict, optional): ``need_weights`` (bool) keeps the
            decoder attention in tensor mode; ``fast_inference`` (bool or
            dict of :class:`FastInference` arguments) runs predict and
            tensor modes on the fast path (reduced precision, channels
            last, batch chunks; :func:`mmjotr.apis.init_model` also folds
            BN).
        fp32_modules (Sequence[str]): submodules that run in fp32 inside
            autocast (see :func:`keep_in_fp32`). Defaults to
            ``FP32_MODULES``.
        pose_predictor (dict, optional): a :class:`CropPosePredictor`
            (frozen mmpose top-down model) that estimates the 2D pose input
            of every sample whose ``keypoints_input_mask`` is all zero, in
            every mode; then a person box is enough to get a mesh.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 backbone: ConfigType,
                 neck: ConfigType,
                 head: ConfigType,
                 data_preprocessor: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 pose_predictor: OptConfigType = None,
                 fp32_modules: Sequence[str] = FP32_MODULES,
                 init_cfg: OptMultiConfig = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='MeshDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            # mmjotr's registry, whatever the current default scope
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        self.head = MODELS.build(head)
        self.pose_predictor = (
            MODELS.build(pose_predictor) if pose_predictor else None)
        self.train_cfg = dict(train_cfg or {})
        self.test_cfg = dict(test_cfg or {})
        unknown = set(self.test_cfg) - {'need_weights', 'fast_inference'}
        if self.train_cfg or unknown:
            raise ValueError(f'JOTR: unknown train_cfg/test_cfg keys '
                             f'{sorted(set(self.train_cfg) | unknown)}')
        self.fast_inference = FastInference.from_cfg(
            self.test_cfg.get('fast_inference'))
        keep_in_fp32(self, fp32_modules)

    def _check_samples(self, inputs: Tensor,
                       data_samples: Optional[List[PoseDataSample]]) -> None:
        if data_samples is None or len(data_samples) != inputs.shape[0]:
            raise ValueError(
                'JOTR needs one data sample per input crop (the 2D pose '
                'input is read from gt_instances.keypoints_input)')

    def extract_feat(self,
                     inputs: Tensor,
                     data_samples: List[PoseDataSample],
                     need_weights: bool = False) -> FusionHeadOutput:
        """Run backbone, neck and head.

        Args:
            inputs (Tensor[B, 3, 256, 256]): preprocessed crops.
            data_samples (list[PoseDataSample]): with the 2D pose input.
            need_weights (bool): keep the decoder attention weights.

        Returns:
            FusionHeadOutput
        """
        self._check_samples(inputs, data_samples)
        if self.pose_predictor is not None:
            self.pose_predictor.fill_missing(inputs, data_samples)
        keypoints, mask = MeshTargets.input_pose(data_samples, inputs.device)
        feat = self.backbone(inputs, keypoints, mask)
        return self.head(feat, self.neck(feat), need_weights)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List[PoseDataSample]] = None,
                mode: str = 'tensor'):
        """The three-mode entry point (see the class docstring)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise ValueError(f'JOTR: invalid mode "{mode}" '
                         "(expected 'loss', 'predict' or 'tensor')")

    def _inference(self,
                   inputs: Tensor,
                   data_samples: List[PoseDataSample],
                   need_weights: bool = False) -> FusionHeadOutput:
        """:meth:`extract_feat`, on the fast path when configured (and
        not training)."""
        if self.fast_inference is None or self.training:
            return self.extract_feat(inputs, data_samples, need_weights)
        self._check_samples(inputs, data_samples)
        return self.fast_inference(self, inputs, data_samples, need_weights)

    def _forward(self,
                 inputs: Tensor,
                 data_samples: Optional[List[PoseDataSample]] = None
                 ) -> FusionHeadOutput:
        return self._inference(inputs, data_samples,
                               self.test_cfg.get('need_weights', False))

    def loss(self, inputs: Tensor,
             data_samples: List[PoseDataSample]) -> Dict[str, Tensor]:
        """Losses of a batch (``loss_*``) plus logged ``uw_*`` and λ."""
        out = self.extract_feat(inputs, data_samples)
        targets = MeshTargets.from_data_samples(data_samples, inputs.device)
        losses = self.head.loss(out, targets)
        losses['depth_exponent'] = out.depth_exponent.detach()
        return losses

    @torch.no_grad()
    def predict(self, inputs: Tensor,
                data_samples: List[PoseDataSample]) -> List[PoseDataSample]:
        """Predict and write ``pred_instances`` into the data samples."""
        out = self._inference(inputs, data_samples)
        return self.add_pred_to_datasample(out, data_samples)

    def add_pred_to_datasample(self, out: FusionHeadOutput,
                               data_samples: List[PoseDataSample]
                               ) -> List[PoseDataSample]:
        """Fill ``pred_instances`` (N = 1 per crop) with
        :func:`~mmjotr.structures.pack_mesh_predictions`: ``smpl_pose``,
        ``smpl_betas``, ``cam_t``, root-relative ``vertices`` and
        ``keypoints_3d`` (30 joints), ``keypoints`` in original-image pixels
        and ``bboxes``."""
        return pack_mesh_predictions(data_samples, out.smpl_pose,
                                     out.smpl_betas, out.cam_t, out.vertices,
                                     out.joints_3d, out.joints_crop)
