# Copyright (c) mmjotr contributors. All rights reserved.
from typing import Optional

import torch
from mmcv.cnn import build_norm_layer
from mmengine.model import constant_init, normal_init
from mmpose.models.backbones import ResNet
from torch import Tensor, nn

from mmjotr.models.layers import render_gaussian_heatmaps
from mmjotr.models.utils.typing import ConfigType
from mmjotr.registry import MODELS


@MODELS.register_module()
class PoseGuidedResNet(ResNet):
    """ResNet whose early feature is fused with 2D keypoint heatmaps.

    mmpose's ``ResNet`` (torchvision-style Bottleneck with the stride on the
    3×3 conv; module names ``conv1, bn1, layer1..4`` as torchvision and the
    SimpleBaseline checkpoints) split after the stem: conv1+bn+relu+maxpool
    gives the early feature (B, 64, H/4, W/4), Gaussian heatmaps of the
    input keypoints are concatenated to it and fused by
    ``pose2feat = Conv3×3 + BN + ReLU`` (the reference "Pose2Feat"), then
    layer1..layer4 run. In training a random ``joint_drop_prob`` share of
    the present joints is dropped before rendering (docs/model.md, "Backbone").

    Load mmpose's ``td-hm_res50`` COCO checkpoint with
    ``init_cfg=dict(type='Pretrained', prefix='backbone.', checkpoint=...)``
    (``pose2feat`` keeps its initialisation). ``init_weights`` initialises
    ``pose2feat`` like the release after the ResNet's own initialisation:
    conv weights ~ N(0, ``pose2feat_std``), bias 0, BN weight 1 and bias 0.

    Note:
        - B: batch, K: input joints, S: heatmap size

    Args:
        depth (int): ResNet depth. Defaults to 50.
        num_joints (int): K. Defaults to 30.
        heatmap_size (int): S, must equal the early feature size.
            Defaults to 64.
        heatmap_sigma (float): Gaussian σ in heatmap pixels. Defaults to 2.5.
        joint_drop_prob (float): training-time joint drop probability.
            Defaults to 0.1.
        norm_cfg (dict): norm layers (use ``SyncBN`` for DDP).
            Defaults to ``dict(type='BN')``.
        zero_init_residual (bool): see mmpose's ResNet. Defaults to False
            (torchvision's and the reference's initialisation).
        pose2feat_std (float, optional): std of the release's normal
            initialisation of the Pose2Feat conv. Defaults to 0.001. None
            leaves Pose2Feat to ``init_cfg`` (mmpose's ResNet default:
            Kaiming normal; with a ``Pretrained`` init_cfg: PyTorch's
            default).
        pose2feat_heatmap_std (float, optional): std of the Pose2Feat
            conv weights that read the input-pose heatmaps (the other
            weights keep ``pose2feat_std``). Defaults to None: the same
            ``pose2feat_std`` (the release). The tiny SynthOcc configs set
            0.1: a backbone trained from scratch has no image features yet,
            and heatmap weights 100x the image weights let it read the pose
            before the textures (docs/synthocc.md).
        **kwargs: other arguments of mmpose's ``ResNet``.
    """

    def __init__(self,
                 depth: int = 50,
                 num_joints: int = 30,
                 heatmap_size: int = 64,
                 heatmap_sigma: float = 2.5,
                 joint_drop_prob: float = 0.1,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 zero_init_residual: bool = False,
                 pose2feat_std: Optional[float] = 0.001,
                 pose2feat_heatmap_std: Optional[float] = None,
                 **kwargs) -> None:
        super().__init__(
            depth,
            norm_cfg=norm_cfg,
            zero_init_residual=zero_init_residual,
            **kwargs)
        self.num_joints = num_joints
        self.heatmap_size = heatmap_size
        self.heatmap_sigma = heatmap_sigma
        self.joint_drop_prob = joint_drop_prob
        self.pose2feat_std = pose2feat_std
        self.pose2feat_heatmap_std = pose2feat_heatmap_std
        channels = self.stem_channels
        self.pose2feat = nn.Sequential(
            nn.Conv2d(channels + num_joints, channels, 3, padding=1),
            build_norm_layer(norm_cfg, channels)[1], nn.ReLU(inplace=True))

    def init_weights(self) -> None:
        """The ResNet's initialisation (``init_cfg``), then the release's
        Pose2Feat initialisation unless ``pose2feat_std`` is None."""
        already = self.is_init
        super().init_weights()
        if self.pose2feat_std is not None and not already:
            normal_init(self.pose2feat[0], mean=0., std=self.pose2feat_std)
            constant_init(self.pose2feat[1], val=1., bias=0.)
        if self.pose2feat_heatmap_std is not None and not already:
            # input channels: the early feature, then the K heatmaps
            nn.init.normal_(
                self.pose2feat[0].weight[:, self.stem_channels:],
                mean=0.,
                std=self.pose2feat_heatmap_std)

    def train(self, mode: bool = True) -> 'PoseGuidedResNet':
        """As mmpose's ``ResNet.train`` (frozen stages, norm_eval), but
        returning the module like ``nn.Module.train``."""
        super().train(mode)
        return self

    def render_heatmaps(self, keypoints: Tensor,
                        keypoint_mask: Tensor) -> Tensor:
        """Heatmaps of the input keypoints, with joint drop in training.

        Args:
            keypoints (Tensor[B, K, 2]): in heatmap pixels.
            keypoint_mask (Tensor[B, K]): 1 where present.

        Returns:
            Tensor[B, K, S, S]
        """
        if keypoints.shape[1:] != (self.num_joints, 2):
            raise ValueError(
                f'PoseGuidedResNet expects keypoints of shape (B, '
                f'{self.num_joints}, 2), got {tuple(keypoints.shape)}')
        mask = keypoint_mask.to(keypoints.dtype)
        if self.training and self.joint_drop_prob > 0:
            keep = torch.rand_like(mask) >= self.joint_drop_prob
            mask = mask * keep
        return render_gaussian_heatmaps(keypoints, mask, self.heatmap_size,
                                        self.heatmap_sigma)

    def forward(self, img: Tensor, keypoints: Tensor,
                keypoint_mask: Tensor) -> Tensor:
        """Extract the pose-guided feature map.

        Args:
            img (Tensor[B, 3, H, W]): RGB crops, pixel / 255.
            keypoints (Tensor[B, K, 2]): input 2D pose, heatmap pixels.
            keypoint_mask (Tensor[B, K]): 1 where the joint is present.

        Returns:
            Tensor[B, 2048, H/32, W/32]: F2D.
        """
        x = self.maxpool(self.relu(self.norm1(self.conv1(img))))
        heatmaps = self.render_heatmaps(keypoints, keypoint_mask)
        if heatmaps.shape[-2:] != x.shape[-2:]:
            raise ValueError(f'heatmap size {self.heatmap_size} does not '
                             f'match the early feature {tuple(x.shape[-2:])}')
        x = self.pose2feat(torch.cat((x, heatmaps), dim=1))  # (B, 64+K, ...)
        for name in self.res_layers:
            x = getattr(self, name)(x)
        return x
