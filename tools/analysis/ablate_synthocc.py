# Copyright (c) mmjotr contributors. All rights reserved.
"""Train the SynthOcc ablations (paper Tables 4 and 7) and print the table.

    python tools/analysis/ablate_synthocc.py --seeds 0 1 2 \
        [--max-iters 900] [--data-root data/synthocc_quickstart]

Every row is trained with every seed on the same SynthOcc copy (generated
when absent, as in the quick start) and tested on the three test splits;
cells are MPJPE / PA-MPJPE / PVE in mm, mean ± std over the seeds.
Results are rewritten to <work-dir>/ablation.json after every run.
"""
import argparse
import os.path as osp

from mmengine.logging import print_log

from mmjotr.apis.synthocc_runs import (TEST_SPLITS, format_rows,
                                       run_synthocc_ablation)
from mmjotr.body_models.standin import ensure_standin_body_model
from mmjotr.datasets.synthocc import SynthOccSettings, ensure_synthocc
from mmjotr.utils import register_all_modules

ABLATIONS = 'configs/jotr/synthocc_ablations'
#: row name (also the work sub-directory) -> config; paper rows in the
#: configs' comments (full = both contrastive losses and 3D features)
ROWS = {
    'full': 'configs/jotr/jotr_tiny_1xb8-900it_synthocc-256x256.py',
    'no-3d-features': f'{ABLATIONS}/jotr_tiny_synthocc_no-3d-features.py',
    'no-contrast': f'{ABLATIONS}/jotr_tiny_synthocc_no-contrast.py',
    'j2n-only': f'{ABLATIONS}/jotr_tiny_synthocc_j2n-only.py',
    'j2j-only': f'{ABLATIONS}/jotr_tiny_synthocc_j2j-only.py',
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--max-iters', type=int)
    parser.add_argument('--rows', nargs='+', choices=list(ROWS))
    parser.add_argument('--data-root', default='data/synthocc_quickstart')
    parser.add_argument('--body-model-dir', default='data/standin/body_models')
    parser.add_argument('--num-train', type=int, default=800)
    parser.add_argument('--num-test', type=int, default=100)
    parser.add_argument('--work-dir', default='work_dirs/synthocc_ablation')
    return parser.parse_args()


def main():
    args = parse_args()
    register_all_modules()
    ensure_standin_body_model(args.body_model_dir, vposer_steps=1000)
    ensure_synthocc(
        args.data_root, args.body_model_dir,
        SynthOccSettings(
            num_frames=dict(
                train=args.num_train,
                **dict.fromkeys(TEST_SPLITS, args.num_test))))
    rows = {name: ROWS[name] for name in (args.rows or ROWS)}
    results = run_synthocc_ablation(
        rows,
        args.seeds,
        args.data_root,
        args.body_model_dir,
        args.work_dir,
        max_iters=args.max_iters,
        results_file=osp.join(args.work_dir, 'ablation.json'))
    print_log(
        f'SynthOcc ablation, seeds {args.seeds}, MPJPE / PA-MPJPE / PVE '
        '(mm, mean±std):\n' + format_rows(results),
        logger='current')


if __name__ == '__main__':
    main()
