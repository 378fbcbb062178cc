# Copyright (c) mmjotr contributors. All rights reserved.
from typing import List, Tuple

import torch
import torch.distributed as dist
from torch import Tensor


def _world() -> Tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class _GatherWithGrad(torch.autograd.Function):
    """all_gather + concat whose backward hands each rank its own slice."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        rank, world = _world()
        size = torch.tensor([x.shape[0]], device=x.device)
        sizes = [torch.zeros_like(size) for _ in range(world)]
        dist.all_gather(sizes, size)
        sizes = [int(s.item()) for s in sizes]
        max_size = max(sizes)
        padded = x.new_zeros((max_size, ) + tuple(x.shape[1:]))
        padded[:x.shape[0]] = x
        gathered = [torch.empty_like(padded) for _ in range(world)]
        dist.all_gather(gathered, padded.contiguous())
        ctx.start = sum(sizes[:rank])
        ctx.size = x.shape[0]
        return torch.cat([g[:n] for g, n in zip(gathered, sizes)], dim=0)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        return grad[ctx.start:ctx.start + ctx.size]


def gather_with_grad(tensors: List[Tensor]) -> List[Tensor]:
    """Concatenate tensors from all ranks along dim 0, keeping gradients.

    Forward: ``all_gather`` (ranks may hold different batch sizes) and
    concatenation in rank order. Backward: each rank receives the gradient
    of its own slice of the concatenation (its local loss's gradient with
    respect to its own inputs), as in the reference release; DDP then
    averages parameter gradients over ranks. Without an initialised process
    group (or with one process) the tensors are returned unchanged.

    Note:
        - B_r: batch of rank r; the result has sum_r B_r rows.

    Args:
        tensors (list[Tensor[B_r, ...]]): floating-point tensors.

    Returns:
        list[Tensor[sum_r B_r, ...]]: gathered tensors.
    """
    _, world = _world()
    if world == 1:
        return list(tensors)
    return [_GatherWithGrad.apply(t) for t in tensors]
