# Copyright (c) mmjotr contributors. All rights reserved.
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import torch
from einops import rearrange
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmjotr.body_models import joint_indices, load_vposer_weights
from mmjotr.geometry import (cam_param_to_translation, crop_to_heatmap,
                             perspective_projection, rot6d_to_rotmat,
                             rotmat_to_axis_angle)
from mmjotr.models.layers import (CascadeLinear, SinePositionalEncoding2D,
                                  TransformerEncoder, xavier_init_matrices)
from mmjotr.models.necks import LiftingOutput
from mmjotr.models.utils.typing import (ConfigType, OptConfigType,
                                        OptMultiConfig)
from mmjotr.registry import MODELS
from .fusion_decoder import DecoderOutput, FusionDecoder
from .mesh_targets import MeshTargets

#: SMPL joints without pose supervision: ankles, toes, wrists, hands.
UNSUPERVISED_SMPL_JOINTS = (7, 8, 10, 11, 20, 21, 22, 23)
VPOSER_SNAPSHOT = 'vposer_v1_0/snapshots/TR00_E096.pt'
SUPERVISED_TERMS = ('body_joint_img', 'smpl_joint_img', 'smpl_pose',
                    'smpl_shape', 'body_joint_proj', 'body_joint_cam')


@dataclass
class FusionHeadOutput:
    """Everything the fusion head predicts.

    Note:
        - B: batch, V: vertices, K: 30 joints, J: 15 decoder joints

    Attributes:
        decoder (DecoderOutput): per-layer hidden states, joints in
            [0, 1]^3 and (on request) attention weights.
        smpl_pose (Tensor[B, 72]): axis-angle pose.
        smpl_betas (Tensor[B, 10]): shape.
        cam_param (Tensor[B, 3]): raw camera output.
        cam_t (Tensor[B, 3]): camera translation (m, crop camera).
        vertices (Tensor[B, V, 3]): SMPL mesh in the body frame (m).
        joints_3d (Tensor[B, K, 3]): JOTR-30 joints in the body frame (m).
        joints_crop (Tensor[B, K, 2]): projection in crop pixels.
        joints_img (Tensor[B, J, 3]): final decoder joints in heatmap space.
        volume (Tensor[B, C, D, H, W]): the neck's H3D (for the
            contrastive losses).
        exponent (Tensor): the neck's λ.
    """
    decoder: DecoderOutput
    smpl_pose: Tensor
    smpl_betas: Tensor
    cam_param: Tensor
    cam_t: Tensor
    vertices: Tensor
    joints_3d: Tensor
    joints_crop: Tensor
    joints_img: Tensor
    volume: Tensor
    exponent: Tensor


def _keep_out_of_checkpoints(module: nn.Module) -> None:
    """Freeze a module and make its buffers non-persistent (licensed
    body-model arrays are loaded from files, never saved)."""
    for sub in module.modules():
        for name, buf in list(sub.named_buffers(recurse=False)):
            sub.register_buffer(name, buf, persistent=False)
    module.requires_grad_(False)


@MODELS.register_module()
class FusionHead(BaseModule):
    """JOTR's fusion transformer, SMPL heads and losses (spec §1-4).

    2D branch: 1×1 conv ``down_linear`` to C, DETR sine positions, a
    post-norm encoder. :class:`FusionDecoder` fuses its tokens with joint
    tokens sampled from H3D; cascade linear heads give the root 6D and
    VPoser latent (pose token), betas (shape token) and camera (camera
    token); VPoser decodes the body pose and the body model gives the mesh,
    the JOTR-30 joints and their projection.

    Note:
        - B: batch, C: embed_dims

    Args:
        in_channels (int): F2D channels. Defaults to 2048.
        embed_dims (int): C. Defaults to 256.
        heatmap_size (int): size of the joint target space. Defaults to 64.
        encoder (dict): ``TransformerEncoder`` arguments of the 2D branch.
        decoder (dict): ``FusionDecoder`` arguments.
        body_model_dir (str): the body model directory
            (docs/interfaces.md "Asset layout").
        body_model (dict): the SMPL layer (JOTR-30 joints); its
            ``body_model_dir`` defaults to the one above.
        vposer (dict): the frozen VPoser v1 prior.
        vposer_checkpoint (str, optional): VPoser snapshot (or JOTR
            checkpoint) loaded by ``init_weights``, relative to
            ``body_model_dir`` unless absolute; None skips loading (the
            weights then come with a JOTR checkpoint).
        loss_body_joint_img, loss_smpl_joint_img, loss_smpl_pose,
        loss_smpl_shape, loss_body_joint_proj, loss_body_joint_cam (dict):
            the six supervised terms (spec §4).
        uncertainty (dict, optional): weighting of the six terms.
        loss_joint_contrast (dict, optional): joint-to-joint contrast.
        loss_nonjoint_contrast (dict, optional): joint-to-non-joint
            contrast.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 body_model_dir: str,
                 body_model: ConfigType = dict(type='SMPL'),
                 vposer: ConfigType = dict(type='VPoserV1'),
                 vposer_checkpoint: Optional[str] = VPOSER_SNAPSHOT,
                 in_channels: int = 2048,
                 embed_dims: int = 256,
                 heatmap_size: int = 64,
                 encoder: ConfigType = dict(num_layers=2),
                 decoder: ConfigType = dict(),
                 loss_body_joint_img: ConfigType = dict(
                     type='MaskedL1Loss', loss_weight=1 / 64),
                 loss_smpl_joint_img: ConfigType = dict(
                     type='MaskedL1Loss', loss_weight=1 / 64),
                 loss_smpl_pose: ConfigType = dict(type='MaskedL1Loss'),
                 loss_smpl_shape: ConfigType = dict(type='MaskedL1Loss'),
                 loss_body_joint_proj: ConfigType = dict(
                     type='MaskedL1Loss', loss_weight=1 / 8),
                 loss_body_joint_cam: ConfigType = dict(
                     type='MaskedL1Loss', loss_weight=5.),
                 uncertainty: OptConfigType = dict(
                     type='UncertaintyWeighting', loss_names=SUPERVISED_TERMS),
                 loss_joint_contrast: OptConfigType = None,
                 loss_nonjoint_contrast: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.heatmap_size = heatmap_size
        self.down_linear = nn.Conv2d(in_channels, embed_dims, 1)
        self.pos_embed_2d = SinePositionalEncoding2D(embed_dims // 2)
        self.encoder = TransformerEncoder(embed_dims=embed_dims, **encoder)
        self.decoder = FusionDecoder(embed_dims=embed_dims, **decoder)
        num_layers = len(self.decoder.layers)
        self.cascade_root_pose = CascadeLinear(embed_dims, 6, num_layers)
        self.cascade_pose = CascadeLinear(embed_dims, 32, num_layers)
        self.cascade_shape = CascadeLinear(embed_dims, 10, num_layers)
        self.cascade_cam = CascadeLinear(embed_dims, 3, num_layers)
        self.vposer = MODELS.build(vposer)
        self.vposer_checkpoint = None if vposer_checkpoint is None else \
            osp.join(body_model_dir, vposer_checkpoint)
        body_model = dict(body_model)
        body_model.setdefault('body_model_dir', body_model_dir)
        self.body_model = MODELS.build(body_model)
        _keep_out_of_checkpoints(self.body_model)
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
                loss_body_joint_img, loss_smpl_joint_img, loss_smpl_pose,
                loss_smpl_shape, loss_body_joint_proj, loss_body_joint_cam))
        })
        self.uncertainty_weighting = (
            MODELS.build(uncertainty) if uncertainty else None)
        self.contrast = nn.ModuleDict({
            name: MODELS.build(cfg)
            for name, cfg in (('joint_contrast', loss_joint_contrast),
                              ('nonjoint_contrast', loss_nonjoint_contrast))
            if cfg is not None
        })

    def init_weights(self) -> None:
        """Default init, xavier on the transformer, then VPoser weights.

        ``super().init_weights()`` also runs ``FusionDecoder.init_weights``
        (mmengine calls it on every child that defines it).
        """
        super().init_weights()
        xavier_init_matrices([self.encoder])
        if self.vposer_checkpoint is not None:
            load_vposer_weights(self.vposer, self.vposer_checkpoint)

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
        tokens = rearrange(self.down_linear(feat),
                           'b c h w -> b (h w) c')  # (B, HW, C)
        pos = rearrange(
            self.pos_embed_2d(*feat.shape[-2:], device=feat.device),
            'b c h w -> b (h w) c')  # (1, HW, C)
        memory = self.encoder(tokens, pos)
        dec = self.decoder(memory, pos, lifted.volume, lifted.exponent,
                           need_weights)
        pose_h = [h[:, 0] for h in dec.hidden]  # L x (B, C)
        root_6d = self.cascade_root_pose(pose_h)
        latent = self.cascade_pose(pose_h)
        betas = self.cascade_shape([h[:, 1] for h in dec.hidden])
        cam_param = self.cascade_cam([h[:, 2] for h in dec.hidden])

        root = torch.nan_to_num(
            rotmat_to_axis_angle(rot6d_to_rotmat(root_6d)), nan=0.)
        body = self.vposer(latent).flatten(1)  # decode: (B, 63)
        hands = body.new_zeros(body.shape[0], 6)
        smpl_pose = torch.cat((root, body, hands), dim=1)  # (B, 72)
        smpl = self.body_model(smpl_pose, betas)
        cam_t = cam_param_to_translation(cam_param)
        joints_crop = perspective_projection(smpl.joints, cam_t)
        return FusionHeadOutput(dec, smpl_pose, betas, cam_param, cam_t,
                                smpl.vertices, smpl.joints, joints_crop,
                                dec.joints[-1] * self.heatmap_size,
                                lifted.volume, lifted.exponent)

    def loss(self, out: FusionHeadOutput,
             targets: MeshTargets) -> Dict[str, Tensor]:
        """The training losses (``loss_*``) and logged values (spec §4).

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
                                              targets.joints_img[:, idx],
                                              targets.joints_trunc[:, idx],
                                              targets.is_3d, out.exponent)
        losses.update(logs)
        return losses

    def supervised_losses(self, out: FusionHeadOutput,
                          targets: MeshTargets) -> Dict[str, Tensor]:
        """The six unweighted masked L1 terms, keyed by term name."""
        idx = self.decoder_joints
        is_3d = targets.is_3d[:, None, None]
        trunc = targets.joints_trunc[:, idx, None]  # (B, J, 1)
        joint_img_mask = torch.cat((trunc, trunc, trunc * is_3d), dim=-1)
        smpl_valid = targets.smpl_valid[:, None]
        smpl_trunc = targets.smpl_joints_trunc[:, idx, None] * smpl_valid[...,
                                                                          None]
        betas = targets.smpl_betas
        betas = betas * (betas.abs() <= 3).all(dim=1, keepdim=True)
        joints_cam = out.joints_3d - out.joints_3d[:, :1]  # root-relative
        terms = {
            'body_joint_img':
            (out.joints_img, targets.joints_img[:, idx], joint_img_mask),
            'smpl_joint_img':
            (out.joints_img, targets.smpl_joints_img[:, idx], smpl_trunc),
            'smpl_pose': (out.smpl_pose, targets.smpl_pose,
                          self.pose_mask[None] * smpl_valid),
            'smpl_shape': (out.smpl_betas, betas, smpl_valid),
            'body_joint_proj':
            (crop_to_heatmap(out.joints_crop), targets.joints_img[..., :2],
             targets.joints_trunc[..., None]),
            'body_joint_cam':
            (joints_cam, targets.joints_cam,
             (targets.joints_valid * targets.is_3d[:, None])[..., None]),
        }
        return {
            name: self.losses[name](pred, target, mask)
            for name, (pred, target, mask) in terms.items()
        }

    def root_relative(self, out: FusionHeadOutput) -> Tuple[Tensor, Tensor]:
        """Vertices and JOTR-30 joints relative to the pelvis (joint 0)."""
        root = out.joints_3d[:, :1]
        return out.vertices - root, out.joints_3d - root

    @staticmethod
    def attention_maps(out: FusionHeadOutput) -> List[Tensor]:
        """Per-layer cross-attention weights (requires ``need_weights``)."""
        if out.decoder.attention is None:
            raise ValueError('attention weights were not requested; call '
                             'the head with need_weights=True')
        return out.decoder.attention
