# Copyright (c) mmjotr contributors. All rights reserved.
"""Convert an official SMPL pickle (chumpy objects) to plain arrays.

chumpy is never imported: the file is read with mmjotr's restricted
unpickler, which refuses any class other than numpy / scipy.sparse /
chumpy arrays. Example::

    python tools/misc/convert_smpl_pkl.py \
        basicModel_neutral_lbs_10_207_0_v1.0.0.pkl \
        data/body_models/smpl/SMPL_NEUTRAL.pkl
"""
import argparse

from mmengine.logging import print_log

from mmjotr.body_models import convert_smpl_pickle


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='official SMPL .pkl')
    parser.add_argument(
        'dst', help='output, e.g. <body_model_dir>/smpl/SMPL_NEUTRAL.pkl')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    arrays = convert_smpl_pickle(args.src, args.dst)
    shapes = ', '.join(f'{k} {tuple(v.shape)}' for k, v in arrays.items()
                       if hasattr(v, 'shape'))
    print_log(f'wrote {args.dst}: {shapes}', logger='current')


if __name__ == '__main__':
    main()
