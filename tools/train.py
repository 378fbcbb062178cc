# Copyright (c) mmjotr contributors. All rights reserved.
"""Train an mmjotr model with mmengine's Runner.

Single process:  python tools/train.py CONFIG [--work-dir DIR] [--resume]
Distributed:     bash tools/dist_train.sh CONFIG GPUS [same options]
"""
import argparse

from mmengine.runner import Runner

from mmjotr.utils import (build_train_cfg, register_all_modules,
                          setup_cpu_distributed, shutdown_distributed)
from mmjotr.utils.run_config import CfgOptionsAction


def parse_args():
    parser = argparse.ArgumentParser(description='Train an mmjotr model')
    parser.add_argument('config', help='training config file')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        default=None,
        help='resume from CHECKPOINT, or without a value from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision. CUDA: fp16 autocast, dynamic loss '
        'scale from 256 (--cfg-options optim_wrapper.loss_scale=1024 for '
        "the release's fixed scale, optim_wrapper.dtype=bfloat16 for bf16); "
        'the CPU: bf16 autocast, no loss scale (docs/deployment.md)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by total batch size / auto_scale_lr.base_batch_size'
    )
    parser.add_argument(
        '--body-model-dir',
        help='set every body_model_dir field of the config (model head, '
        'target generation, metric), e.g. data/standin/body_models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override config entries, e.g. train_cfg.max_epochs=2 '
        'optim_wrapper.optimizer.lr=5e-5')
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
    cfg = build_train_cfg(
        args.config,
        work_dir=args.work_dir,
        resume=args.resume,
        amp=args.amp,
        auto_scale_lr=args.auto_scale_lr,
        cfg_options=args.cfg_options,
        launcher=args.launcher,
        body_model_dir=args.body_model_dir)
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()
    # the Runner holds the process group (DDP): drop it, then end the
    # group while the interpreter is whole (see shutdown_distributed)
    del runner
    shutdown_distributed()


if __name__ == '__main__':
    main()
