# Copyright (c) mmjotr contributors. All rights reserved.
"""CPU benchmark of the full-size JOTR model.

Prints the parameter counts, the median inference time per person (batch 1
and 16), the training-step time at batch 4 with and without the
contrastive losses, each block's share of the inference time, peak memory,
and the contrastive losses against the reference formulation (same inputs
and indices, same run); then ('fast') fp32 vs the fast inference path vs
ONNX Runtime per person at batch 1, 4 and 16 with the accuracy deltas, and
('amp') the fp32 vs bf16-autocast training step. Example::

    python tools/analysis/benchmark_model.py --threads 2
    python tools/analysis/benchmark_model.py --threads 2 \
        --skip inference train contrastive --checkpoint CKPT
"""
import argparse
import logging
import os


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--config',
        default='configs/jotr/jotr_res50_8xb16-10k_mix-256x256_contrastive.py',
        help='a config whose model has both contrastive losses')
    parser.add_argument(
        '--body-model-dir',
        default='data/standin/body_models',
        help='body model directory (the stand-in is fine for timing)')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument(
        '--reference-positive-scale',
        type=float,
        default=1.0,
        help='run the reference contrastive formulation on this share of '
        'the positives and extrapolate linearly (1.0 = spec sizes, needs '
        '~20 GB)')
    parser.add_argument(
        '--checkpoint',
        help='weights for the fast-path accuracy deltas (e.g. the quick '
        'start checkpoint of the same config); random weights without it')
    parser.add_argument(
        '--batch-sizes', type=int, nargs='+', default=[1, 4, 16])
    parser.add_argument(
        '--skip',
        nargs='*',
        default=[],
        choices=['inference', 'train', 'contrastive', 'fast', 'onnx', 'amp'])
    return parser.parse_args()


def main():
    args = parse_args()
    os.environ['OMP_NUM_THREADS'] = str(args.threads)
    import torch
    from mmengine.config import Config
    from mmengine.logging import MMLogger, print_log

    from mmjotr.models.utils.benchmark import run_benchmark
    from mmjotr.models.utils.fast_path_benchmark import (
        benchmark_amp_train_step, benchmark_fast_path)
    from mmjotr.registry import MODELS
    from mmjotr.utils import register_all_modules

    torch.set_num_threads(args.threads)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    cfg.model.head.body_model_dir = args.body_model_dir
    cfg.model.backbone.pop('init_cfg', None)
    cfg.model.backbone.norm_cfg = dict(type='BN', requires_grad=True)
    for name, value, unit in run_benchmark(cfg.model, args.repeats,
                                           args.reference_positive_scale,
                                           args.skip):
        print_log(f'{name:<72s} {value:12.4g} {unit}')
    figures = []
    if 'fast' not in args.skip or 'amp' not in args.skip:
        torch.manual_seed(0)
        model = MODELS.build(cfg.model)
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)  # one record per parameter
        model.init_weights()
        logger.setLevel(level)
        if args.checkpoint:
            from mmengine.runner import load_checkpoint
            load_checkpoint(model, args.checkpoint, map_location='cpu')
    if 'fast' not in args.skip:
        figures = benchmark_fast_path(
            model,
            args.repeats,
            args.batch_sizes,
            onnx_threads=args.threads,
            with_onnx='onnx' not in args.skip)
    if 'amp' not in args.skip:
        figures = figures + benchmark_amp_train_step(model, 4, args.repeats)
    for name, value, unit in figures:
        value = f'{value:12.4g}' if isinstance(value, float) else \
            f'{value!s:>12}'
        print_log(f'{name:<72s} {value} {unit}')


if __name__ == '__main__':
    main()
