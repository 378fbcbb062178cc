# Copyright (c) mmjotr contributors. All rights reserved.
"""Export a JOTR model (crop + 2D pose -> SMPL, camera, mesh) to ONNX.

    python tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT \
        --output-file work_dirs/jotr.onnx [--verify]

Run the exported model with ``mmjotr.deployment.OnnxRuntimeJOTR``.
"""
import argparse

from mmengine.config import DictAction
from mmengine.logging import print_log


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='model config file')
    parser.add_argument(
        'checkpoint', nargs='?', help='checkpoint (omit: random weights)')
    parser.add_argument('--output-file', default='work_dirs/jotr.onnx')
    parser.add_argument('--opset-version', type=int, default=17)
    parser.add_argument(
        '--batch-size', type=int, default=2, help='batch of the trace')
    parser.add_argument(
        '--verify',
        action='store_true',
        help='compare ONNX Runtime with PyTorch on a random batch of 3')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config entries, e.g. '
        'model.head.body_model_dir=data/standin/body_models')
    return parser.parse_args()


def main():
    args = parse_args()
    from mmjotr.apis import init_model
    from mmjotr.deployment import (OnnxRuntimeJOTR, export_onnx,
                                   max_abs_differences)
    from mmjotr.utils import register_all_modules

    register_all_modules()
    model = init_model(
        args.config,
        args.checkpoint,
        cfg_options=args.cfg_options,
        fast_inference=False)
    export_onnx(
        model,
        args.output_file,
        batch_size=args.batch_size,
        opset_version=args.opset_version)
    if args.verify:
        runner = OnnxRuntimeJOTR.from_config(args.output_file, model.cfg)
        for name, diff in max_abs_differences(model, runner, 3).items():
            print_log(
                f'max |onnxruntime - pytorch| {name}: {diff:.3g}',
                logger='current')


if __name__ == '__main__':
    main()
