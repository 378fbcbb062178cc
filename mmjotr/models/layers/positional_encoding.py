# Copyright (c) mmjotr contributors. All rights reserved.
import math

import torch
from torch import Tensor, nn


def sinusoid_table(num_positions: int, dim: int) -> Tensor:
    """Fixed 1D sinusoid position table (the original Transformer's).

    ``table[p, i] = sin(p / 10000^(2 floor(i / 2) / dim))`` for even ``i``
    and ``cos`` of the same angle for odd ``i``.

    Args:
        num_positions (int): number of positions L.
        dim (int): embedding size C.

    Returns:
        Tensor[L, C]: the table.
    """
    position = torch.arange(num_positions, dtype=torch.float64)[:, None]
    exponent = 2 * torch.div(torch.arange(dim), 2, rounding_mode='floor') / dim
    angle = position / torch.pow(10000., exponent.double())[None]  # (L, C)
    table = torch.empty_like(angle)
    table[:, 0::2] = torch.sin(angle[:, 0::2])
    table[:, 1::2] = torch.cos(angle[:, 1::2])
    return table.float()


class SinusoidPositionalEncoding1D(nn.Module):
    """A fixed 1D sinusoid table stored as a buffer ``pos_table``.

    Args:
        num_positions (int): number of positions L. Defaults to 512.
        dim (int): embedding size C. Defaults to 256.
    """

    def __init__(self, num_positions: int = 512, dim: int = 256) -> None:
        super().__init__()
        self.register_buffer('pos_table', sinusoid_table(num_positions, dim))

    def forward(self, num_tokens: int) -> Tensor:
        """Return the first ``num_tokens`` rows, ``Tensor[1, L, C]``."""
        if num_tokens > self.pos_table.shape[0]:
            raise ValueError(f'{num_tokens} tokens exceed the position table '
                             f'of {self.pos_table.shape[0]} rows')
        return self.pos_table[None, :num_tokens]


class SinePositionalEncoding2D(nn.Module):
    """DETR's 2D sine position embedding for an unmasked feature map.

    Per axis ``num_feats`` channels; the y embedding comes first, then x.
    With ``normalize`` the cumulative coordinates 1..H (1..W) are divided by
    their last value (+1e-6) and multiplied by ``scale``.

    Args:
        num_feats (int): channels per axis. Defaults to 128.
        temperature (float): frequency base. Defaults to 10000.
        normalize (bool): normalise coordinates to (0, scale].
            Defaults to True.
        scale (float): scale after normalisation. Defaults to 2π.
    """

    def __init__(self,
                 num_feats: int = 128,
                 temperature: float = 10000.,
                 normalize: bool = True,
                 scale: float = 2 * math.pi) -> None:
        super().__init__()
        self.num_feats = num_feats
        self.temperature = temperature
        self.normalize = normalize
        self.scale = scale

    def forward(self, height: int, width: int, device=None) -> Tensor:
        """Return the embedding ``Tensor[1, 2 * num_feats, H, W]``."""
        y_embed = torch.arange(
            1, height + 1, dtype=torch.float32,
            device=device)[:, None].expand(height, width)
        x_embed = torch.arange(
            1, width + 1, dtype=torch.float32,
            device=device)[None].expand(height, width)
        if self.normalize:
            eps = 1e-6
            y_embed = y_embed / (y_embed[-1:, :] + eps) * self.scale
            x_embed = x_embed / (x_embed[:, -1:] + eps) * self.scale
        dim_t = torch.arange(
            self.num_feats, dtype=torch.float32, device=device)
        dim_t = self.temperature**(2 *
                                   torch.div(dim_t, 2, rounding_mode='floor') /
                                   self.num_feats)
        pos_x = x_embed[..., None] / dim_t  # (H, W, F)
        pos_y = y_embed[..., None] / dim_t
        pos_x = torch.stack((pos_x[..., 0::2].sin(), pos_x[..., 1::2].cos()),
                            dim=3).flatten(2)  # (H, W, F), sin/cos interleaved
        pos_y = torch.stack((pos_y[..., 0::2].sin(), pos_y[..., 1::2].cos()),
                            dim=3).flatten(2)
        return torch.cat((pos_y, pos_x), dim=2).permute(2, 0, 1)[None]
