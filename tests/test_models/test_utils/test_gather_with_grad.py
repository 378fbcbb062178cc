# Copyright (c) mmjotr contributors. All rights reserved.
import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from mmjotr.models.losses import JointToNonJointContrastiveLoss
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


def _contrast_inputs():
    gen = torch.Generator().manual_seed(0)
    volume = torch.randn(4, 6, 4, 4, 4, generator=gen)
    pred = torch.rand(4, 5, 3, generator=gen)
    gt = torch.rand(4, 5, 3, generator=gen) * 64
    valid = torch.ones(4, 5)
    is_3d = torch.tensor([1., 0., 1., 1.])
    return volume, pred, gt, valid, is_3d


def _contrast_loss():
    return JointToNonJointContrastiveLoss(
        num_anchors=6, num_positives=5, num_negatives=12)


def _contrast_worker(rank, port, results):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    try:
        volume, pred, gt, valid, is_3d = _contrast_inputs()
        own = slice(2 * rank, 2 * rank + 2)
        local = volume[own].clone().requires_grad_(True)
        torch.manual_seed(0)  # the same indices on both ranks
        loss = _contrast_loss()(local, pred[own], gt[own], valid[own],
                                is_3d[own], torch.tensor(3.))
        loss.backward()
        results[rank] = (loss.detach(), local.grad.clone())
    finally:
        dist.destroy_process_group()


def test_contrastive_loss_across_two_processes():
    manager = mp.Manager()
    results = manager.dict()
    mp.start_processes(
        _contrast_worker,
        args=(_free_port(), results),
        nprocs=2,
        start_method='fork')
    volume, pred, gt, valid, is_3d = _contrast_inputs()
    volume.requires_grad_(True)
    torch.manual_seed(0)
    loss = _contrast_loss()(volume, pred, gt, valid, is_3d, torch.tensor(3.))
    loss.backward()
    for rank in (0, 1):
        value, grad = results[rank]
        # each rank sees the whole (gathered) batch: the single-process loss
        torch.testing.assert_close(value, loss.detach())
        torch.testing.assert_close(grad, volume.grad[2 * rank:2 * rank + 2])


def _shift():
    return (torch.arange(6.) * 0.1).reshape(6, 1, 1, 1).requires_grad_(True)


def _contrast_param_worker(rank, port, gradient, results):
    """A parameter shifts the volume's channels (the features are
    L2-normalised: a scale would not change the loss); DDP's gradient
    average is an all_reduce of the parameter's gradient / world size."""
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    try:
        volume, pred, gt, valid, is_3d = _contrast_inputs()
        own = slice(2 * rank, 2 * rank + 2)
        shift = _shift()
        torch.manual_seed(0)  # the same indices on both ranks
        loss = JointToNonJointContrastiveLoss(
            num_anchors=6,
            num_positives=5,
            num_negatives=12,
            gradient=gradient)(volume[own] + shift, pred[own], gt[own],
                               valid[own], is_3d[own], torch.tensor(3.))
        loss.backward()
        grad = shift.grad.clone()
        dist.all_reduce(grad)
        results[rank] = grad / 2
    finally:
        dist.destroy_process_group()


def test_full_contrastive_gradient_equals_one_process():
    """'full': the 2-rank gradient of a parameter equals one process's on
    the whole batch; 'release' (the reference's): half of it."""
    volume, pred, gt, valid, is_3d = _contrast_inputs()
    shift = _shift()
    torch.manual_seed(0)
    _contrast_loss()(volume + shift, pred, gt, valid, is_3d,
                     torch.tensor(3.)).backward()
    single = shift.grad
    assert single.abs().min() > 1e-4
    for gradient, factor in (('full', 1.), ('release', 0.5)):
        results = mp.Manager().dict()
        mp.start_processes(
            _contrast_param_worker,
            args=(_free_port(), gradient, results),
            nprocs=2,
            start_method='fork')
        for rank in (0, 1):
            torch.testing.assert_close(
                results[rank], single * factor, rtol=1e-6, atol=0)


def test_gradient_mode_is_checked():
    with pytest.raises(ValueError, match="'release' or 'full', got 'sum'"):
        JointToNonJointContrastiveLoss(
            num_anchors=1, num_positives=1, num_negatives=1, gradient='sum')
