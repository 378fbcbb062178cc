# Copyright (c) mmjotr contributors. All rights reserved.
from dataclasses import dataclass

import torch
from einops import rearrange
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmjotr.models.layers import VolumeEncoder
from mmjotr.models.utils.typing import ConfigType, OptMultiConfig
from mmjotr.registry import MODELS


@dataclass
class LiftingOutput:
    """Output of :class:`LiftingNeck`.

    Note:
        - B: batch, C: embed_dims, D/H/W: volume size

    Attributes:
        volume (Tensor[B, C, D, H, W]): H3D.
        depth_exponent (Tensor): the clamped depth exponent λ (scalar).
    """
    volume: Tensor
    depth_exponent: Tensor


@MODELS.register_module()
class LiftingNeck(BaseModule):
    """Lift F2D to a 3D feature volume H3D (paper Sec. 3.1).

    1×1 Conv2d to C·D channels, reshaped ``b (c d) h w -> b c d h w``;
    concatenation of the rescaled relative coordinates (RRC) grid, channels
    ``[Z, Y, X]`` with ``X = w / W``, ``Y = h / H``, ``Z = (d / D)^λ`` and a
    learnable depth exponent λ (clamped to ``depth_exponent_range`` in
    forward); 1×1×1 Conv3d back to C; then the 3D encoder
    :class:`~mmjotr.models.layers.VolumeEncoder` over the D·H·W voxels.

    Note:
        - B: batch, C: embed_dims, D: depth, H/W: feature size

    Args:
        in_channels (int): F2D channels. Defaults to 2048.
        embed_dims (int): C. Defaults to 256.
        depth (int): D. Defaults to 8.
        feature_size (int): H = W of F2D. Defaults to 8.
        init_depth_exponent (float): initial λ. Defaults to 3.0.
        depth_exponent_range (tuple[float]): clamp of λ. Defaults to
            (1, 20).
        encoder (dict): ``VolumeEncoder`` arguments (``num_layers``,
            ``num_heads``, ``feedforward_channels``, ``dropout``), as the
            fusion head's ``encoder``.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 embed_dims: int = 256,
                 depth: int = 8,
                 feature_size: int = 8,
                 init_depth_exponent: float = 3.0,
                 depth_exponent_range: tuple = (1., 20.),
                 encoder: ConfigType = dict(
                     num_layers=2,
                     num_heads=8,
                     feedforward_channels=1024,
                     dropout=0.1),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.embed_dims = embed_dims
        self.depth = depth
        self.feature_size = feature_size
        self.depth_exponent_range = tuple(depth_exponent_range)
        self.conv2d_to_3d = nn.Conv2d(in_channels, embed_dims * depth, 1)
        self.depth_exponent = nn.Parameter(
            torch.tensor(float(init_depth_exponent)))
        self.conv_3d_coord = nn.Conv3d(embed_dims + 3, embed_dims, 1)
        self.volume_encoder = VolumeEncoder(
            num_positions=depth * feature_size * feature_size,
            embed_dims=embed_dims,
            **encoder)

    def clamped_depth_exponent(self) -> Tensor:
        """λ clamped to ``depth_exponent_range`` (scalar tensor)."""
        return self.depth_exponent.clamp(*self.depth_exponent_range)

    def coordinate_grid(self, depth_exponent: Tensor) -> Tensor:
        """The RRC grid ``Tensor[1, 3, D, H, W]``, channels [Z, Y, X]."""
        size, depth = self.feature_size, self.depth
        device = depth_exponent.device
        z = (torch.arange(depth, device=device) / depth).pow(depth_exponent)
        y = torch.arange(size, device=device) / size
        x = torch.arange(size, device=device) / size
        grid = torch.stack(
            torch.meshgrid(z, y.to(z.dtype), x.to(z.dtype), indexing='ij'),
            dim=0)  # (3, D, H, W)
        return grid[None]

    def forward(self, feat: Tensor) -> LiftingOutput:
        """Lift a feature map.

        Args:
            feat (Tensor[B, in_channels, H, W]): F2D.

        Returns:
            LiftingOutput: H3D ``Tensor[B, C, D, H, W]`` and λ.
        """
        if feat.shape[-2:] != (self.feature_size, self.feature_size):
            raise ValueError(
                f'LiftingNeck expects {self.feature_size}x'
                f'{self.feature_size} features, got {tuple(feat.shape)}')
        volume = rearrange(
            self.conv2d_to_3d(feat), 'b (c d) h w -> b c d h w',
            d=self.depth)  # (B, C, D, H, W)
        depth_exponent = self.clamped_depth_exponent()
        grid = self.coordinate_grid(depth_exponent).to(volume.dtype)
        volume = torch.cat(
            (volume, grid.expand(volume.shape[0], -1, -1, -1, -1)),
            dim=1)  # (B,C+3,D,H,W)
        volume = self.volume_encoder(self.conv_3d_coord(volume))
        return LiftingOutput(volume, depth_exponent)
