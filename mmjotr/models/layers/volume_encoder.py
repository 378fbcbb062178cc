# Copyright (c) mmjotr contributors. All rights reserved.
from einops import rearrange
from torch import Tensor, nn

from .positional_encoding import SinusoidPositionalEncoding1D
from .transformer_layers import TransformerEncoder


class VolumeEncoder(nn.Module):
    """JOTR's 3D encoder: self-attention over the voxels of a volume.

    The D·H·W voxels become tokens (token ``d·H·W + h·W + w``); a fixed 1D
    sinusoid table ``pos_embed`` is added to queries and keys of a post-norm
    :class:`TransformerEncoder` with a final LayerNorm (paper Sec. 3.1,
    docs/model.md).

    Note:
        - B: batch, C: embed_dims, D/H/W: volume size

    Args:
        num_positions (int): rows of the position table, at least D·H·W.
        num_layers (int): encoder layers. Defaults to 2.
        embed_dims (int): C. Defaults to 256.
        num_heads (int): attention heads. Defaults to 8.
        feedforward_channels (int): FFN size. Defaults to 1024.
        dropout (float): dropout. Defaults to 0.1.
    """

    def __init__(self,
                 num_positions: int,
                 num_layers: int = 2,
                 embed_dims: int = 256,
                 num_heads: int = 8,
                 feedforward_channels: int = 1024,
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = TransformerEncoder(
            num_layers,
            embed_dims,
            num_heads,
            feedforward_channels,
            dropout,
            final_norm=True)
        self.pos_embed = SinusoidPositionalEncoding1D(num_positions,
                                                      embed_dims)

    def forward(self, volume: Tensor) -> Tensor:
        """Encode a volume.

        Args:
            volume (Tensor[B, C, D, H, W]): features.

        Returns:
            Tensor[B, C, D, H, W]: encoded features.
        """
        depth, height = volume.shape[2:4]
        tokens = rearrange(volume, 'b c d h w -> b (d h w) c')  # (B, DHW, C)
        tokens = self.encoder(tokens, self.pos_embed(tokens.shape[1]))
        return rearrange(
            tokens, 'b (d h w) c -> b c d h w', d=depth,
            h=height)  # (B, C, D, H, W)
