# Copyright (c) mmjotr contributors. All rights reserved.
"""Generate SynthOcc (procedural occluded humans on the stand-in body).

Example (the full-size copy of configs/jotr/*synthocc*.py)::

    python tools/dataset_converters/make_synthocc.py \
        --out-dir data/synthocc --body-model-dir data/standin/body_models

Regenerates only when the seed, the sizes, the generator version or the
body model changed; refuses to write into a directory that is not a
SynthOcc copy.
"""
import argparse

from mmjotr.body_models.standin import ensure_standin_body_model
from mmjotr.datasets.synthocc import SynthOccSettings, ensure_synthocc


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out-dir', default='data/synthocc')
    parser.add_argument(
        '--body-model-dir',
        default='data/standin/body_models',
        help='generated (stand-in) when absent')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--train', type=int, default=2000, help='frames')
    parser.add_argument(
        '--test', type=int, default=200, help='frames per test split')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    ensure_standin_body_model(args.body_model_dir, seed=0)
    settings = SynthOccSettings(
        seed=args.seed,
        num_frames=dict(
            train=args.train,
            test_clean=args.test,
            test_object_occluded=args.test,
            test_person_occluded=args.test))
    ensure_synthocc(args.out_dir, args.body_model_dir, settings)


if __name__ == '__main__':
    main()
