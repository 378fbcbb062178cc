# Copyright (c) mmjotr contributors. All rights reserved.
from dataclasses import dataclass
from typing import List, Optional

import torch
from torch import Tensor, nn

from mmjotr.codecs import unit_to_grid
from mmjotr.models.layers import (PostNormDecoderLayer, inverse_sigmoid,
                                  sample_volume, xavier_init_matrices)


@dataclass
class DecoderOutput:
    """Output of :class:`FusionDecoder`.

    Note:
        - L: decoder layers, B: batch, Q: queries (3 SMPL + J joint tokens),
          J: joint tokens, C: channels, M: memory tokens (64 or 64 + J)

    Attributes:
        hidden (list[Tensor[B, Q, C]]): normed output of every layer.
        joints (list[Tensor[B, J, 3]]): per-layer joints in [0, 1]^3
            (x, y, z; z before the depth warp).
        attention (list[Tensor[B, Q, M]], optional): per-layer
            cross-attention weights (averaged over heads) when requested.
    """
    hidden: List[Tensor]
    joints: List[Tensor]
    attention: Optional[List[Tensor]] = None


class FusionDecoder(nn.Module):
    """JOTR's query decoder fusing 2D tokens and sampled 3D joint tokens.

    18 queries: 3 SMPL tokens (pose, shape, camera) sharing the content
    vector ``smpl_query_content`` and J joint tokens sharing
    ``joint_query_content`` (both zero initialised); query positions are
    ``smpl_query_pos`` (3, C, normal init) followed by the
    ``joint_query_pos`` embedding table. After every
    post-norm layer the shared LayerNorm ``norm`` is applied and its output
    feeds the next layer. The joint tokens regress joints in [0, 1]^3:
    layer 0 ``sigmoid(Linear(h))``, layer i
    ``sigmoid(r + Linear([h, r]))`` with ``r = inverse_sigmoid(previous)``.
    H3D is sampled at ``(2x - 1, 2y - 1, 2 z^λ - 1)``
    (:func:`~mmjotr.codecs.unit_to_grid`); the J sampled tokens (positions
    ``fc_pos_3d(inverse_sigmoid(joints))``) are appended to the 2D memory
    for the next layer, replacing the previous ones (paper Sec. 3.1,
    docs/model.md).

    Note:
        - B: batch, C: embed_dims, J: num_joints

    Args:
        embed_dims (int): C. Defaults to 256.
        num_joints (int): J. Defaults to 15.
        num_layers (int): decoder layers. Defaults to 4.
        num_heads (int): attention heads. Defaults to 8.
        feedforward_channels (int): FFN size. Defaults to 2048.
        dropout (float): dropout. Defaults to 0.1.
        sample_3d_features (bool): append the sampled H3D joint tokens to
            the memory of the next layer; False attends to H2D only (the
            "3D feature: none" ablation, paper Table 4). Defaults to True.
        fp32_self_attention (bool): the layers' self-attention blocks run
            in fp32 under autocast (fp16 AMP overflows there otherwise; see
            :class:`PostNormDecoderLayer`). Defaults to True.
    """
    num_smpl_tokens = 3

    def __init__(self,
                 embed_dims: int = 256,
                 num_joints: int = 15,
                 num_layers: int = 4,
                 num_heads: int = 8,
                 feedforward_channels: int = 2048,
                 dropout: float = 0.1,
                 sample_3d_features: bool = True,
                 fp32_self_attention: bool = True) -> None:
        super().__init__()
        self.num_joints = num_joints
        self.sample_3d_features = sample_3d_features
        self.smpl_query_content = nn.Parameter(torch.zeros(embed_dims))
        self.joint_query_content = nn.Parameter(torch.zeros(embed_dims))
        self.smpl_query_pos = nn.Parameter(
            torch.randn(self.num_smpl_tokens, embed_dims))
        self.joint_query_pos = nn.Embedding(num_joints, embed_dims)
        self.layers = nn.ModuleList([
            PostNormDecoderLayer(embed_dims, num_heads, feedforward_channels,
                                 dropout, fp32_self_attention)
            for _ in range(num_layers)
        ])
        self.norm = nn.LayerNorm(embed_dims)
        self.joint_regress = nn.ModuleList(
            [nn.Linear(embed_dims, 3)] +
            [nn.Linear(embed_dims + 3, 3) for _ in range(num_layers - 1)])
        self.fc_pos_3d = nn.Sequential(
            nn.Linear(3, embed_dims), nn.LayerNorm(embed_dims),
            nn.ReLU(inplace=True), nn.Linear(embed_dims, embed_dims))

    def init_weights(self) -> None:
        """xavier_uniform on the layers, joint regressors and position MLP."""
        xavier_init_matrices(
            [self.layers, self.norm, self.joint_regress, self.fc_pos_3d])

    def queries(self, batch_size: int) -> tuple:
        """Content ``Tensor[B, Q, C]`` and positions ``Tensor[1, Q, C]``."""
        content = torch.cat([
            self.smpl_query_content.expand(self.num_smpl_tokens, -1),
            self.joint_query_content.expand(self.num_joints, -1)
        ])  # (Q, C)
        pos = torch.cat([self.smpl_query_pos, self.joint_query_pos.weight])
        return content[None].expand(batch_size, -1, -1), pos[None]

    def regress_joints(self, layer: int, hidden: Tensor,
                       previous: Optional[Tensor]) -> Tensor:
        """Joints ``Tensor[B, J, 3]`` in [0, 1] from joint tokens, fp32.

        The refinement ``sigmoid(r + delta)`` is accumulated in fp32 under
        autocast too: the joints are loss targets and sampling locations,
        and in bf16 a joint near the volume's far side is quantised to a
        quarter voxel (fp16 overflows ``inverse_sigmoid`` instead).
        """
        if previous is None:
            return self.joint_regress[layer](hidden).float().sigmoid()
        ref = inverse_sigmoid(previous)  # fp32
        delta = self.joint_regress[layer](
            torch.cat((hidden, ref.to(hidden.dtype)), -1))
        return (ref + delta.float()).sigmoid()

    def forward(self,
                memory: Tensor,
                memory_pos: Tensor,
                volume: Tensor,
                depth_exponent: Tensor,
                need_weights: bool = False) -> DecoderOutput:
        """Decode.

        Args:
            memory (Tensor[B, M2, C]): H2D tokens.
            memory_pos (Tensor[1, M2, C]): their positions.
            volume (Tensor[B, C, D, H, W]): H3D.
            depth_exponent (Tensor): the neck's λ.
            need_weights (bool): return cross-attention weights.

        Returns:
            DecoderOutput
        """
        query, query_pos = self.queries(memory.shape[0])
        mem, mem_pos = memory, memory_pos
        hidden, joints, attention = [], [], []
        for i, layer in enumerate(self.layers):
            query, weights = layer(query, mem, query_pos, mem_pos,
                                   need_weights)
            query = self.norm(query)
            hidden.append(query)
            attention.append(weights)
            joint = self.regress_joints(i, query[:, self.num_smpl_tokens:],
                                        joints[-1] if joints else None)
            joints.append(joint)
            if i == len(self.layers) - 1 or not self.sample_3d_features:
                continue
            grid = unit_to_grid(joint, depth_exponent)  # (B, J, 3)
            tokens = sample_volume(volume, grid)  # (B, J, C)
            tokens_pos = self.fc_pos_3d(inverse_sigmoid(joint))
            mem = torch.cat((memory, tokens), dim=1)  # (B, M2 + J, C)
            mem_pos = torch.cat(
                (memory_pos.expand(memory.shape[0], -1, -1), tokens_pos), 1)
        return DecoderOutput(hidden, joints,
                             attention if need_weights else None)
