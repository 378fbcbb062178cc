# Copyright (c) mmjotr contributors. All rights reserved.
"""Run 2-process ``tools/dist_train.sh`` many times and count failed exits.

A rank that aborts at interpreter exit (after the run finished and saved
its checkpoint) makes torchrun return non-zero at random; this repeats the
tiny training of ``tests/test_tools/test_dist_train.py`` (generated COCO
data, the tiny JOTR, 2 iterations, gloo on the CPU) and prints each run's
exit code, whether the checkpoint was written and any abort lines::

    OMP_NUM_THREADS=1 python tools/analysis/stress_dist_train.py --runs 20

The stand-in body model is generated on first use (a few seconds) into
the same cache as the tests'. Exit code 1 when any run failed.
"""
import argparse
import os
import os.path as osp
import re
import sys
import tempfile
import time

from mmjotr.body_models.standin import ensure_standin_body_model
from mmjotr.testing import run_dist_train, write_tiny_coco_train_config

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
ABORT = re.compile(r'terminate called|SIGABRT|Signals\.SIGABRT|core dumped|'
                   r'exitcode\s*:\s*-\d+|gloo threads are still running')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--processes', type=int, default=2)
    parser.add_argument(
        '--body-model-dir',
        help='a body model directory (default: the stand-in in the tests\' '
        'cache, generated when missing)')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.runs < 1 or args.processes < 1:
        raise SystemExit('--runs and --processes must be >= 1')
    body_model_dir = args.body_model_dir
    if body_model_dir is None:
        sys.path.insert(0, osp.join(ROOT, 'tests'))
        from conftest import (QUICK_VPOSER_BATCH, QUICK_VPOSER_STEPS,
                              STANDIN_SEED, standin_cache_dir)
        body_model_dir = ensure_standin_body_model(
            standin_cache_dir(),
            seed=STANDIN_SEED,
            vposer_steps=QUICK_VPOSER_STEPS,
            vposer_batch_size=QUICK_VPOSER_BATCH)
    failed = 0
    with tempfile.TemporaryDirectory(prefix='stress-dist-') as tmp:
        config = write_tiny_coco_train_config(tmp, 2, 2)
        for i in range(1, args.runs + 1):
            work_dir = osp.join(tmp, f'run{i}')
            start = time.time()
            result = run_dist_train(
                config,
                args.processes,
                '--work-dir',
                work_dir,
                '--body-model-dir',
                body_model_dir,
                timeout=600)
            saved = osp.isfile(osp.join(work_dir, 'iter_2.pth'))
            lines = [
                line.strip()
                for line in (result.stdout + result.stderr).splitlines()
                if ABORT.search(line)
            ]
            bad = result.returncode != 0 or not saved or bool(lines)
            failed += bad
            print(
                f'run {i:2d}: exit code {result.returncode}, checkpoint '
                f'{"saved" if saved else "MISSING"}, '
                f'{time.time() - start:.1f} s' +
                ''.join(f'\n    {line}' for line in lines[:3]),
                flush=True)
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    print(f'{failed} of {args.runs} runs failed ({args.processes} processes; '
          f'load average {load})')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
