# Copyright (c) mmjotr contributors. All rights reserved.
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmjotr.body_models import load_vposer_weights
from mmjotr.geometry import (cam_param_to_translation, perspective_projection,
                             rot6d_to_rotmat, rotmat_to_axis_angle)
from mmjotr.models.layers import CascadeLinear
from mmjotr.models.utils.typing import ConfigType, OptMultiConfig
from mmjotr.registry import MODELS

VPOSER_SNAPSHOT = 'vposer_v1_0/snapshots/TR00_E096.pt'


@dataclass
class SMPLRegression:
    """What :class:`SMPLRegressor` predicts.

    Note:
        - B: batch, V: vertices, K: 30 joints

    Attributes:
        smpl_pose (Tensor[B, 72]): axis-angle pose.
        smpl_betas (Tensor[B, 10]): shape.
        cam_param (Tensor[B, 3]): raw camera output.
        cam_t (Tensor[B, 3]): camera translation (m, crop camera).
        vertices (Tensor[B, V, 3]): SMPL mesh in the body frame (m).
        joints_3d (Tensor[B, K, 3]): JOTR-30 joints in the body frame (m).
        joints_crop (Tensor[B, K, 2]): their projection in crop pixels.
    """
    smpl_pose: Tensor
    smpl_betas: Tensor
    cam_param: Tensor
    cam_t: Tensor
    vertices: Tensor
    joints_3d: Tensor
    joints_crop: Tensor


def _keep_out_of_checkpoints(module: nn.Module) -> None:
    """Freeze a module and make its buffers non-persistent (licensed
    body-model arrays are loaded from files, never saved)."""
    for sub in module.modules():
        for name, buf in list(sub.named_buffers(recurse=False)):
            sub.register_buffer(name, buf, persistent=False)
    module.requires_grad_(False)


@MODELS.register_module()
class SMPLRegressor(BaseModule):
    """From the decoder's SMPL tokens to a posed, projected SMPL mesh.

    Cascade linear heads over the decoder layers give the root rotation in
    6D and the 32-d VPoser latent (pose token), the betas (shape token) and
    the camera (camera token); the root becomes axis-angle, the frozen
    VPoser decodes the 21 body joints (hands zero), the body model gives
    the mesh and the JOTR-30 joints, and the crop camera
    (:func:`~mmjotr.geometry.cam_param_to_translation`) projects them
    (paper Sec. 3.1, Eq. 2; docs/model.md).

    Note:
        - B: batch, C: embed_dims, L: decoder layers, Q: decoder queries

    Args:
        body_model_dir (str): the body model directory
            (docs/interfaces.md "Asset layout").
        body_model (dict): the SMPL layer (JOTR-30 joints); its
            ``body_model_dir`` defaults to the one above.
        vposer (dict): the frozen VPoser v1 prior.
        vposer_checkpoint (str, optional): VPoser snapshot (or JOTR
            checkpoint) loaded by ``init_weights``, relative to
            ``body_model_dir`` unless absolute; None skips loading (the
            weights then come with a JOTR checkpoint).
        embed_dims (int): C. Defaults to 256.
        num_layers (int): L, the decoder layers. Defaults to 4.
        init_cfg (dict, optional): initialisation config.
    """
    #: decoder query index of the pose, shape and camera tokens
    POSE_TOKEN, SHAPE_TOKEN, CAMERA_TOKEN = 0, 1, 2

    def __init__(self,
                 body_model_dir: str,
                 body_model: ConfigType = dict(type='SMPL'),
                 vposer: ConfigType = dict(type='VPoserV1'),
                 vposer_checkpoint: Optional[str] = VPOSER_SNAPSHOT,
                 embed_dims: int = 256,
                 num_layers: int = 4,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
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

    def init_weights(self) -> None:
        """Default init, then the VPoser weights."""
        super().init_weights()
        if self.vposer_checkpoint is not None:
            load_vposer_weights(self.vposer, self.vposer_checkpoint)

    def forward(self, hidden: List[Tensor]) -> SMPLRegression:
        """Regress SMPL from the decoder's per-layer hidden states.

        Args:
            hidden (list[Tensor[B, Q, C]]): L normed decoder outputs; the
                first three queries are the pose, shape and camera tokens.

        Returns:
            SMPLRegression
        """
        pose_h = [h[:, self.POSE_TOKEN] for h in hidden]  # L x (B, C)
        root_6d = self.cascade_root_pose(pose_h)
        latent = self.cascade_pose(pose_h)
        betas = self.cascade_shape([h[:, self.SHAPE_TOKEN] for h in hidden])
        cam_param = self.cascade_cam([h[:, self.CAMERA_TOKEN] for h in hidden])

        root = torch.nan_to_num(
            rotmat_to_axis_angle(rot6d_to_rotmat(root_6d)), nan=0.)
        body = self.vposer(latent).flatten(1)  # decode: (B, 63)
        hands = body.new_zeros(body.shape[0], 6)
        smpl_pose = torch.cat((root, body, hands), dim=1)  # (B, 72)
        smpl = self.body_model(smpl_pose, betas)
        cam_t = cam_param_to_translation(cam_param)
        joints_crop = perspective_projection(smpl.joints, cam_t)
        return SMPLRegression(smpl_pose, betas, cam_param, cam_t,
                              smpl.vertices, smpl.joints, joints_crop)
