# Copyright (c) mmjotr contributors. All rights reserved.
"""An unpickler that resolves only allow-listed globals, rebuilds numpy
arrays itself and bounds what a file can make its reader build.

``pickle.load`` calls whatever functions a file names, so a crafted file
runs code. mmjotr reads pickled data (SMPL model files, annotation files)
through this unpickler: a global outside the file kind's allowlist raises an
error naming the file and the global, before anything from the file runs.

numpy's own reconstructors are not safe either: ``numpy.dtype`` accepts a
``__setstate__`` (the pickle's BUILD) that adds an object field and clears
the flags that mark it, and ``_reconstruct`` then fills such an array from
raw bytes, i.e. with pointers the file chose (a crash, or a forged live
object). So no numpy callable is ever handed to the file.
:data:`NUMPY_ARRAY_GLOBALS` resolves numpy's names to inert stand-ins:

- ``numpy.dtype`` -> :class:`DtypeSpec`: accepts only a plain type code
  (bool, integers, floats, complex, fixed-length bytes / text), and its
  ``__setstate__`` only reads the byte order after checking that the
  state describes a plain dtype (no fields, names, subarray, metadata); it
  never reaches numpy's ``dtype.__setstate__``.
- ``_reconstruct`` -> :class:`ArraySpec`: its ``__setstate__`` checks the
  shape, the :class:`DtypeSpec` and that the raw bytes are exactly
  ``prod(shape) * itemsize`` long, then builds the array with
  ``np.frombuffer`` from a dtype made from the validated code.
- ``scalar`` -> :func:`rebuild_scalar` (same checks, one element);
  ``numpy.ndarray`` is only a marker that :class:`ArraySpec` requires.

After unpickling, :func:`materialise` walks the result once, without
recursion, each object once (shared references are converted once and
stay shared): it replaces the stand-ins by arrays and dtypes and enforces
:data:`MAX_DEPTH` and :data:`MAX_ELEMENTS`. The element count is what a
reader converting the data would see, a shared reference counted at each
place it appears, so a few hundred bytes of lists holding the previous list
twice are refused instead of expanding to gigabytes in ``np.asarray``;
reference cycles are refused. Before unpickling, a memo index larger than
the opcodes before it is refused (CPython allocates the memo up to it).
Errors name the file and the bound.
"""
import codecs
import importlib
import io
import math
import pickle
import pickletools
import re
from typing import Any, Dict, Optional, Tuple, Type

import numpy as np

__all__ = [
    'AllowlistUnpickler', 'load_allowlisted', 'materialise', 'ArraySpec',
    'DtypeSpec', 'StandIn', 'UnsafeArrayError', 'rebuild_scalar',
    'NUMPY_ARRAY_GLOBALS', 'MAX_DEPTH', 'MAX_ELEMENTS'
]

#: Deepest nesting of containers a data pickle may hold.
MAX_DEPTH = 64
#: Most values (array elements and other leaves, each shared reference
#: counted where it appears) a data pickle may expand to: 2**28, about
#: 2 GiB of float64; the largest SMPL-X file holds ~3e7.
MAX_ELEMENTS = 2**28
#: Most dimensions of one array.
MAX_DIMS = 32

# bool, (un)signed integers, floats, complex, fixed-length bytes and text:
# the type codes numpy writes for plain dtypes (``dtype.__reduce__``).
_PLAIN_DTYPE = re.compile(r'b1|[iu][1248]|f[248]|c(8|16|32)|f16|'
                          r'[SU][1-9][0-9]{0,8}')


class UnsafeArrayError(ValueError):
    """A pickled numpy object is not a plain array, dtype or scalar."""


class StandIn:
    """Base of inert objects that receive a pickled state (``BUILD``);
    :func:`materialise` converts what ``state`` holds."""
    state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state


class _NdarrayMarker:
    """What ``numpy.ndarray`` resolves to: accepted only as the class
    argument of numpy's array reconstructor, never called."""

    def __call__(self, *args, **kwargs):
        raise UnsafeArrayError(
            'numpy.ndarray may only be named as the class that numpy\'s '
            'array reconstructor rebuilds')


_NDARRAY = _NdarrayMarker()


class DtypeSpec:
    """Stands in for ``numpy.dtype(code, align, copy)`` in a pickle.

    Args:
        code (str): numpy's type code, e.g. ``'f8'``, ``'U20'``.
        align, copy: numpy's flags (ignored).

    Raises:
        UnsafeArrayError: the code is not a plain dtype (object, structured,
            void, datetime, ...).
    """

    def __init__(self, code: Any, align: Any = False, copy: Any = True):
        if not isinstance(code, str) or not _PLAIN_DTYPE.fullmatch(code):
            raise UnsafeArrayError(
                f'numpy dtype {code!r} refused: only plain bool, integer, '
                'float, complex, bytes and text dtypes (no object, '
                'structured, subarray, void or datetime dtypes)')
        self.code = code
        self.byteorder = '='

    def __setstate__(self, state: Any) -> None:
        """Check numpy's dtype state; keep only its byte order."""
        plain = np.dtype(self.code)
        flexible = self.code[0] in 'SU'
        if (not isinstance(state, tuple) or len(state) != 8 or state[0] != 3
                or state[1] not in ('<', '>', '|', '=')
                or any(v is not None for v in state[2:5])
                or state[5] != (plain.itemsize if flexible else -1)
                or state[6] != (plain.alignment if flexible else -1)
                or not isinstance(state[7], int)):
            raise UnsafeArrayError(
                f'numpy dtype {self.code!r} with state {state!r:.200} '
                'refused: the state of a plain dtype has no fields, names, '
                'subarray or metadata')
        self.byteorder = state[1]

    @property
    def dtype(self) -> np.dtype:
        """The dtype, made from the validated code and byte order."""
        dtype = np.dtype(self.code)
        if self.byteorder in '<>':
            dtype = dtype.newbyteorder(self.byteorder)
        return dtype


def _raw_bytes(raw: Any, what: str) -> bytes:
    if isinstance(raw, str):  # Python 2 pickles read with latin1
        raw = raw.encode('latin1')
    if not isinstance(raw, bytes):
        raise UnsafeArrayError(f'{what}: the data must be bytes, got '
                               f'{type(raw).__name__}')
    return raw


def _dtype_of(spec: Any, what: str) -> np.dtype:
    if not isinstance(spec, DtypeSpec):
        raise UnsafeArrayError(f'{what}: the dtype must be a pickled '
                               f'numpy.dtype, got {type(spec).__name__}')
    return spec.dtype


class ArraySpec:
    """Stands in for ``numpy.core.multiarray._reconstruct(ndarray, (0,),
    b'b')``; its ``__setstate__`` (the pickle's ``BUILD``) checks numpy's
    array state and builds :attr:`array`."""
    array: Optional[np.ndarray] = None

    def __init__(self, cls: Any = None, *args: Any) -> None:
        if cls is not _NDARRAY:
            raise UnsafeArrayError(
                'numpy\'s array reconstructor may only rebuild '
                f'numpy.ndarray, got {type(cls).__name__}')

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 5 and state[0] == 1:
            state = state[1:]
        if not isinstance(state, tuple) or len(state) != 4:
            raise UnsafeArrayError('a numpy array state must be (version, '
                                   'shape, dtype, is_fortran, data)')
        shape, spec, fortran, raw = state
        if (not isinstance(shape, tuple) or len(shape) > MAX_DIMS
                or not all(type(n) is int and n >= 0 for n in shape)):
            raise UnsafeArrayError(f'numpy array shape {shape!r:.200} '
                                   'refused: a tuple of at most '
                                   f'{MAX_DIMS} non-negative ints')
        dtype = _dtype_of(spec, 'numpy array')
        raw = _raw_bytes(raw, 'numpy array')
        count = math.prod(shape)
        if count * dtype.itemsize != len(raw):
            raise UnsafeArrayError(
                f'numpy array of shape {shape} and dtype {dtype} needs '
                f'{count * dtype.itemsize} bytes, the file holds '
                f'{len(raw)}')
        if count > MAX_ELEMENTS:
            raise UnsafeArrayError(f'numpy array of {count} elements, more '
                                   f'than the bound of {MAX_ELEMENTS}')
        order = 'F' if fortran else 'C'
        self.array = np.frombuffer(raw, dtype).reshape(
            shape, order=order).copy(order=order)


def rebuild_scalar(spec: Any, raw: Any) -> np.generic:
    """Stands in for ``numpy.core.multiarray.scalar(dtype, data)``."""
    dtype = _dtype_of(spec, 'numpy scalar')
    raw = _raw_bytes(raw, 'numpy scalar')
    if len(raw) != dtype.itemsize:
        raise UnsafeArrayError(f'numpy scalar of dtype {dtype} needs '
                               f'{dtype.itemsize} bytes, got {len(raw)}')
    return np.frombuffer(raw, dtype)[0]


def _encode_latin1(text: Any, encoding: str = 'latin1') -> bytes:
    """Stands in for ``_codecs.encode``, which protocols < 3 use to store
    bytes as latin1 text; any other codec is refused."""
    if not isinstance(text, str) or encoding not in ('latin1', 'latin-1'):
        raise UnsafeArrayError('_codecs.encode may only encode text as '
                               f'latin1, got {encoding!r}')
    return codecs.encode(text, 'latin1')


#: (module, name) -> stand-in for numpy's array names (both numpy 1's and
#: numpy 2's module spelling) and for ``_codecs.encode``.
NUMPY_ARRAY_GLOBALS: Dict[Tuple[str, str], Any] = {
    ('numpy', 'ndarray'): _NDARRAY,
    ('numpy', 'dtype'): DtypeSpec,
    ('_codecs', 'encode'): _encode_latin1,
}
for _core in ('numpy.core.multiarray', 'numpy._core.multiarray'):
    NUMPY_ARRAY_GLOBALS[(_core, '_reconstruct')] = ArraySpec
    NUMPY_ARRAY_GLOBALS[(_core, 'scalar')] = rebuild_scalar


def _check_memo_indices(data: bytes) -> None:
    """Refuse a memo index beyond the opcodes read so far.

    CPython's unpickler grows its memo table to twice the largest index a
    ``PUT`` names (8 bytes each, written at once): a 9-byte file naming
    index 2**31 takes 32 GiB. Picklers number the memo from 0 up, so an
    index is never larger than the number of opcodes before it.
    """
    for count, (opcode, arg, pos) in enumerate(pickletools.genops(data)):
        if opcode.name in ('PUT', 'BINPUT', 'LONG_BINPUT') and arg > count:
            raise UnsafeArrayError(
                f'memo index {arg} at byte {pos} is beyond the {count} '
                'opcodes before it (a pickle numbers its memo from 0)')


class AllowlistUnpickler(pickle.Unpickler):
    """Unpickle, resolving only the globals of ``allowed``.

    Args:
        file: a binary file object.
        path (str): the file's path, named in errors.
        allowed (dict): ``(module, name)`` -> the object to use, or a dotted
            ``'module.attr'`` string imported on first use.
        error (type): the exception raised for any other global.
        content (str): what the file kind may hold, for the message.
    """

    def __init__(self, file, path: str, allowed: Dict[Tuple[str, str], Any],
                 error: Type[Exception], content: str) -> None:
        super().__init__(file, encoding='latin1')
        self._path = path
        self._allowed = allowed
        self._error = error
        self._content = content

    def find_class(self, module: str, name: str) -> Any:
        target = self._allowed.get((module, name))
        if target is None:
            raise self._error(
                f'{self._path}: refusing to load "{module}.{name}": '
                f'{self._content} (the file is corrupt, of another format, '
                'or possibly malicious)')
        if isinstance(target, str):
            mod, attr = target.rsplit('.', 1)
            return getattr(importlib.import_module(mod), attr)
        return target


def _children(obj: Any) -> Optional[list]:
    """The values a container holds, or None for a leaf."""
    kind = type(obj)
    if kind is dict:
        return [v for item in obj.items() for v in item]
    if kind in (list, tuple, set, frozenset):
        return list(obj)
    if isinstance(obj, StandIn):
        return [obj.state]
    return None


def _rebuilt(obj: Any, values: list) -> Any:
    kind = type(obj)
    if kind is dict:
        return dict(zip(values[::2], values[1::2]))
    if kind in (list, tuple, set, frozenset):
        return kind(values)
    obj.state = values[0]  # a StandIn
    return obj


def _leaf(obj: Any) -> Tuple[Any, int]:
    if isinstance(obj, ArraySpec):
        if obj.array is None:
            raise UnsafeArrayError('a numpy array without its data')
        return obj.array, max(obj.array.size, 1)
    if isinstance(obj, DtypeSpec):
        return obj.dtype, 1
    return obj, 1


def materialise(root: Any,
                path: str,
                max_depth: int = MAX_DEPTH,
                max_elements: int = MAX_ELEMENTS) -> Any:
    """Replace the numpy stand-ins of an unpickled object and bound it.

    Iterative: every object is visited once (a shared reference is
    converted once and stays shared) and no Python recursion is used.

    Args:
        root: what :class:`AllowlistUnpickler` returned.
        path (str): the file, named in errors.
        max_depth (int): deepest container nesting allowed.
        max_elements (int): most values the object may expand to, array
            elements included and each shared reference counted where it
            appears.

    Returns:
        The object with arrays, dtypes and new containers.

    Raises:
        UnsafeArrayError: naming ``path``: a bound is exceeded, a container
            contains itself, an array is used as a dict key or set member.
    """
    done: Dict[int, Tuple[Any, int]] = {}
    active = set()
    keep = []  # the originals stay alive, so that their ids stay unique

    def bounded(count: int) -> int:
        if count > max_elements:
            raise UnsafeArrayError(
                f'{path}: the data expands to more than the bound of '
                f'{max_elements} values (counting each shared reference '
                'where it appears)')
        return count

    def visit(obj: Any, depth: int) -> Optional[list]:
        """Finish a leaf or an already converted object (None), or
        return the frame of a container to convert."""
        if id(obj) in done:
            return None
        keep.append(obj)
        children = _children(obj)
        if children is None:
            new, count = _leaf(obj)
            done[id(obj)] = (new, bounded(count))
            return None
        if id(obj) in active:
            raise UnsafeArrayError(f'{path}: a container contains itself '
                                   '(a reference cycle)')
        if depth > max_depth:
            raise UnsafeArrayError(
                f'{path}: containers nested deeper than the bound of '
                f'{max_depth} levels')
        active.add(id(obj))
        return [obj, children, 0, depth]

    try:
        stack = [visit(root, 0)]
        if stack[0] is None:
            return done[id(root)][0]
        while stack:
            frame = stack[-1]
            obj, children, index, depth = frame
            if index < len(children):
                frame[2] += 1
                child = visit(children[index], depth + 1)
                if child is not None:
                    stack.append(child)
                continue
            stack.pop()
            results = [done[id(c)] for c in children]
            count = bounded(1 + sum(n for _, n in results))
            try:
                new = _rebuilt(obj, [v for v, _ in results])
            except TypeError as err:
                raise UnsafeArrayError(
                    f'{path}: unhashable value as a dict key or set member '
                    f'({err})') from None
            active.discard(id(obj))
            done[id(obj)] = (new, count)
        return done[id(root)][0]
    except UnsafeArrayError as err:
        if str(err).startswith(f'{path}:'):
            raise
        raise UnsafeArrayError(f'{path}: {err}') from None


def load_allowlisted(path: str,
                     allowed: Dict[Tuple[str, str], Any],
                     error: Type[Exception],
                     content: str,
                     what: str,
                     max_depth: int = MAX_DEPTH,
                     max_elements: int = MAX_ELEMENTS) -> Any:
    """Open and unpickle ``path`` with :class:`AllowlistUnpickler`, then
    :func:`materialise` it.

    Args:
        path (str): the pickle.
        allowed, error, content: as :class:`AllowlistUnpickler`; numpy's
            names in ``allowed`` should resolve to
            :data:`NUMPY_ARRAY_GLOBALS`.
        what (str): the file kind, e.g. ``'SMPL model pickle'``.
        max_depth, max_elements: as :func:`materialise`.

    Raises:
        error: the file references a global outside ``allowed``, a numpy
            object that is not a plain array, or exceeds a bound (no code
            from it has run; the message names the file).
        pickle.UnpicklingError: the file is not a readable pickle (the
            message names it and ``what``).
    """
    with open(path, 'rb') as f:
        raw = f.read()
    try:
        _check_memo_indices(raw)
        data = AllowlistUnpickler(
            io.BytesIO(raw), path, allowed, error, content).load()
        return materialise(data, path, max_depth, max_elements)
    except error:
        raise
    except UnsafeArrayError as err:
        message = str(err)
        if not message.startswith(f'{path}:'):
            message = f'{path}: {message}'
        raise error(f'{message} (in a {what})') from None
    except Exception as err:
        raise pickle.UnpicklingError(
            f'{path}: not a readable {what} ({err!r})') from err
