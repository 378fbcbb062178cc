# Copyright (c) mmjotr contributors. All rights reserved.
"""Train the SynthOcc ablations (paper Tables 4 and 7) and print the table.

    python tools/analysis/ablate_synthocc.py --seeds 0 1 2 \
        [--max-iters 900] [--finetune-iters 300] \
        [--data-root data/synthocc_quickstart]

Two stages as in the paper (configs/jotr/synthocc_ablations/README.md):
per seed, the stage-1 rows train from scratch without the contrastive
losses, and every other row fine-tunes its stage-1 checkpoint (the full
model with both contrastive losses, no contrast, J2N only, J2J only; the
no-3D-features row has its own stage 1). Every row is trained with every
seed on the same SynthOcc copy (generated when absent, as in the quick
start) and tested on the three test splits; cells are MPJPE / PA-MPJPE /
PVE in mm, mean ± std over the seeds. Results are rewritten to
<work-dir>/ablation.json after every run.

Seeds can run in parallel processes (or machines), one work dir each;
``--collect`` then prints the table of their ablation.json files:

    python tools/analysis/ablate_synthocc.py --collect \
        work_dirs/abl_s0/ablation.json work_dirs/abl_s1/ablation.json
"""
import argparse
import os.path as osp

from mmengine.logging import print_log

from mmjotr.apis.synthocc_runs import (TEST_SPLITS, format_rows,
                                       merge_ablation_results,
                                       run_synthocc_ablation)
from mmjotr.body_models.standin import ensure_standin_body_model
from mmjotr.datasets.synthocc import SynthOccSettings, ensure_synthocc
from mmjotr.utils import register_all_modules

ABLATIONS = 'configs/jotr/synthocc_ablations'
#: row name (also the work sub-directory) -> config, in training order;
#: paper rows in the configs' comments (full = both contrastive losses and
#: 3D features)
ROWS = {
    'stage1': 'configs/jotr/jotr_tiny_1xb8-900it_synthocc-256x256.py',
    'full':
    'configs/jotr/jotr_tiny_1xb8-300it_synthocc-256x256_contrastive.py',
    'no-contrast': f'{ABLATIONS}/jotr_tiny_synthocc_no-contrast.py',
    'j2n-only': f'{ABLATIONS}/jotr_tiny_synthocc_j2n-only.py',
    'j2j-only': f'{ABLATIONS}/jotr_tiny_synthocc_j2j-only.py',
    'no-3d-features-stage1':
    f'{ABLATIONS}/jotr_tiny_synthocc_no-3d-features_stage1.py',
    'no-3d-features': f'{ABLATIONS}/jotr_tiny_synthocc_no-3d-features.py',
}
#: stage-2 row -> the stage-1 row whose checkpoint it fine-tunes
INIT_FROM = {
    'full': 'stage1',
    'no-contrast': 'stage1',
    'j2n-only': 'stage1',
    'j2j-only': 'stage1',
    'no-3d-features': 'no-3d-features-stage1',
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument(
        '--max-iters', type=int, help='stage-1 iterations (configs: 900)')
    parser.add_argument(
        '--finetune-iters', type=int, help='stage-2 iterations (configs: 300)')
    parser.add_argument('--rows', nargs='+', choices=list(ROWS))
    parser.add_argument('--data-root', default='data/synthocc_quickstart')
    parser.add_argument('--body-model-dir', default='data/standin/body_models')
    parser.add_argument('--num-train', type=int, default=800)
    parser.add_argument('--num-test', type=int, default=100)
    parser.add_argument('--work-dir', default='work_dirs/synthocc_ablation')
    parser.add_argument(
        '--collect',
        nargs='+',
        metavar='JSON',
        help='print the table of these ablation.json files (no training)')
    return parser.parse_args()


def print_table(seeds, results) -> None:
    print_log(
        f'SynthOcc ablation, seeds {seeds}, MPJPE / PA-MPJPE / PVE '
        '(mm, mean±std):\n' + format_rows(results),
        logger='current')


def main():
    args = parse_args()
    if args.collect:
        print_table(*merge_ablation_results(args.collect))
        return
    register_all_modules()
    ensure_standin_body_model(args.body_model_dir, vposer_steps=1000)
    ensure_synthocc(
        args.data_root, args.body_model_dir,
        SynthOccSettings(
            num_frames=dict(
                train=args.num_train,
                **dict.fromkeys(TEST_SPLITS, args.num_test))))
    wanted = set(args.rows or ROWS)
    # a fine-tuned row needs its stage 1
    wanted |= {INIT_FROM[name] for name in wanted if name in INIT_FROM}
    rows = {name: config for name, config in ROWS.items() if name in wanted}
    results = run_synthocc_ablation(
        rows,
        args.seeds,
        args.data_root,
        args.body_model_dir,
        args.work_dir,
        max_iters=args.max_iters,
        results_file=osp.join(args.work_dir, 'ablation.json'),
        init_from={
            k: v
            for k, v in INIT_FROM.items() if k in rows
        },
        max_iters_from=args.finetune_iters)
    print_table(args.seeds, results)


if __name__ == '__main__':
    main()
