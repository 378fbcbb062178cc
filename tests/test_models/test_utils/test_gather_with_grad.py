# Copyright (c) mmjotr contributors. All rights reserved.
import os
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from mmjotr.models.utils import gather_with_grad


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _worker(rank, port, results):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    try:
        # rank 0 holds 2 rows, rank 1 holds 3 (unequal batches)
        x = torch.full((2 + rank, 3), float(rank + 1), requires_grad=True)
        gathered, = gather_with_grad([x])
        weights = torch.arange(15.).reshape(5, 3) * (rank + 1)
        (gathered * weights).sum().backward()
        results[rank] = (gathered.detach(), x.grad.clone())
    finally:
        dist.destroy_process_group()


def test_gather_two_gloo_processes():
    manager = mp.Manager()
    results = manager.dict()
    mp.start_processes(
        _worker, args=(_free_port(), results), nprocs=2, start_method='fork')
    expected = torch.cat([torch.full((2, 3), 1.), torch.full((3, 3), 2.)])
    weights = torch.arange(15.).reshape(5, 3)
    for rank in (0, 1):
        gathered, grad = results[rank]
        torch.testing.assert_close(gathered, expected)
        own = slice(0, 2) if rank == 0 else slice(2, 5)
        # each rank gets the gradient of its own loss w.r.t. its own rows
        torch.testing.assert_close(grad, weights[own] * (rank + 1))


def test_gather_single_process_is_identity():
    x = torch.randn(4, 2, requires_grad=True)
    out, = gather_with_grad([x])
    assert out is x
