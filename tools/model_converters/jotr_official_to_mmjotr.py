# Copyright (c) mmjotr contributors. All rights reserved.
"""Convert a checkpoint of the reference JOTR release to mmjotr.

Example::

    python tools/model_converters/jotr_official_to_mmjotr.py \\
        checkpoints/jotr_official.pth.tar checkpoints/jotr_mmjotr.pth \\
        --config configs/jotr/jotr_res50_8xb32-18e_mix-256x256.py \\
        --body-model-dir data/body_models

The SMPL arrays of the source are dropped (they are loaded from the body
model directory); the VPoser weights are kept. Conversion fails listing
every unmatched or mis-shaped key.
"""
import argparse

from mmengine.config import Config
from mmengine.logging import print_log

from mmjotr.models.utils import convert_official_checkpoint
from mmjotr.registry import MODELS
from mmjotr.utils import register_all_modules, set_body_model_dir
from mmjotr.utils.run_config import CfgOptionsAction, check_cfg_options


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='reference checkpoint')
    parser.add_argument('dst', help='output mmjotr checkpoint')
    parser.add_argument(
        '--config',
        default='configs/jotr/jotr_res50_8xb32-18e_mix-256x256.py',
        help='config of the target model')
    parser.add_argument(
        '--body-model-dir',
        help='set every body_model_dir field of the config (the model needs '
        'the SMPL files to be built)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override config settings, e.g. '
        'model.head.body_model_dir=data/standin/body_models')
    return parser.parse_args()


def main():
    args = parse_args()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        check_cfg_options(cfg, args.cfg_options)
        cfg.merge_from_dict(args.cfg_options)
    if args.body_model_dir:
        set_body_model_dir(cfg, args.body_model_dir)
    cfg.model.backbone.pop('init_cfg', None)
    cfg.model.backbone.norm_cfg = dict(type='BN', requires_grad=True)
    model = MODELS.build(cfg.model)
    converted = convert_official_checkpoint(args.src, args.dst, model)
    print_log(f'wrote {len(converted)} tensors to {args.dst}')


if __name__ == '__main__':
    main()
