# Copyright (c) mmjotr contributors. All rights reserved.
"""Time mmjotr's SMPL forward pass against plain smplx.SMPL (same run).

The shared timer is ``tools/analysis/profiling.py``. Example (batch 64, one
CPU thread)::

    python tools/analysis/benchmark_smpl.py \
        --body-model-dir data/standin/body_models --batch-size 64 --threads 1
"""
import argparse
import contextlib
import io
import statistics
from profiling import interleaved_times
from typing import Dict

import smplx
import torch
from mmengine.logging import print_log

from mmjotr.body_models import SMPL, load_smpl_arrays, smpl_model_path


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
    times = interleaved_times(
        dict(
            ours=lambda: ours(pose, betas),
            plain=lambda: plain(
                betas=betas, global_orient=pose[:, :3], body_pose=pose[:, 3:])
        ), iters, warmup)
    ours_s, plain_s = (statistics.median(times[k]) for k in ('ours', 'plain'))
    return {
        'mmjotr_ms_per_sample': 1e3 * ours_s / batch_size,
        'smplx_ms_per_sample': 1e3 * plain_s / batch_size,
        'ratio': ours_s / plain_s,
        'batch_size': batch_size,
        'threads': torch.get_num_threads(),
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--body-model-dir', default='data/standin/body_models')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--iters', type=int, default=50)
    parser.add_argument('--warmup', type=int, default=5)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    result = benchmark_smpl(args.body_model_dir, args.batch_size, args.iters,
                            args.warmup)
    print_log(
        f'SMPL forward, batch {result["batch_size"]}, '
        f'{result["threads"]} thread(s): mmjotr '
        f'{result["mmjotr_ms_per_sample"]:.3f} ms/sample, plain smplx.SMPL '
        f'{result["smplx_ms_per_sample"]:.3f} ms/sample, ratio '
        f'{result["ratio"]:.2f}',
        logger='current')


if __name__ == '__main__':
    main()
