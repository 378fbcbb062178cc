# Copyright (c) mmjotr contributors. All rights reserved.
"""Quick start: train and evaluate the tiny JOTR on SynthOcc (no downloads).

    python demo/quickstart.py [--work-dir work_dirs/quickstart]

Generates the stand-in body model and a small SynthOcc copy when absent,
trains with mmengine's Runner, prints MPJPE / PA-MPJPE / PVE on the three
test splits next to the mean-pose baseline and draws a prediction.
"""
import argparse

from mmjotr.apis import run_quickstart
from mmjotr.utils import register_all_modules


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--config',
        default='configs/jotr/jotr_tiny_1xb8-900it_synthocc-256x256.py')
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    parser.add_argument('--data-root', default='data/synthocc_quickstart')
    parser.add_argument('--body-model-dir', default='data/standin/body_models')
    parser.add_argument(
        '--max-iters',
        type=int,
        help='training iterations (default: the config\'s)')
    parser.add_argument('--num-train', type=int, default=800)
    parser.add_argument('--num-test', type=int, default=100)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--vposer-steps', type=int, default=1000)
    return parser.parse_args()


def main():
    args = parse_args()
    register_all_modules()
    run_quickstart(
        args.config,
        work_dir=args.work_dir,
        data_root=args.data_root,
        body_model_dir=args.body_model_dir,
        max_iters=args.max_iters,
        num_train=args.num_train,
        num_test=args.num_test,
        seed=args.seed,
        vposer_steps=args.vposer_steps)


if __name__ == '__main__':
    main()
