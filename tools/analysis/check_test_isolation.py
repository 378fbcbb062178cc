# Copyright (c) mmjotr contributors. All rights reserved.
"""Run every test file alone, in a fresh interpreter, and list failures.

A test that passes in the full suite only because an earlier test set
some global state up (an allow-list, a registry scope, a seed) fails
here::

    OMP_NUM_THREADS=1 python tools/analysis/check_test_isolation.py
    python tools/analysis/check_test_isolation.py tests/test_apis -m 'not slow'

The random-order run of the whole suite is ``make test-random``. Exit
code 1 when any file fails alone.
"""
import argparse
import glob
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def test_files(paths):
    """The test files of ``paths`` (files, or folders searched for
    ``test_*.py``), relative to the repository root.

    Raises:
        SystemExit: a path does not exist or a folder holds no test file.
    """
    found = []
    for path in paths:
        if osp.isfile(path):
            found.append(path)
        elif osp.isdir(path):
            files = glob.glob(
                osp.join(path, '**', 'test_*.py'), recursive=True)
            if not files:
                raise SystemExit(f'{path}: no test_*.py files in it')
            found += files
        else:
            raise SystemExit(f'{path}: no such file or folder (paths are '
                             f'relative to {ROOT})')
    return sorted(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'paths', nargs='*', default=['tests'], help='files or folders')
    parser.add_argument(
        '-m',
        '--markers',
        default='slow or not slow',
        help='pytest -m expression (default: every test, slow included)')
    args = parser.parse_args()
    os.chdir(ROOT)
    env = dict(
        os.environ, OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '1'))
    failed = []
    files = test_files(args.paths)
    start_all = time.time()
    for path in files:
        start = time.time()
        result = subprocess.run([
            sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
            '-m', args.markers, path
        ],
                                env=env,
                                capture_output=True,
                                text=True)
        # 5: every test of the file is deselected (e.g. all `slow`)
        ok = result.returncode in (0, 5)
        summary = (result.stdout.strip().splitlines() or ['?'])[-1]
        print(
            f'{"ok  " if ok else "FAIL"} {path}: {summary} '
            f'({time.time() - start:.0f} s)',
            flush=True)
        if not ok:
            failed.append(path)
            print(result.stdout[-2000:])
    print(f'\n{len(files) - len(failed)} of {len(files)} files pass alone '
          f'({time.time() - start_all:.0f} s)' +
          (f'; failing: {", ".join(failed)}' if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
