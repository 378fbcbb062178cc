# Copyright (c) mmjotr contributors. All rights reserved.
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def _with_pos(x: Tensor, pos: Optional[Tensor]) -> Tensor:
    return x if pos is None else x + pos


class PostNormEncoderLayer(nn.Module):
    """DETR's post-norm transformer encoder layer, batch first.

    ``x = norm1(x + drop(attn(x + pos, x + pos, x)))`` then
    ``x = norm2(x + drop(ffn(x)))``; positions are added to queries and
    keys only. Attention is ``nn.MultiheadAttention`` without returned
    weights, which runs ``F.scaled_dot_product_attention``. Parameter names
    follow the reference layout (``self_attn``, ``linear1``, ``norm1`` ...).

    Note:
        - B: batch, L: tokens, C: embed_dims

    Args:
        embed_dims (int): C. Defaults to 256.
        num_heads (int): attention heads. Defaults to 8.
        feedforward_channels (int): FFN hidden size. Defaults to 2048.
        dropout (float): dropout in attention, FFN and residuals.
            Defaults to 0.1.
    """

    def __init__(self,
                 embed_dims: int = 256,
                 num_heads: int = 8,
                 feedforward_channels: int = 2048,
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.self_attn = nn.MultiheadAttention(
            embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.linear1 = nn.Linear(embed_dims, feedforward_channels)
        self.linear2 = nn.Linear(feedforward_channels, embed_dims)
        self.norm1 = nn.LayerNorm(embed_dims)
        self.norm2 = nn.LayerNorm(embed_dims)
        self.dropout = nn.Dropout(dropout)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def forward(self, x: Tensor, pos: Optional[Tensor] = None) -> Tensor:
        """Args: x (Tensor[B, L, C]); pos (Tensor[B or 1, L, C]).

        Returns:
            Tensor[B, L, C]
        """
        qk = _with_pos(x, pos)
        attn = self.self_attn(qk, qk, x, need_weights=False)[0]
        x = self.norm1(x + self.dropout1(attn))
        ffn = self.linear2(self.dropout(F.relu(self.linear1(x))))
        return self.norm2(x + self.dropout2(ffn))


class PostNormDecoderLayer(nn.Module):
    """DETR's post-norm decoder layer (self-attn, cross-attn, FFN).

    Under autocast the self-attention block (``self_attn``, its residual
    and ``norm1``) runs in fp32 unless ``fp32_self_attention=False``; without
    autocast nothing changes. Reason (fp16 AMP): JOTR's query content is
    zero-initialised and the attention biases start at zero, so in the
    first layer ``norm1`` receives an all-zero vector; LayerNorm's input
    gradient there is the output gradient / sqrt(eps) (x316), which times
    a loss scale of 1024 overflows fp16 (max 65504) in the attention's
    backward: measured on the tiny configs with the release's fixed scale
    1024, 30 of the first 30 steps were skipped (docs/deployment.md). In
    fp32 the block's 18 queries cost next to nothing.

    Note:
        - B: batch, Q: queries, M: memory tokens, C: embed_dims

    Args:
        embed_dims (int): C. Defaults to 256.
        num_heads (int): attention heads. Defaults to 8.
        feedforward_channels (int): FFN hidden size. Defaults to 2048.
        dropout (float): dropout. Defaults to 0.1.
        fp32_self_attention (bool): run the self-attention block in fp32
            under autocast. Defaults to True.
    """

    def __init__(self,
                 embed_dims: int = 256,
                 num_heads: int = 8,
                 feedforward_channels: int = 2048,
                 dropout: float = 0.1,
                 fp32_self_attention: bool = True) -> None:
        super().__init__()
        self.fp32_self_attention = fp32_self_attention
        self.self_attn = nn.MultiheadAttention(
            embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.multihead_attn = nn.MultiheadAttention(
            embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.linear1 = nn.Linear(embed_dims, feedforward_channels)
        self.linear2 = nn.Linear(feedforward_channels, embed_dims)
        self.norm1 = nn.LayerNorm(embed_dims)
        self.norm2 = nn.LayerNorm(embed_dims)
        self.norm3 = nn.LayerNorm(embed_dims)
        self.dropout = nn.Dropout(dropout)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)

    def forward(self,
                query: Tensor,
                memory: Tensor,
                query_pos: Optional[Tensor] = None,
                memory_pos: Optional[Tensor] = None,
                need_weights: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
        """Run the layer.

        Args:
            query (Tensor[B, Q, C]): content of the queries.
            memory (Tensor[B, M, C]): tokens attended to.
            query_pos (Tensor[B or 1, Q, C], optional): query positions.
            memory_pos (Tensor[B or 1, M, C], optional): memory positions.
            need_weights (bool): also return the cross-attention weights,
                averaged over heads (slower path, for visualisation).

        Returns:
            tuple: ``Tensor[B, Q, C]`` and cross-attention weights
            ``Tensor[B, Q, M]`` or None.
        """
        device = query.device.type
        if self.fp32_self_attention and torch.is_autocast_enabled(device):
            with torch.autocast(device, enabled=False):
                query = self._self_attention(
                    query.float(),
                    None if query_pos is None else query_pos.float())
        else:
            query = self._self_attention(query, query_pos)
        attn, weights = self.multihead_attn(
            _with_pos(query, query_pos),
            _with_pos(memory, memory_pos),
            memory,
            need_weights=need_weights)
        query = self.norm2(query + self.dropout2(attn))
        ffn = self.linear2(self.dropout(F.relu(self.linear1(query))))
        return self.norm3(query + self.dropout3(ffn)), weights

    def _self_attention(self, query: Tensor,
                        query_pos: Optional[Tensor]) -> Tensor:
        """``norm1(query + drop(self_attn(query + pos, query + pos,
        query)))``, Tensor[B, Q, C]."""
        qk = _with_pos(query, query_pos)
        attn = self.self_attn(qk, qk, query, need_weights=False)[0]
        return self.norm1(query + self.dropout1(attn))


class TransformerEncoder(nn.Module):
    """A stack of :class:`PostNormEncoderLayer` with an optional final norm.

    Args:
        num_layers (int): number of layers.
        embed_dims (int): C. Defaults to 256.
        num_heads (int): attention heads. Defaults to 8.
        feedforward_channels (int): FFN hidden size. Defaults to 2048.
        dropout (float): dropout. Defaults to 0.1.
        final_norm (bool): apply a LayerNorm (``norm``) at the end.
            Defaults to False.
    """

    def __init__(self,
                 num_layers: int,
                 embed_dims: int = 256,
                 num_heads: int = 8,
                 feedforward_channels: int = 2048,
                 dropout: float = 0.1,
                 final_norm: bool = False) -> None:
        super().__init__()
        self.layers = nn.ModuleList([
            PostNormEncoderLayer(embed_dims, num_heads, feedforward_channels,
                                 dropout) for _ in range(num_layers)
        ])
        self.norm = nn.LayerNorm(embed_dims) if final_norm else None

    def forward(self, x: Tensor, pos: Optional[Tensor] = None) -> Tensor:
        """Args: x (Tensor[B, L, C]); pos (Tensor[B or 1, L, C]).

        Returns:
            Tensor[B, L, C]
        """
        for layer in self.layers:
            x = layer(x, pos)
        return x if self.norm is None else self.norm(x)


def xavier_init_matrices(modules: List[nn.Module]) -> None:
    """``xavier_uniform_`` on every parameter with more than one dimension.

    This is DETR's transformer initialisation (docs/model.md).
    """
    for module in modules:
        for param in module.parameters():
            if param.dim() > 1:
                nn.init.xavier_uniform_(param)
