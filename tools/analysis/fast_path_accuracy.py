# Copyright (c) mmjotr contributors. All rights reserved.
"""The fast inference path against fp32 on a test set, with trained weights.

    python tools/analysis/fast_path_accuracy.py CONFIG CHECKPOINT \\
        --body-model-dir data/standin/body_models \\
        [--cfg-options test_dataloader.dataset.data_root=... ]

Both models load the same checkpoint (the fast one through ``init_model``,
so with BN folded and its weights cast, as users get it) and predict every
crop of the config's test dataloader; prints the vertex and joint
differences (mm, body frame): mean over all vertices of all crops, the
largest, and the 99th percentile of the per-crop maximum. MPJPE on the
same test set: ``tools/test.py`` with and without
``--cfg-options model.test_cfg.fast_inference=True``.
"""
import argparse

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmjotr.apis import init_model
from mmjotr.utils import register_all_modules
from mmjotr.utils.run_config import set_body_model_dir


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--body-model-dir')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.body_model_dir:
        set_body_model_dir(cfg, args.body_model_dir)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    ref = init_model(cfg, args.checkpoint, fast_inference=False)
    fast = init_model(cfg, args.checkpoint, fast_inference=True)
    loader = Runner.build_dataloader(cfg.test_dataloader)
    dist = {'vertices': [], 'joints_3d': []}
    with torch.no_grad():
        for data in loader:
            data = ref.data_preprocessor(data, False)
            a = ref(**data, mode='tensor')
            b = fast(**data, mode='tensor')
            for name in dist:
                dist[name].append(
                    (getattr(a, name) - getattr(b, name)).norm(dim=-1) * 1000)
    print_log(
        f'fast path vs fp32 on {sum(len(d) for d in dist["vertices"])} '
        f'crops of {args.config}:',
        logger='current')
    for name, parts in dist.items():
        d = torch.cat(parts).numpy()
        per_crop_max = d.max(1)
        print_log(
            f'  {name:<9s} mean {d.mean():.3f} mm, max {d.max():.3f} mm, '
            f'99th percentile of per-crop max '
            f'{np.percentile(per_crop_max, 99):.3f} mm',
            logger='current')


if __name__ == '__main__':
    main()
