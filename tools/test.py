# Copyright (c) mmjotr contributors. All rights reserved.
"""Evaluate an mmjotr checkpoint with mmengine's Runner.

Single process:  python tools/test.py CONFIG CHECKPOINT [--dump preds.pkl]
Distributed:     bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [options]
"""
import argparse

from mmengine.runner import Runner

from mmjotr.utils import (build_test_cfg, register_all_modules,
                          setup_cpu_distributed, shutdown_distributed)
from mmjotr.utils.run_config import CfgOptionsAction


def parse_args():
    parser = argparse.ArgumentParser(description='Evaluate an mmjotr model')
    parser.add_argument('config', help='evaluation config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where logs go')
    parser.add_argument(
        '--dump', help='also dump the predictions to this .pkl file')
    parser.add_argument(
        '--load-partial',
        action='store_true',
        help='load the checkpoint even if some of its tensors are missing, '
        'unexpected or mis-shaped (listed in the log); by default such a '
        'checkpoint is refused')
    parser.add_argument(
        '--body-model-dir',
        help='set every body_model_dir field of the config (model head, '
        'target generation, metric), e.g. data/standin/body_models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override config entries')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    register_all_modules()
    cfg = build_test_cfg(
        args.config,
        args.checkpoint,
        work_dir=args.work_dir,
        dump=args.dump,
        cfg_options=args.cfg_options,
        launcher=args.launcher,
        body_model_dir=args.body_model_dir,
        strict=not args.load_partial)
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.test()
    # the Runner holds the process group (DDP): drop it, then end the
    # group while the interpreter is whole (see shutdown_distributed)
    del runner
    shutdown_distributed()


if __name__ == '__main__':
    main()
