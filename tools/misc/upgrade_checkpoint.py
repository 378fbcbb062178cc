# Copyright (c) mmjotr contributors. All rights reserved.
"""Rewrite a checkpoint that holds numpy objects without them.

mmjotr's checkpoints used to keep the message hub's histories as numpy
arrays; loading now allows no numpy (a crafted numpy dtype can forge
memory). Convert only a file you trust, once::

    python tools/misc/upgrade_checkpoint.py work_dirs/old/iter_100.pth \
        work_dirs/old/iter_100_numpy_free.pth
"""
import argparse

from mmengine.logging import print_log

from mmjotr.utils import upgrade_legacy_checkpoint


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='checkpoint holding numpy objects')
    parser.add_argument('dst', help='numpy-free checkpoint to write')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    upgrade_legacy_checkpoint(args.src, args.dst)
    print_log(f'wrote {args.dst}', logger='current')


if __name__ == '__main__':
    main()
