# Copyright (c) mmjotr contributors. All rights reserved.
"""Samples per second per data-loading worker of the training pipeline.

Generates a small MSCOCO-layout dataset of 640x480 JPEGs (two overlapping
people per image, every person with an SMPL fit) and runs the training
pipeline of a config over it in one process, which is what one dataloader
worker does. Prints the throughput, the time per transform and the ratio to
image decoding alone (the baseline, measured in the same run), and the cost
of the checked image loader (``LoadCheckedImage``: libjpeg-turbo with
stop-on-warning, corrupt JPEG data refused) against ``mmpose.LoadImage``
(OpenCV, which decodes corrupt data silently).

Example::

    OMP_NUM_THREADS=1 python tools/analysis/benchmark_data.py \
        --body-model-dir data/standin/body_models --num-samples 400
"""
import argparse
import copy
import tempfile
from functools import partial
from profiling import timed
from typing import Dict, List, Sequence

import numpy as np
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.logging import print_log

from mmjotr.datasets import CocoSMPLDataset
from mmjotr.testing import write_synthetic_coco
from mmjotr.utils import register_all_modules


def time_pipeline(data_infos: List[dict],
                  pipeline: Sequence[dict],
                  num_samples: int,
                  warmup: int = 5) -> Dict[str, float]:
    """Run ``pipeline`` over ``data_infos`` in this process; time it.

    Args:
        data_infos (list[dict]): dataset records (``get_data_info``).
        pipeline (Sequence[dict]): transform configs.
        num_samples (int): timed samples (records are cycled).
        warmup (int): untimed samples first (builds lazy models).

    Returns:
        dict: ``samples_per_s`` and ``ms_per_sample`` of the whole pipeline
        and ``ms_<Transform>`` per transform.
    """
    transforms = Compose(list(pipeline)).transforms
    per_step = np.zeros(len(transforms))
    for i in range(warmup + num_samples):
        results = dict(data_infos[i % len(data_infos)])
        for k, t in enumerate(transforms):
            results, seconds = timed(partial(t, results))
            if i >= warmup:
                per_step[k] += seconds
    total = per_step.sum()
    out = dict(
        samples_per_s=num_samples / total,
        ms_per_sample=total / num_samples * 1000.)
    for t, sec in zip(transforms, per_step):
        out[f'ms_{type(t).__name__}'] = sec / num_samples * 1000.
    return out


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--config',
        default='configs/_base_/datasets/jotr_mix_train.py',
        help='config whose train_pipeline is timed')
    parser.add_argument('--body-model-dir', default='data/standin/body_models')
    parser.add_argument('--num-images', type=int, default=20)
    parser.add_argument('--num-samples', type=int, default=400)
    parser.add_argument('--height', type=int, default=480)
    parser.add_argument('--width', type=int, default=640)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    register_all_modules()
    pipeline = copy.deepcopy(Config.fromfile(args.config).train_pipeline)
    for t in pipeline:
        if 'body_model' in t:
            t['body_model']['body_model_dir'] = args.body_model_dir
    with tempfile.TemporaryDirectory() as root:
        write_synthetic_coco(
            root, args.num_images, (args.height, args.width), seed=args.seed)
        dataset = CocoSMPLDataset(data_root=root)
        infos = [dataset.get_data_info(i) for i in range(len(dataset))]
        full = time_pipeline(infos, pipeline, args.num_samples)
        decode = time_pipeline(infos, pipeline[:1], args.num_samples)
        checked = time_pipeline(infos, [dict(type='LoadCheckedImage')],
                                args.num_samples)
        opencv = time_pipeline(infos, [dict(type='mmpose.LoadImage')],
                               args.num_samples)
    lines = [
        f'training pipeline on {args.width}x{args.height} images, one '
        'process (= one worker):',
        f'  {full["samples_per_s"]:.1f} samples/s '
        f'({full["ms_per_sample"]:.2f} ms per sample)',
        f'  baseline, image decoding only: {decode["samples_per_s"]:.1f} '
        f'samples/s; full pipeline / decoding time = '
        f'{full["ms_per_sample"] / decode["ms_per_sample"]:.2f}x',
        f'  image loader: LoadCheckedImage {checked["samples_per_s"]:.1f} '
        f'samples/s, mmpose.LoadImage {opencv["samples_per_s"]:.1f} '
        f'samples/s; checked / OpenCV time = '
        f'{checked["ms_per_sample"] / opencv["ms_per_sample"]:.2f}x',
    ]
    lines += [
        f'  {k[3:]:<28s} {v:7.2f} ms' for k, v in full.items()
        if k.startswith('ms_') and k != 'ms_per_sample'
    ]
    print_log('\n'.join(lines), logger='current')


if __name__ == '__main__':
    main()
