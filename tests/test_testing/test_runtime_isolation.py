# Copyright (c) mmjotr contributors. All rights reserved.
"""Test support and measuring code stay out of the runtime package."""
import ast
import os.path as osp
import subprocess
import sys
from glob import glob

import mmjotr

PACKAGE = osp.dirname(mmjotr.__file__)


def test_runtime_imports_neither_testing_nor_the_standin_generator():
    code = ('import sys\n'
            'import mmjotr.models, mmjotr.datasets, mmjotr.body_models\n'
            'bad = sorted(m for m in sys.modules if m.startswith(\n'
            '    ("mmjotr.testing", "mmjotr.body_models.standin")))\n'
            'print(",".join(bad))\n')
    out = subprocess.run([sys.executable, '-c', code],
                         check=True,
                         capture_output=True,
                         text=True).stdout.strip()
    assert out == '', f'runtime imports test support: {out}'


def _imported_modules(path):
    tree = ast.parse(open(path).read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_runtime_module_imports_testing_or_times_code():
    offenders = []
    for path in glob(osp.join(PACKAGE, '**', '*.py'), recursive=True):
        rel = osp.relpath(path, PACKAGE)
        if rel.startswith('testing'):
            continue
        if any(
                m.startswith('mmjotr.testing')
                for m in _imported_modules(path)):
            offenders.append(f'{rel}: imports mmjotr.testing')
        if 'perf_counter' in open(path).read():
            offenders.append(f'{rel}: timing code')
    assert not offenders, offenders
