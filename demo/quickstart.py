# Copyright (c) mmjotr contributors. All rights reserved.
"""Quick start on the project's own stand-in assets (no downloads).

    python demo/quickstart.py [--iters 50] [--work-dir work_dirs/quickstart]
"""
import argparse

from mmjotr.apis import run_quickstart
from mmjotr.testing import synthetic_batch
from mmjotr.utils import register_all_modules


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--config', default='configs/jotr/jotr_tiny_1xb4_standin-256x256.py')
    parser.add_argument('--body-model-dir', default='data/standin/body_models')
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    parser.add_argument('--iters', type=int, default=50)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    register_all_modules()
    run_quickstart(
        args.config,
        synthetic_batch(args.batch_size, seed=args.seed),
        body_model_dir=args.body_model_dir,
        work_dir=args.work_dir,
        iters=args.iters,
        seed=args.seed)


if __name__ == '__main__':
    main()
