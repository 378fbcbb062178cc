# Copyright (c) mmjotr contributors. All rights reserved.
from typing import List

import torch
from torch import Tensor, nn


class CascadeLinear(nn.Module):
    """Linear heads chained over the decoder layers (paper Eq. 2).

    ``out_0 = Linear_0(h_0)`` and ``out_i = out_{i-1} +
    Linear_i(concat(h_i, out_{i-1}))``; the last output is the prediction.

    Note:
        - B: batch, C: in_channels, O: out_channels

    Args:
        in_channels (int): C of each ``h_i``.
        out_channels (int): O.
        num_layers (int): number of decoder layers.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 num_layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(in_channels, out_channels)] + [
            nn.Linear(in_channels + out_channels, out_channels)
            for _ in range(num_layers - 1)
        ])

    def forward(self, hidden: List[Tensor]) -> Tensor:
        """Args: hidden (list of Tensor[B, C]), one per decoder layer.

        Returns:
            Tensor[B, O]: the final output.
        """
        if len(hidden) != len(self.layers):
            raise ValueError(f'CascadeLinear expects {len(self.layers)} '
                             f'hidden states, got {len(hidden)}')
        out = self.layers[0](hidden[0])
        for layer, h in zip(self.layers[1:], hidden[1:]):
            out = out + layer(torch.cat((h, out), dim=-1))
        return out
