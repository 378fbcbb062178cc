# Copyright (c) mmjotr contributors. All rights reserved.
"""Every pickle reader of mmjotr resolves exactly its allow-list.

Three readers take pickles from users: annotation files
(``load_annotation_pickle``), SMPL model files (``restricted_pickle_load``)
and checkpoints (torch's ``weights_only`` loading with the globals that
``enable_safe_checkpoint_resume`` adds). Each is checked two ways:

- its allow-list equals the one written here, so widening it (a new
  ``builtins`` name, ``getattr``, ...) fails this file and must be
  reviewed;
- a file naming each dangerous global (code execution, attribute access,
  file access) is refused with the reader's error naming the file and the
  global, and the global is never called.
"""
import ast
import builtins
import codecs
import copyreg
import os
import pickle
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from torch import nn

from mmjotr.body_models import smpl_pickle
from mmjotr.body_models.smpl_pickle import _ALLOWED as SMPL_ALLOWED
from mmjotr.body_models.smpl_pickle import (UnsafePickleError,
                                            restricted_pickle_load)
from mmjotr.datasets.annotation_pickle import _ALLOWED as ANNOTATION_ALLOWED
from mmjotr.datasets.annotation_pickle import (UnsafeAnnotationError,
                                               load_annotation_pickle)
from mmjotr.utils import allowlist_unpickler
from mmjotr.utils.allowlist_unpickler import (AllowlistUnpickler,
                                              load_allowlisted)
from mmjotr.utils.checkpoint_io import load_model_checkpoint

NUMPY_CORE = ('numpy.core.multiarray', 'numpy._core.multiarray')

# numpy's names resolve to mmjotr's validating stand-ins, never to numpy's
# own callables (numpy.dtype's __setstate__ can forge an object field).
EXPECTED_NUMPY = {
    ('numpy', 'ndarray'): allowlist_unpickler._NDARRAY,
    ('numpy', 'dtype'): allowlist_unpickler.DtypeSpec,
    ('_codecs', 'encode'): allowlist_unpickler._encode_latin1,
    **{
        (core, '_reconstruct'): allowlist_unpickler.ArraySpec
        for core in NUMPY_CORE
    },
    **{
        (core, 'scalar'): allowlist_unpickler.rebuild_scalar
        for core in NUMPY_CORE
    },
}
EXPECTED_ANNOTATION = EXPECTED_NUMPY
EXPECTED_SMPL = {
    **EXPECTED_NUMPY,
    ('copy_reg', '_reconstructor'): copyreg._reconstructor,
    ('copyreg', '_reconstructor'): copyreg._reconstructor,
    **{
        (mod, name): getattr(builtins, name)
        for mod in ('__builtin__', 'builtins')
        for name in ('object', 'set', 'frozenset')
    },
    ('chumpy.ch', 'Ch'): smpl_pickle._ChumpyStandIn,
    ('chumpy', 'Ch'): smpl_pickle._ChumpyStandIn,
    **{
        (mod, 'csc_matrix'): smpl_pickle._SparseStandIn
        for mod in ('scipy.sparse.csc', 'scipy.sparse._csc', 'scipy.sparse')
    },
    **{
        (mod, 'csr_matrix'): smpl_pickle._CsrStandIn
        for mod in ('scipy.sparse.csr', 'scipy.sparse._csr', 'scipy.sparse')
    },
}

# Builtins that run code, reach attributes or touch files; each is looked
# up under Python 3's and Python 2's module name.
DANGEROUS_BUILTINS = ('eval', 'exec', 'compile', 'getattr', 'setattr',
                      'delattr', '__import__', 'open', 'globals', 'locals',
                      'vars', 'input', 'breakpoint', 'memoryview', 'type',
                      'super', 'classmethod', 'staticmethod', 'property',
                      'exit', 'help', 'execfile', 'apply', 'file', 'reload')
DANGEROUS = [(mod, name) for mod in ('builtins', '__builtin__')
             for name in DANGEROUS_BUILTINS] + [('os', 'system'),
                                                ('posix', 'system'),
                                                ('nt', 'system'),
                                                ('subprocess', 'Popen'),
                                                ('subprocess', 'check_output'),
                                                ('operator', 'attrgetter'),
                                                ('functools', 'partial'),
                                                ('importlib', 'import_module'),
                                                ('pickle', 'loads'),
                                                ('numpy', 'load'),
                                                ('numpy.lib.npyio', 'load'),
                                                ('torch', 'load'),
                                                ('shutil', 'rmtree')]


def crafted_pickle(module: str, name: str) -> bytes:
    """Protocol-0 pickle calling ``module.name('1')``: the global is
    resolved (``find_class``) before the call."""
    return (f'c{module}\n{name}\n'.encode() + b"(S'1'\ntR.")


def test_allow_lists_are_exactly_the_reviewed_ones():
    # the names and what each resolves to
    assert ANNOTATION_ALLOWED == EXPECTED_ANNOTATION
    assert SMPL_ALLOWED == EXPECTED_SMPL
    for allowed in (ANNOTATION_ALLOWED, SMPL_ALLOWED):
        # no allow-list resolves a dangerous name under any spelling
        assert not set(allowed) & set(DANGEROUS)
        # nor hands numpy's own reconstructors or dtype to a file
        for target in allowed.values():
            assert getattr(target, '__module__', '') != 'numpy'
            assert target not in (np.dtype, np.ndarray, codecs.encode)


@pytest.mark.parametrize('module,name', DANGEROUS)
def test_annotation_reader_refuses(tmp_path, module, name):
    path = tmp_path / 'ann.pkl'
    path.write_bytes(crafted_pickle(module, name))
    with pytest.raises(UnsafeAnnotationError) as err:
        load_annotation_pickle(str(path))
    assert str(path) in str(err.value)
    assert f'"{module}.{name}"' in str(err.value)


@pytest.mark.parametrize('module,name', DANGEROUS)
def test_smpl_reader_refuses(tmp_path, module, name):
    path = tmp_path / 'SMPL_NEUTRAL.pkl'
    path.write_bytes(crafted_pickle(module, name))
    with pytest.raises(UnsafePickleError) as err:
        restricted_pickle_load(str(path))
    assert str(path) in str(err.value)
    assert f'"{module}.{name}"' in str(err.value)


class _Refused(Exception):
    pass


def test_generic_unpickler_resolves_nothing_else(tmp_path):
    """With an allow-list of one name, every other global is refused even
    when the name exists in the same module."""
    calls = []

    def record(value):
        calls.append(value)
        return value

    path = tmp_path / 'one.pkl'
    path.write_bytes(crafted_pickle('mymod', 'record'))
    allowed = {('mymod', 'record'): record}
    assert load_allowlisted(str(path), allowed, _Refused, 'x', 'y') == '1'
    assert calls == ['1']
    for module, name in DANGEROUS + [('mymod', 'other')]:
        path.write_bytes(crafted_pickle(module, name))
        with open(path, 'rb') as f:
            with pytest.raises(_Refused, match=f'"{module}.{name}"'):
                AllowlistUnpickler(f, str(path), allowed, _Refused, 'x').load()
    assert calls == ['1']  # nothing else was ever called


class _Calls:
    """Pickles as ``target(*args)``: what a crafted checkpoint holds."""

    def __init__(self, target, args):
        self.target, self.args = target, args

    def __reduce__(self):
        return self.target, self.args


CHECKPOINT_GADGETS = [
    (builtins.eval, ('1', )),
    (builtins.exec, ('x = 1', )),
    (builtins.getattr, (HistoryBuffer, 'min')),
    (builtins.setattr, (HistoryBuffer, 'x', 1)),
    (builtins.__import__, ('os', )),
    (builtins.open, ('/dev/null', )),
    (builtins.compile, ('1', 'f', 'eval')),
    (pickle.loads, (b'N.', )),
    (os.system, ('true', )),
]


def test_checkpoint_safe_globals_are_exactly_the_reviewed_ones():
    """What ``enable_safe_checkpoint_resume`` adds to torch's allow-list
    (torch itself allows more: its own classes and builtin exceptions),
    measured in a fresh interpreter."""
    code = textwrap.dedent("""
        import torch
        from mmjotr.utils.checkpoint_compat import (
            enable_safe_checkpoint_resume)
        def names():
            return {f'{g.__module__}.{g.__qualname__}'
                    for g in torch.serialization.get_safe_globals()}
        before = names()
        enable_safe_checkpoint_resume()
        print(sorted(names() - before))
        """)
    out = subprocess.run([sys.executable, '-c', code],
                         check=True,
                         capture_output=True,
                         text=True).stdout
    added = set(ast.literal_eval(out.strip().splitlines()[-1]))
    # no numpy: mmjotr's checkpoints are numpy-free (checkpoint_compat)
    assert added == {'mmengine.logging.history_buffer.HistoryBuffer'}


@pytest.mark.parametrize(
    'target,args',
    CHECKPOINT_GADGETS,
    ids=lambda v: getattr(v, '__name__', ''))
def test_checkpoint_loader_refuses(tmp_path, target, args):
    path = tmp_path / 'evil.pth'
    torch.save(
        {
            'state_dict': {
                'w': torch.zeros(1)
            },
            'meta': _Calls(target, args)
        }, path)
    model = nn.Linear(1, 1)
    with pytest.raises(pickle.UnpicklingError) as err:
        load_model_checkpoint(model, str(path))
    message = str(err.value)
    # torch names builtins without their module
    # torch names builtins without a module, others by a module path;
    # modules such as os are blocked outright
    assert re.search(
        rf'GLOBAL (\w+\.)*{target.__name__} (was not an allowed '
        'global|whose module .* is blocked)', message), message
