# Copyright (c) mmjotr contributors. All rights reserved.
"""Generate the stand-in body model (SMPL format, NOT SMPL).

Example::

    python tools/misc/make_standin_body_model.py \
        --out-dir data/standin/body_models --seed 0
"""
import argparse
import json

from mmengine.logging import print_log

from mmjotr.body_models.standin import write_standin_body_model


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--out-dir',
        default='data/standin/body_models',
        help='body model directory to write')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--vposer-steps',
        type=int,
        default=3000,
        help='VPoser training steps (about 60 ms each on one CPU thread)')
    parser.add_argument('--vposer-batch-size', type=int, default=256)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    info = write_standin_body_model(args.out_dir, args.seed, args.vposer_steps,
                                    args.vposer_batch_size)
    print_log(
        f'stand-in body model written to {args.out_dir}:\n'
        f'{json.dumps(info, indent=2)}',
        logger='current')


if __name__ == '__main__':
    main()
