# Copyright (c) mmjotr contributors. All rights reserved.
from dataclasses import dataclass

import torch
from einops import rearrange
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmjotr.models.layers import (SinusoidPositionalEncoding1D,
                                  TransformerEncoder)
from mmjotr.models.utils.typing import OptMultiConfig
from mmjotr.registry import MODELS


@dataclass
class LiftingOutput:
    """Output of :class:`LiftingNeck`.

    Note:
        - B: batch, C: embed_dims, D/H/W: volume size

    Attributes:
        volume (Tensor[B, C, D, H, W]): H3D.
        exponent (Tensor): the clamped depth exponent λ (scalar).
    """
    volume: Tensor
    exponent: Tensor


@MODELS.register_module()
class LiftingNeck(BaseModule):
    """Lift F2D to a 3D feature volume H3D (spec §1).

    1×1 Conv2d to C·D channels, reshaped ``b (c d) h w -> b c d h w``;
    concatenation of the rescaled relative coordinates (RRC) grid, channels
    ``[Z, Y, X]`` with ``X = w / W``, ``Y = h / H``, ``Z = (d / D)^λ`` and a
    learnable λ (clamped to ``exponent_range`` in forward); 1×1×1 Conv3d
    back to C; then a post-norm transformer encoder over the D·H·W voxel
    tokens (token ``d·H·W + h·W + w``) with a fixed 1D sinusoid position
    table added to queries and keys, and a final LayerNorm.

    Note:
        - B: batch, C: embed_dims, D: depth, H/W: feature size

    Args:
        in_channels (int): F2D channels. Defaults to 2048.
        embed_dims (int): C. Defaults to 256.
        depth (int): D. Defaults to 8.
        feature_size (int): H = W of F2D. Defaults to 8.
        init_exponent (float): initial λ. Defaults to 3.0.
        exponent_range (tuple[float]): clamp of λ. Defaults to (1, 20).
        num_layers (int): encoder layers. Defaults to 2.
        num_heads (int): attention heads. Defaults to 8.
        feedforward_channels (int): FFN size. Defaults to 1024.
        dropout (float): dropout. Defaults to 0.1.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 embed_dims: int = 256,
                 depth: int = 8,
                 feature_size: int = 8,
                 init_exponent: float = 3.0,
                 exponent_range: tuple = (1., 20.),
                 num_layers: int = 2,
                 num_heads: int = 8,
                 feedforward_channels: int = 1024,
                 dropout: float = 0.1,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.embed_dims = embed_dims
        self.depth = depth
        self.feature_size = feature_size
        self.exponent_range = tuple(exponent_range)
        self.conv2d_to_3d = nn.Conv2d(in_channels, embed_dims * depth, 1)
        self.exponent = nn.Parameter(torch.tensor(float(init_exponent)))
        self.conv_3d_coord = nn.Conv3d(embed_dims + 3, embed_dims, 1)
        self.encoder = TransformerEncoder(
            num_layers,
            embed_dims,
            num_heads,
            feedforward_channels,
            dropout,
            final_norm=True)
        self.pos_embed = SinusoidPositionalEncoding1D(
            depth * feature_size * feature_size, embed_dims)

    def clamped_exponent(self) -> Tensor:
        """λ clamped to ``exponent_range`` (scalar tensor)."""
        return self.exponent.clamp(*self.exponent_range)

    def coordinate_grid(self, exponent: Tensor) -> Tensor:
        """The RRC grid ``Tensor[1, 3, D, H, W]``, channels [Z, Y, X]."""
        size, depth = self.feature_size, self.depth
        device = exponent.device
        z = (torch.arange(depth, device=device) / depth).pow(exponent)
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
        exponent = self.clamped_exponent()
        grid = self.coordinate_grid(exponent).to(volume.dtype)
        volume = torch.cat(
            (volume, grid.expand(volume.shape[0], -1, -1, -1, -1)),
            dim=1)  # (B,C+3,D,H,W)
        volume = self.conv_3d_coord(volume)
        tokens = rearrange(volume, 'b c d h w -> b (d h w) c')  # (B, DHW, C)
        tokens = self.encoder(tokens, self.pos_embed(tokens.shape[1]))
        volume = rearrange(
            tokens,
            'b (d h w) c -> b c d h w',
            d=self.depth,
            h=self.feature_size)  # (B, C, D, H, W)
        return LiftingOutput(volume, exponent)
