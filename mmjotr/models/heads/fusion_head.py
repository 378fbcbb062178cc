# Copyright (c) mmjotr contributors. All rights reserved.
from dataclasses import dataclass
from typing import Dict, List

import torch
from einops import rearrange
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmjotr.body_models import joint_indices
from mmjotr.codecs import crop_to_volume, unit_to_volume
from mmjotr.models.layers import (SinePositionalEncoding2D, TransformerEncoder,
                                  xavier_init_matrices)
from mmjotr.models.necks import LiftingOutput
from mmjotr.models.utils.typing import (ConfigType, OptConfigType,
                                        OptMultiConfig)
from mmjotr.registry import MODELS
from mmjotr.structures import MeshTargets, zero_implausible_betas
from .fusion_decoder import DecoderOutput, FusionDecoder
from .smpl_regressor import SMPLRegression

#: SMPL joints without pose supervision: ankles, toes, wrists, hands.
UNSUPERVISED_SMPL_JOINTS = (7, 8, 10, 11, 20, 21, 22, 23)
#: The six supervised loss terms, in the order of the uncertainty weights;
#: each is configured by the ``loss_<term>`` argument and logged as
#: ``loss_<term>`` (and ``uw_<term>``).
SUPERVISED_TERMS = ('body_joint_voxel', 'smpl_joint_voxel', 'smpl_pose',
                    'smpl_shape', 'body_joint_proj', 'body_joint_cam')


@dataclass
class FusionHeadOutput(SMPLRegression):
    """Everything the fusion head predicts: the :class:`SMPLRegression`
    fields (SMPL parameters, camera, mesh, joints, projection) and these.

    Note:
        - B: batch, J: 15 decoder joints

    Attributes:
        decoder (DecoderOutput): per-layer hidden states, joints in
            [0, 1]^3 and (on request) attention weights.
        joints_voxel (Tensor[B, J, 3]): final decoder joints in the 64³
            joint volume (``mmjotr.codecs.joint_volume``).
        volume (Tensor[B, C, D, H, W]): the neck's H3D (for the
            contrastive losses).
        depth_exponent (Tensor): the neck's λ.
    """
    decoder: DecoderOutput
    joints_voxel: Tensor
    volume: Tensor
    depth_exponent: Tensor


@MODELS.register_module()
class FusionHead(BaseModule):
    """JOTR's fusion transformer and losses (paper Sec. 3.1, 3.3).

    2D branch: a 1×1 conv ``input_proj`` to C, DETR sine positions, a
    post-norm encoder. :class:`FusionDecoder` fuses its tokens with joint
    tokens sampled from H3D; :class:`SMPLRegressor` turns the decoder's
    pose, shape and camera tokens into the SMPL mesh, the JOTR-30 joints
    and their projection. The head computes the six supervised terms
    (:data:`SUPERVISED_TERMS`), their uncertainty weighting and the
    configured 3D joint contrastive losses.

    Note:
        - B: batch, C: embed_dims

    Args:
        body_model_dir (str): the body model directory
            (docs/interfaces.md "Asset layout"), passed to the SMPL
            regressor.
        smpl_regressor (dict): the :class:`SMPLRegressor` (body model,
            VPoser and its checkpoint); ``body_model_dir``, ``embed_dims``
            and ``num_layers`` default to the head's.
        in_channels (int): F2D channels. Defaults to 2048.
        embed_dims (int): C. Defaults to 256.
        volume_size (int): side of the joint volume. Defaults to 64.
        encoder (dict): ``TransformerEncoder`` arguments of the 2D branch
            (``num_layers``, ``num_heads``, ``feedforward_channels``,
            ``dropout``).
        decoder (dict): ``FusionDecoder`` arguments.
        loss_body_joint_voxel, loss_smpl_joint_voxel, loss_smpl_pose,
        loss_smpl_shape, loss_body_joint_proj, loss_body_joint_cam (dict):
            the six supervised terms (paper Eq. 6, docs/model.md).
        uncertainty (dict, optional): weighting of the six terms (its
            ``loss_names`` are :data:`SUPERVISED_TERMS`).
        loss_joint_contrast (dict, optional): joint-to-joint contrast.
        loss_nonjoint_contrast (dict, optional): joint-to-non-joint
            contrast.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 body_model_dir: str,
                 smpl_regressor: ConfigType = dict(type='SMPLRegressor'),
                 in_channels: int = 2048,
                 embed_dims: int = 256,
                 volume_size: int = 64,
                 encoder: ConfigType = dict(num_layers=2),
                 decoder: ConfigType = dict(),
                 loss_body_joint_voxel: ConfigType = dict(
                     type='MaskedL1Loss', loss_weight=1 / 64),
                 loss_smpl_joint_voxel: ConfigType = dict(
                     type='MaskedL1Loss', loss_weight=1 / 64),
                 loss_smpl_pose: ConfigType = dict(type='MaskedL1Loss'),
                 loss_smpl_shape: ConfigType = dict(type='MaskedL1Loss'),
                 loss_body_joint_proj: ConfigType = dict(
                     type='MaskedL1Loss', loss_weight=1 / 8),
                 loss_body_joint_cam: ConfigType = dict(
                     type='MaskedL1Loss', loss_weight=5.),
                 uncertainty: OptConfigType = dict(
                     type='UncertaintyWeighting'),
                 loss_joint_contrast: OptConfigType = None,
                 loss_nonjoint_contrast: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.volume_size = volume_size
        self.input_proj = nn.Conv2d(in_channels, embed_dims, 1)
        self.pos_embed_2d = SinePositionalEncoding2D(embed_dims // 2)
        self.encoder = TransformerEncoder(embed_dims=embed_dims, **encoder)
        self.decoder = FusionDecoder(embed_dims=embed_dims, **decoder)
        smpl_regressor = dict(smpl_regressor)
        smpl_regressor.setdefault('body_model_dir', body_model_dir)
        smpl_regressor.setdefault('embed_dims', embed_dims)
        smpl_regressor.setdefault('num_layers', len(self.decoder.layers))
        self.smpl_regressor = MODELS.build(smpl_regressor)
        self.register_buffer(
            'decoder_joints',
            torch.tensor(joint_indices('jotr_30', 'jotr_15')),
            persistent=False)
        if self.decoder.num_joints != len(self.decoder_joints):
            raise ValueError(
                f'FusionHead: the decoder regresses the 15 JOTR-15 joints, '
                f'got decoder.num_joints={self.decoder.num_joints}')
        pose_mask = torch.ones(24, 3)
        pose_mask[list(UNSUPERVISED_SMPL_JOINTS)] = 0
        self.register_buffer(
            'pose_mask', pose_mask.flatten(), persistent=False)
        self.losses = nn.ModuleDict({
            name: MODELS.build(cfg)
            for name, cfg in zip(SUPERVISED_TERMS, (
                loss_body_joint_voxel, loss_smpl_joint_voxel, loss_smpl_pose,
                loss_smpl_shape, loss_body_joint_proj, loss_body_joint_cam))
        })
        self.uncertainty_weighting = None
        if uncertainty:
            uncertainty = dict(uncertainty)
            names = tuple(
                uncertainty.setdefault('loss_names', SUPERVISED_TERMS))
            if names != SUPERVISED_TERMS:
                raise ValueError(f'FusionHead: uncertainty.loss_names must be '
                                 f'{SUPERVISED_TERMS} (or unset), got {names}')
            self.uncertainty_weighting = MODELS.build(uncertainty)
        self.contrast = nn.ModuleDict({
            name: MODELS.build(cfg)
            for name, cfg in (('joint_contrast', loss_joint_contrast),
                              ('nonjoint_contrast', loss_nonjoint_contrast))
            if cfg is not None
        })

    @property
    def body_model(self) -> nn.Module:
        """The SMPL layer of the regressor (e.g. for its ``faces``)."""
        return self.smpl_regressor.body_model

    def init_weights(self) -> None:
        """Default init, xavier on the transformer encoder.

        ``super().init_weights()`` also runs ``FusionDecoder.init_weights``
        and ``SMPLRegressor.init_weights`` (VPoser weights): mmengine calls
        it on every child that defines it.
        """
        super().init_weights()
        xavier_init_matrices([self.encoder])

    def forward(self,
                feat: Tensor,
                lifted: LiftingOutput,
                need_weights: bool = False) -> FusionHeadOutput:
        """Predict SMPL parameters, mesh, joints and projections.

        Args:
            feat (Tensor[B, in_channels, H, W]): F2D.
            lifted (LiftingOutput): the neck's H3D and λ.
            need_weights (bool): keep the decoder's attention weights.

        Returns:
            FusionHeadOutput
        """
        tokens = rearrange(self.input_proj(feat),
                           'b c h w -> b (h w) c')  # (B, HW, C)
        pos = rearrange(
            self.pos_embed_2d(*feat.shape[-2:], device=feat.device),
            'b c h w -> b (h w) c')  # (1, HW, C)
        memory = self.encoder(tokens, pos)
        dec = self.decoder(memory, pos, lifted.volume, lifted.depth_exponent,
                           need_weights)
        smpl = self.smpl_regressor(dec.hidden)
        return FusionHeadOutput(
            **vars(smpl),
            decoder=dec,
            joints_voxel=unit_to_volume(dec.joints[-1], self.volume_size),
            volume=lifted.volume,
            depth_exponent=lifted.depth_exponent)

    def loss(self, out: FusionHeadOutput,
             targets: MeshTargets) -> Dict[str, Tensor]:
        """The training losses (``loss_*``) and logged values (paper Eq. 6).

        Args:
            out (FusionHeadOutput): :meth:`forward` output.
            targets (MeshTargets): batched ground truth.

        Returns:
            dict[str, Tensor]: ``loss_<term>`` for the six supervised terms
            (uncertainty-weighted when configured) and the configured
            contrastive terms; ``uw_<term>`` uncertainty weights.
        """
        raw = self.supervised_losses(out, targets)
        logs = {}
        if self.uncertainty_weighting is not None:
            raw, logs = self.uncertainty_weighting(raw)
        losses = {f'loss_{name}': value for name, value in raw.items()}
        idx = self.decoder_joints
        for name, contrast in self.contrast.items():
            losses[f'loss_{name}'] = contrast(out.volume,
                                              out.decoder.joints[-1],
                                              targets.joints_voxel[:, idx],
                                              targets.joints_trunc[:, idx],
                                              targets.is_3d,
                                              out.depth_exponent)
        losses.update(logs)
        return losses

    def supervised_losses(self, out: FusionHeadOutput,
                          targets: MeshTargets) -> Dict[str, Tensor]:
        """The six unweighted masked L1 terms, keyed by term name."""
        idx = self.decoder_joints
        is_3d = targets.is_3d[:, None, None]
        trunc = targets.joints_trunc[:, idx, None]  # (B, J, 1)
        joint_voxel_mask = torch.cat((trunc, trunc, trunc * is_3d), dim=-1)
        smpl_valid = targets.smpl_valid[:, None]
        smpl_trunc = targets.smpl_joints_trunc[:, idx, None] * smpl_valid[...,
                                                                          None]
        betas = zero_implausible_betas(targets.smpl_betas)
        joints_cam = out.joints_3d - out.joints_3d[:, :1]  # root-relative
        terms = {
            'body_joint_voxel':
            (out.joints_voxel, targets.joints_voxel[:, idx], joint_voxel_mask),
            'smpl_joint_voxel':
            (out.joints_voxel, targets.smpl_joints_voxel[:, idx], smpl_trunc),
            'smpl_pose': (out.smpl_pose, targets.smpl_pose,
                          self.pose_mask[None] * smpl_valid),
            'smpl_shape': (out.smpl_betas, betas, smpl_valid),
            'body_joint_proj':
            (crop_to_volume(out.joints_crop, volume_size=self.volume_size),
             targets.joints_voxel[..., :2], targets.joints_trunc[..., None]),
            'body_joint_cam':
            (joints_cam, targets.joints_cam,
             (targets.joints_valid * targets.is_3d[:, None])[..., None]),
        }
        return {
            name: self.losses[name](pred, target, mask)
            for name, (pred, target, mask) in terms.items()
        }

    @staticmethod
    def attention_maps(out: FusionHeadOutput) -> List[Tensor]:
        """Per-layer cross-attention weights (requires ``need_weights``)."""
        if out.decoder.attention is None:
            raise ValueError('attention weights were not requested; call '
                             'the head with need_weights=True')
        return out.decoder.attention
