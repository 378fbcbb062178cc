# Copyright (c) mmjotr contributors. All rights reserved.
"""MeshInferencer in a few lines (the shape of mmpose's inferencer_demo.py).

    python demo/inferencer_demo.py INPUT --mesh-config CFG \\
        [--mesh-weights CKPT] --pose2d POSE_CFG [--pose2d-weights CKPT] \\
        --det-model DET_CFG [--det-weights CKPT] [--vis-out-dir DIR] \\
        [--pred-out-dir DIR] [--show] [--device cpu] [--smooth]
"""
import argparse

from mmjotr.apis import MeshInferencer
from mmjotr.utils import register_all_modules


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('inputs', help='image, folder, video or "webcam"')
    init = parser.add_argument_group('models')
    init.add_argument('--mesh-config', required=True, dest='model')
    init.add_argument('--mesh-weights', default=None, dest='weights')
    init.add_argument('--pose2d', required=True)
    init.add_argument('--pose2d-weights', default=None)
    init.add_argument('--det-model', required=True)
    init.add_argument('--det-weights', default=None)
    init.add_argument('--device', default='cpu')
    init.add_argument('--renderer', default='auto')
    init.add_argument('--smooth', action='store_true')
    init.add_argument('--body-model-dir', default=None)
    call = parser.add_argument_group('call')
    call.add_argument('--vis-out-dir', default=None)
    call.add_argument('--pred-out-dir', default=None)
    call.add_argument('--show', action='store_true')
    call.add_argument('--bbox-thr', type=float, default=0.3)
    call.add_argument('--side-view', action='store_true')
    args = parser.parse_args()
    init_keys = ('model', 'weights', 'pose2d', 'pose2d_weights', 'det_model',
                 'det_weights', 'device', 'renderer', 'smooth',
                 'body_model_dir')
    values = vars(args)
    init_args = {k: values.pop(k) for k in init_keys}
    return init_args, values


def main():
    init_args, call_args = parse_args()
    register_all_modules()
    inferencer = MeshInferencer(**init_args)
    for _ in inferencer(**call_args):
        pass


if __name__ == '__main__':
    main()
