# Copyright (c) mmjotr contributors. All rights reserved.
"""Print the CPUs one process of a run needs: the data loader's workers
plus the main process (``tools/slurm_*.sh`` use it for
``--cpus-per-task``)::

    python tools/misc/loader_cpus.py CONFIG train_dataloader
"""
import argparse

from mmengine.config import Config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument(
        'loader',
        choices=['train_dataloader', 'val_dataloader', 'test_dataloader'])
    args = parser.parse_args()
    loader = Config.fromfile(args.config).get(args.loader) or {}
    workers = int(loader.get('num_workers', 0))
    if workers < 0:
        raise SystemExit(f'{args.config}: {args.loader}.num_workers is '
                         f'{workers}')
    print(workers + 1)


if __name__ == '__main__':
    main()
