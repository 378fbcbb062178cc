# Copyright (c) mmjotr contributors. All rights reserved.
"""Timing of the SMPL module against plain ``smplx.SMPL`` (same run)."""
import contextlib
import io
import time
from typing import Callable, Dict, List, Sequence

import numpy as np
import smplx
import torch

from .assets import smpl_model_path
from .smpl import SMPL
from .smpl_pickle import load_smpl_arrays

__all__ = ['benchmark_smpl']


def _interleaved_medians(fns: Sequence[Callable[[], object]], iters: int,
                         warmup: int) -> List[float]:
    """Median seconds per call of each function, calls interleaved so that
    load changes on a shared machine affect all of them alike."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    for _ in range(iters):
        for fn, record in zip(fns, times):
            start = time.perf_counter()
            fn()
            record.append(time.perf_counter() - start)
    return [float(np.median(t)) for t in times]


@torch.no_grad()
def benchmark_smpl(body_model_dir: str,
                   batch_size: int = 64,
                   iters: int = 50,
                   warmup: int = 5,
                   seed: int = 0) -> Dict[str, float]:
    """Time one batched forward pass of mmjotr's SMPL and of smplx.SMPL.

    Both run on the CPU in the current thread setting with the same random
    pose (std 0.3 rad) and betas; calls alternate and medians are
    reported. mmjotr's module also computes JOTR's six extra joints;
    smplx's computes its default 21 extra vertex joints.

    Args:
        body_model_dir (str): body model directory (real or stand-in).
        batch_size (int): samples per forward. Defaults to 64.
        iters (int): timed calls. Defaults to 50.
        warmup (int): untimed calls first. Defaults to 5.
        seed (int): seeds the inputs.

    Returns:
        dict: ``mmjotr_ms_per_sample``, ``smplx_ms_per_sample``, ``ratio``
        (mmjotr / smplx), ``batch_size``, ``threads``.
    """
    gen = torch.Generator().manual_seed(seed)
    pose = torch.randn(batch_size, 72, generator=gen) * 0.3
    betas = torch.randn(batch_size, 10, generator=gen)
    ours = SMPL(body_model_dir).eval()
    path = smpl_model_path(body_model_dir, 'neutral')
    with contextlib.redirect_stdout(io.StringIO()):  # smplx's beta warning
        plain = smplx.SMPL(
            model_path=path,
            data_struct=smplx.utils.Struct(**load_smpl_arrays(path)),
            batch_size=batch_size).eval()
    ours_s, plain_s = _interleaved_medians([
        lambda: ours(pose, betas), lambda: plain(
            betas=betas, global_orient=pose[:, :3], body_pose=pose[:, 3:])
    ], iters, warmup)
    return {
        'mmjotr_ms_per_sample': 1e3 * ours_s / batch_size,
        'smplx_ms_per_sample': 1e3 * plain_s / batch_size,
        'ratio': ours_s / plain_s,
        'batch_size': batch_size,
        'threads': torch.get_num_threads(),
    }
