# Copyright (c) mmjotr contributors. All rights reserved.
"""Plant each bug of ``mutants.py`` in a copy of the tree and run its tests.

Run it before resolving an issue that touches a listed module (and add
mutants for new modules)::

    OMP_NUM_THREADS=1 python tools/analysis/mutation_check.py
    python tools/analysis/mutation_check.py --only lambda-not-detached
    python tools/analysis/mutation_check.py --list

For every mutant it copies the working tree (tracked and untracked files
that git does not ignore) to a temporary folder once, writes the one-line
change there, runs ``pytest -x`` on the mutant's tests with the copy first
on ``sys.path`` (the installed ``mmjotr`` is not used: the script checks
that the copy's package is the one imported), restores the file and goes
on. First the listed tests run once unmodified: a mutant only counts as
caught when the same tests pass without it. The table names, for each
mutant, the first test that failed. Exit code 1 when any mutant survived
or the unmodified run failed.

Why not mutmut: mutmut generates thousands of operator mutants and needs a
minutes-long test run for each on these 2-core machines; a curated list of
bugs that were really made (or nearly made) here checks what matters in a
few minutes and names the test that guards each.
"""
import argparse
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import List, Sequence, Tuple

from mutants import MUTANTS, Mutant

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
FAILED = re.compile(r'^(?:FAILED|ERROR) (\S+)', re.M)


def apply_mutant(text: str, mutant: Mutant) -> str:
    """``text`` with the mutant's snippet replaced.

    Raises:
        ValueError: the snippet occurs zero or several times (the list is
            out of date with the code).
    """
    count = text.count(mutant.find)
    if count != 1:
        raise ValueError(
            f'mutant {mutant.name}: the snippet occurs {count} times in '
            f'{mutant.path} (expected once); update tools/analysis/'
            f'mutants.py:\n    {mutant.find!r}')
    return text.replace(mutant.find, mutant.replace)


def copy_tree(dest: str) -> None:
    """Copy the working tree's files that git tracks or would track."""
    files = subprocess.run([
        'git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'
    ],
                           cwd=ROOT,
                           check=True,
                           capture_output=True).stdout.decode().split('\0')
    for rel in filter(None, files):
        src = osp.join(ROOT, rel)
        if not osp.isfile(src):  # deleted in the working tree
            continue
        os.makedirs(osp.dirname(osp.join(dest, rel)), exist_ok=True)
        shutil.copy2(src, osp.join(dest, rel))


def run_tests(tree: str, tests: Sequence[str],
              timeout: float) -> Tuple[int, str]:
    """pytest on ``tests`` inside ``tree``; (exit code, output)."""
    env = dict(
        os.environ,
        OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '1'),
        PYTHONPATH=os.pathsep.join([tree,
                                    os.environ.get('PYTHONPATH', '')]))
    cmd = [
        sys.executable, '-m', 'pytest', '-x', '-q', '-p', 'no:cacheprovider',
        '-p', 'no:randomly', *tests
    ]
    try:
        result = subprocess.run(
            cmd,
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, f'timed out after {timeout:.0f} s'
    return result.returncode, result.stdout + result.stderr


def check_import_location(tree: str) -> None:
    env = dict(os.environ, PYTHONPATH=tree)
    out = subprocess.run(
        [sys.executable, '-c', 'import mmjotr; print(mmjotr.__file__)'],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True).stdout.strip()
    if not osp.realpath(out).startswith(osp.realpath(tree)):
        raise RuntimeError(f'the copy is not imported first ({out})')


def first_failure(output: str) -> str:
    found = FAILED.findall(output)
    return found[0] if found else 'exit code only'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--only', nargs='+', help='run only these mutants (names)')
    parser.add_argument('--list', action='store_true', help='list mutants')
    parser.add_argument(
        '--timeout',
        type=float,
        default=900.,
        help='seconds per pytest run (default 900)')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    mutants: List[Mutant] = list(MUTANTS)
    if args.only:
        unknown = set(args.only) - {m.name for m in mutants}
        if unknown:
            raise SystemExit(f'unknown mutants: {sorted(unknown)}')
        mutants = [m for m in mutants if m.name in args.only]
    if args.list:
        for m in mutants:
            print(f'{m.name:28s} {m.path}: {m.what}')
        return 0
    for m in mutants:  # every snippet is still in the code
        with open(osp.join(ROOT, m.path)) as f:
            apply_mutant(f.read(), m)

    tree = tempfile.mkdtemp(prefix='mmjotr-mutants-')
    try:
        copy_tree(tree)
        check_import_location(tree)
        tests = sorted({t for m in mutants for t in m.tests})
        start = time.time()
        code, output = run_tests(tree, tests, args.timeout)
        if code != 0:
            print(output[-3000:])
            print(f'the unmodified tests fail (exit code {code}): fix them '
                  'first')
            return 1
        print(f'unmodified: {len(tests)} test paths pass '
              f'({time.time() - start:.0f} s)')
        rows = []
        for m in mutants:
            path = osp.join(tree, m.path)
            with open(path) as f:
                original = f.read()
            with open(path, 'w') as f:
                f.write(apply_mutant(original, m))
            start = time.time()
            try:
                code, output = run_tests(tree, m.tests, args.timeout)
            finally:
                with open(path, 'w') as f:
                    f.write(original)
            caught = code != 0
            rows.append((m.name, 'caught' if caught else 'SURVIVED',
                         first_failure(output) if caught else '-',
                         time.time() - start))
            print(
                f'{m.name}: {rows[-1][1]} {rows[-1][2]} '
                f'({rows[-1][3]:.0f} s)',
                flush=True)
    finally:
        shutil.rmtree(tree, ignore_errors=True)

    print('\n| mutant | result | first failing test | s |')
    print('|---|---|---|---|')
    for name, result, test, seconds in rows:
        print(f'| {name} | {result} | {test} | {seconds:.0f} |')
    survived = [r[0] for r in rows if r[1] != 'caught']
    print(f'\n{len(rows) - len(survived)} of {len(rows)} mutants caught' +
          (f'; survived: {", ".join(survived)}' if survived else ''))
    return 1 if survived else 0


if __name__ == '__main__':
    sys.exit(main())
