# Copyright (c) mmjotr contributors. All rights reserved.
"""Read SMPL model pickles without chumpy, safely, and write plain ones.

The official SMPL files are Python-2 pickles whose arrays are chumpy ``Ch``
objects and whose regressor is a ``scipy.sparse`` matrix. chumpy does not
import on current numpy, and a pickle may run arbitrary code, so files are
read with a restricted unpickler: it resolves only the numpy, scipy.sparse
and chumpy names such a file contains (the latter two to inert stand-ins
that are turned into arrays afterwards) and refuses every other class with
an error naming it. Converted files and the project's stand-in models are
pickles of plain numpy arrays, read by the same function.

numpy's names resolve to the validating stand-ins of
:mod:`mmjotr.utils.allowlist_unpickler`: arrays are rebuilt from raw bytes
only with plain dtypes (no object, structured, subarray or void dtype, no
dtype state from the file), the loaded data is bounded in nesting depth
and in the number of values it expands to (shared references counted
where they appear), and the conversion of the stand-ins converts each
shared object once. A crafted file gets an error naming it, never a
crash, a forged object or gigabytes of memory.
"""
import copyreg
import os
import os.path as osp
import pickle
from typing import Any, Dict

import numpy as np
import scipy.sparse

from mmjotr.utils.allowlist_unpickler import (NUMPY_ARRAY_GLOBALS, StandIn,
                                              load_allowlisted)

__all__ = [
    'UnsafePickleError', 'restricted_pickle_load', 'load_smpl_arrays',
    'save_smpl_arrays', 'convert_smpl_pickle', 'SMPL_ARRAY_KEYS'
]

#: The arrays an SMPL model file must hold (smplx's names).
SMPL_ARRAY_KEYS = ('v_template', 'f', 'shapedirs', 'posedirs', 'J_regressor',
                   'weights', 'kintree_table')


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle referenced a class outside the allowed set."""


class _ChumpyStandIn(StandIn):
    """Receives the pickled state of a chumpy ``Ch``; its value is ``x``."""


class _SparseStandIn(StandIn):
    """Receives the pickled state of a scipy compressed sparse matrix."""
    matrix_class = scipy.sparse.csc_matrix


class _CsrStandIn(_SparseStandIn):
    matrix_class = scipy.sparse.csr_matrix


# (module, name) -> how to resolve it: the inert stand-ins above, numpy's
# names to the validating stand-ins of allowlist_unpickler (never numpy's
# own callables), and a few builtins.
_ALLOWED: Dict[tuple, Any] = {
    **NUMPY_ARRAY_GLOBALS,
    ('copy_reg', '_reconstructor'):
    copyreg._reconstructor,
    ('copyreg', '_reconstructor'):
    copyreg._reconstructor,
    ('__builtin__', 'object'):
    object,
    ('builtins', 'object'):
    object,
    # chumpy objects keep sets of dirty variables in their state.
    ('__builtin__', 'set'):
    set,
    ('builtins', 'set'):
    set,
    ('__builtin__', 'frozenset'):
    frozenset,
    ('builtins', 'frozenset'):
    frozenset,
    ('chumpy.ch', 'Ch'):
    _ChumpyStandIn,
    ('chumpy', 'Ch'):
    _ChumpyStandIn,
}
for _fmt, _stand_in in (('csc', _SparseStandIn), ('csr', _CsrStandIn)):
    for _mod in (f'scipy.sparse.{_fmt}', f'scipy.sparse._{_fmt}',
                 'scipy.sparse'):
        _ALLOWED[(_mod, f'{_fmt}_matrix')] = _stand_in


def _to_plain(value: Any, path: str, key: str, memo: dict) -> Any:
    """Turn the stand-ins into numpy arrays / scipy matrices, recursively.

    ``memo`` (id -> result) converts a shared object once and keeps it
    shared; :func:`load_allowlisted` has bounded the nesting depth and
    refused reference cycles.
    """
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, _ChumpyStandIn):
        state = value.state
        if not isinstance(state, dict) or 'x' not in state:
            raise ValueError(f'{path}: field "{key}" is a chumpy expression '
                             'without a stored value; only chumpy arrays '
                             '(Ch with "x") can be converted')
        plain = _numeric(state['x'], path, key)
    elif isinstance(value, _SparseStandIn):
        state = value.state
        try:
            arrays = tuple(
                _numeric(state[k], path, key)
                for k in ('data', 'indices', 'indptr'))
            shape = state['_shape']
        except (TypeError, KeyError) as err:
            raise ValueError(f'{path}: field "{key}" is a malformed sparse '
                             f'matrix (missing {err})') from None
        plain = value.matrix_class(arrays, shape=shape)
    elif isinstance(value, dict):
        plain = {
            k: _to_plain(v, path, f'{key}.{k}', memo)
            for k, v in value.items()
        }
    elif isinstance(value, (list, tuple)):
        plain = type(value)(_to_plain(v, path, key, memo) for v in value)
    else:
        return value
    memo[id(value)] = plain
    return plain


def _numeric(value: Any, path: str, key: str) -> np.ndarray:
    """An array of numbers (never of objects) from an array or numbers."""
    array = np.asarray(value)
    if array.dtype.kind not in 'biuf':
        raise ValueError(f'{path}: field "{key}" holds {array.dtype} '
                         'values, not numbers')
    return array


def restricted_pickle_load(path: str) -> Any:
    """Unpickle an SMPL-style file allowing only array classes.

    Args:
        path (str): the pickle.

    Returns:
        The unpickled object, chumpy arrays turned into ``ndarray`` and
        sparse matrices into ``scipy.sparse`` matrices.

    Raises:
        UnsafePickleError: the file references any other class or
            function, holds a numpy object that is not a plain array, or
            exceeds a bound of :mod:`mmjotr.utils.allowlist_unpickler`.
        FileNotFoundError: the file does not exist.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'SMPL model file not found: {path}')
    data = load_allowlisted(
        path,
        _ALLOWED,
        UnsafePickleError,
        content='an SMPL model pickle may only contain numpy arrays, scipy '
        'sparse matrices and chumpy arrays',
        what='SMPL model pickle')
    return _to_plain(data, path, '<root>', {})


def _validate(arrays: Dict[str, np.ndarray], path: str) -> None:
    missing = [k for k in SMPL_ARRAY_KEYS if k not in arrays]
    if missing:
        raise ValueError(f'{path}: SMPL model lacks fields {missing}')
    num_verts = arrays['v_template'].shape[0]
    num_joints = arrays['kintree_table'].shape[1]
    expected = {
        'v_template': (num_verts, 3),
        'shapedirs': (num_verts, 3, None),
        'posedirs': (num_verts, 3, 9 * (num_joints - 1)),
        'J_regressor': (num_joints, num_verts),
        'weights': (num_verts, num_joints),
        'kintree_table': (2, num_joints),
        'f': (None, 3),
    }
    for key, shape in expected.items():
        got = arrays[key].shape
        if len(got) != len(shape) or any(s is not None and s != g
                                         for s, g in zip(shape, got)):
            raise ValueError(f'{path}: SMPL field "{key}" has shape {got}, '
                             f'expected {shape} (None = any)')
    for key in ('v_template', 'shapedirs', 'posedirs', 'J_regressor',
                'weights'):
        if not np.isfinite(arrays[key]).all():
            raise ValueError(f'{path}: SMPL field "{key}" has non-finite '
                             'values')
    faces = arrays['f']
    if faces.min() < 0 or faces.max() >= num_verts:
        raise ValueError(f'{path}: SMPL faces index outside [0, '
                         f'{num_verts})')


def load_smpl_arrays(path: str) -> Dict[str, Any]:
    """Load and validate an SMPL model file (official or converted).

    Args:
        path (str): an SMPL pickle.

    Returns:
        dict: every field of the file, with :data:`SMPL_ARRAY_KEYS` as dense
        numpy arrays (``J_regressor`` densified, ``f`` int64).
    """
    data = restricted_pickle_load(path)
    if not isinstance(data, dict):
        raise ValueError(f'{path}: an SMPL model pickle holds a dict, got '
                         f'{type(data).__name__}')
    arrays = dict(data)
    for key in SMPL_ARRAY_KEYS:
        if key in arrays:
            value = arrays[key]
            if scipy.sparse.issparse(value):
                value = value.toarray()
            arrays[key] = np.asarray(value)
    _validate(arrays, path)
    arrays['f'] = arrays['f'].astype(np.int64)
    arrays['kintree_table'] = arrays['kintree_table'].astype(np.int64)
    return arrays


def save_smpl_arrays(arrays: Dict[str, Any], path: str) -> None:
    """Write an SMPL model as a pickle of plain numpy arrays.

    Args:
        arrays (dict): at least :data:`SMPL_ARRAY_KEYS`; other plain values
            (strings, arrays) are kept.
        path (str): output file; its folder is created.
    """
    _validate(arrays, path)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        pickle.dump(dict(arrays), f, protocol=4)
    os.replace(tmp, path)


def convert_smpl_pickle(src: str, dst: str) -> Dict[str, Any]:
    """Convert an official (chumpy) SMPL pickle to a plain-array pickle.

    Args:
        src (str): official file, e.g.
            ``basicModel_neutral_lbs_10_207_0_v1.0.0.pkl``.
        dst (str): output, e.g. ``<body_model_dir>/smpl/SMPL_NEUTRAL.pkl``.

    Returns:
        dict: the arrays written.
    """
    arrays = load_smpl_arrays(src)
    plain = {}
    for key, value in arrays.items():
        if scipy.sparse.issparse(value):
            value = value.toarray()
        if isinstance(value, (np.ndarray, str, int, float)):
            plain[key] = value
    save_smpl_arrays(plain, dst)
    return plain
