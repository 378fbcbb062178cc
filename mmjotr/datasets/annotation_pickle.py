# Copyright (c) mmjotr contributors. All rights reserved.
"""Read annotation pickles without running code from them.

A pickle names the functions that rebuild its objects, and ``pickle.load``
calls them: a crafted annotation file can run any command when a dataset is
built. Annotation pickles (e.g. the Panoptic protocol's per-sequence files)
hold only lists, dicts, strings, numbers and numpy arrays, so they are read
with an unpickler that resolves numpy's array reconstructors and nothing
else; any other global makes it fail naming the file and the global.
"""
import codecs
import pickle
from typing import Any, Callable, Dict, Tuple

import numpy as np

from mmjotr.utils.allowlist_unpickler import load_allowlisted

__all__ = ['UnsafeAnnotationError', 'load_annotation_pickle']


class UnsafeAnnotationError(pickle.UnpicklingError):
    """An annotation pickle referenced a global outside the allowed set."""


def _numpy_multiarray(name: str) -> Callable:
    if int(np.__version__.split('.')[0]) >= 2:
        from numpy._core import multiarray
    else:
        from numpy.core import multiarray
    return getattr(multiarray, name)


# (module, name) -> object: what an array-and-container pickle may name.
_ALLOWED: Dict[Tuple[str, str], Any] = {
    ('numpy', 'ndarray'):
    np.ndarray,
    ('numpy', 'dtype'):
    np.dtype,
    # protocol < 3 stores bytes (array buffers) as _codecs.encode(str)
    ('_codecs', 'encode'):
    codecs.encode,
}
for _module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
    for _name in ('_reconstruct', 'scalar'):
        _ALLOWED[(_module, _name)] = _numpy_multiarray(_name)


def load_annotation_pickle(path: str) -> Any:
    """Unpickle an annotation file allowing only containers and arrays.

    Args:
        path (str): the pickle, which must exist.

    Returns:
        The unpickled lists / dicts / arrays.

    Raises:
        UnsafeAnnotationError: the file references any other global (no
            code from it has run).
        pickle.UnpicklingError: the file is not a readable pickle (the
            message names it).
    """
    return load_allowlisted(
        path,
        _ALLOWED,
        UnsafeAnnotationError,
        content='an annotation pickle may only hold lists, dicts, strings, '
        'numbers and numpy arrays',
        what='annotation pickle')
