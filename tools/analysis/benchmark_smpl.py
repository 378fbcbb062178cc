# Copyright (c) mmjotr contributors. All rights reserved.
"""Time mmjotr's SMPL forward pass against plain smplx.SMPL (same run).

Example (the issue's setting: batch 64, one CPU thread)::

    python tools/analysis/benchmark_smpl.py \
        --body-model-dir data/standin/body_models --batch-size 64 --threads 1
"""
import argparse

import torch
from mmengine.logging import print_log

from mmjotr.body_models.benchmark import benchmark_smpl


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
