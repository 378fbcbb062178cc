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
    """all_gather + concat whose backward hands each rank its own slice of
    the gradient: its own (``full_grad=False``) or summed over the ranks
    (``full_grad=True``)."""

    @staticmethod
    def forward(ctx, x: Tensor, full_grad: bool) -> Tensor:
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
        ctx.full_grad = full_grad
        return torch.cat([g[:n] for g, n in zip(gathered, sizes)], dim=0)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tuple[Tensor, None]:
        if ctx.full_grad:
            # every rank's loss depends on every rank's rows: sum the
            # gradients they send to this rank's rows
            grad = grad.contiguous()
            dist.all_reduce(grad)
        return grad[ctx.start:ctx.start + ctx.size], None


def gather_with_grad(tensors: List[Tensor],
                     full_grad: bool = False) -> List[Tensor]:
    """Concatenate tensors from all ranks along dim 0, keeping gradients.

    Forward: ``all_gather`` (ranks may hold different batch sizes) and
    concatenation in rank order. Backward with ``full_grad=False`` (the
    reference release): each rank receives the gradient of its own slice
    of the concatenation from its local loss only; DDP then averages
    parameter gradients over the W ranks, so a loss computed on the
    gathered batch trains with 1/W of the gradient one process would give
    it on the same batch. With ``full_grad=True`` the slice's gradients of
    all ranks' losses are summed (an ``all_reduce`` in backward, as a
    differentiable all-gather does): after DDP's average the gradient is
    that of the mean of the ranks' losses, the single-process one when
    every rank computes the same loss. Without an initialised process
    group (or with one process) the tensors are returned unchanged.

    Note:
        - B_r: batch of rank r; the result has sum_r B_r rows.

    Args:
        tensors (list[Tensor[B_r, ...]]): floating-point tensors.
        full_grad (bool): sum the gradients over ranks in backward.
            Defaults to False (the release).

    Returns:
        list[Tensor[sum_r B_r, ...]]: gathered tensors.
    """
    _, world = _world()
    if world == 1:
        return list(tensors)
    return [_GatherWithGrad.apply(t, full_grad) for t in tensors]
