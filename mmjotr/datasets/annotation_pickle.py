# Copyright (c) mmjotr contributors. All rights reserved.
"""Read annotation pickles without running code from them.

A pickle names the functions that rebuild its objects, and ``pickle.load``
calls them: a crafted annotation file can run any command when a dataset is
built. Annotation pickles (e.g. the Panoptic protocol's per-sequence files)
hold only lists, dicts, strings, numbers and numpy arrays, so they are read
with an unpickler that resolves numpy's array names and nothing else; any
other global makes it fail naming the file and the global.

numpy's names resolve to validating stand-ins
(:mod:`mmjotr.utils.allowlist_unpickler`): arrays are rebuilt from raw
bytes only with plain dtypes (no object, structured, subarray or void
dtype, no dtype state from the file), and the loaded data is bounded in
nesting depth and in the number of values it expands to, so a crafted file
can neither forge objects in memory nor explode into gigabytes; errors
name the file and the bound.
"""
import pickle
from typing import Any, Dict, Tuple

from mmjotr.utils.allowlist_unpickler import (NUMPY_ARRAY_GLOBALS,
                                              load_allowlisted)

__all__ = ['UnsafeAnnotationError', 'load_annotation_pickle']


class UnsafeAnnotationError(pickle.UnpicklingError):
    """An annotation pickle referenced a global outside the allowed set."""


# (module, name) -> object: what an array-and-container pickle may name;
# numpy's names resolve to mmjotr's validating stand-ins, never to numpy.
_ALLOWED: Dict[Tuple[str, str], Any] = dict(NUMPY_ARRAY_GLOBALS)


def load_annotation_pickle(path: str) -> Any:
    """Unpickle an annotation file allowing only containers and arrays.

    Args:
        path (str): the pickle, which must exist.

    Returns:
        The unpickled lists / dicts / arrays.

    Raises:
        UnsafeAnnotationError: the file references any other global, holds
            a numpy object that is not a plain array, or exceeds a bound of
            :mod:`mmjotr.utils.allowlist_unpickler` (no code from it has
            run; the message names the file).
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
