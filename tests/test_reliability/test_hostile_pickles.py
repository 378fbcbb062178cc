# Copyright (c) mmjotr contributors. All rights reserved.
"""Crafted data files cannot forge memory, crash or explode a reader
(issue 19, part 1).

Each file is crafted first, from names the readers allowed before (numpy's
``dtype``, ``ndarray``, ``_reconstruct``, ``scalar``), and then given to the
public loader: annotation pickles (``load_annotation_pickle``, the Panoptic
dataset), SMPL model pickles (``restricted_pickle_load``,
``load_smpl_arrays``) and checkpoints (``load_model_checkpoint``, which
``init_model`` uses). A load that could crash runs in a subprocess, so a
segfault fails the test instead of killing pytest.
"""
import io
import json
import pickle
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from mmjotr.body_models import UnsafePickleError, restricted_pickle_load
from mmjotr.datasets import UnsafeAnnotationError, load_annotation_pickle
from mmjotr.utils.allowlist_unpickler import MAX_DEPTH

if int(np.__version__.split('.')[0]) >= 2:
    from numpy._core import multiarray
else:
    from numpy.core import multiarray


class Reduces:
    """Pickles as ``target(*args)`` followed by ``BUILD state``: how a
    crafted file calls an allowed name with arguments of its choice."""

    def __init__(self, target, args, state=None):
        self.target, self.args, self.state = target, args, state

    def __reduce__(self):
        if self.state is None:
            return self.target, self.args
        return self.target, self.args, self.state


def _object_dtype():
    return Reduces(np.dtype, ('O8', False, True))


#: dtype reduce arguments and the BUILD state that forges an object field
#: numpy does not flag (``flags`` 0: ``hasobject`` is False).
DTYPE_GADGETS = {
    # a void dtype whose field 'f0' is an object: arr[0][0] dereferences
    'void-fields': (('V8', False, True), lambda: (3, '|', None, ('f0', ), {
        'f0': (_object_dtype(), 0)
    }, 8, 1, 0)),
    # a void dtype holding an object subarray
    'void-subarray': (('V8', False, True), lambda:
                      (3, '|', (_object_dtype(), (1, )), None, None, 8, 1, 0)),
    # a float64 dtype with an object field: only Float64DType is needed,
    # which torch's old allow-list held
    'f8-fields': (('f8', False, True), lambda: (3, '<', None, ('f0', ), {
        'f0': (_object_dtype(), 0)
    }, 8, 8, 0)),
}


def forged_array(variant: str, address: int):
    """An array whose 8 raw bytes are read as a pointer to ``address``."""
    args, state = DTYPE_GADGETS[variant]
    dtype = Reduces(np.dtype, args, state())
    return Reduces(multiarray._reconstruct, (np.ndarray, (0, ), b'b'),
                   (1, (1, ), dtype, False, struct.pack('<Q', address)))


def array_state(shape, dtype, raw):
    """A numpy array pickle with a chosen (unchecked) state."""
    return Reduces(multiarray._reconstruct, (np.ndarray, (0, ), b'b'),
                   (1, shape, dtype, False, raw))


def shared_list_bomb(levels: int) -> bytes:
    """Each list holds the previous one twice: a tiny file that expands to
    2 ** levels values."""
    data = [0]
    for _ in range(levels):
        data = [data, data]
    return pickle.dumps(data, protocol=2)


def deep_nesting(levels: int) -> bytes:
    """``[[[...]]]`` ``levels`` deep, by opcodes (pickle.dumps would hit
    the recursion limit): EMPTY_LIST n times, then APPEND n - 1 times."""
    return b'\x80\x02' + b']' * levels + b'a' * (levels - 1) + b'.'


def run_python(code: str, timeout: float = 120) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line. A
    crash (e.g. SIGSEGV) fails the calling test with the return code."""
    proc = subprocess.run([sys.executable, '-c',
                           textwrap.dedent(code)],
                          capture_output=True,
                          text=True,
                          timeout=timeout)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


# Loads every path given in argv (a JSON list) with LOADER, recording the
# exception each raised; and the time and peak memory of each load.
LOAD_ALL = """
import json, resource, sys, time
{imports}
results = []
for path in json.loads(sys.argv[1]):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        {loader}(path)
        error, message = None, ''
    except Exception as err:
        error, message = type(err).__name__, str(err)
    results.append(dict(
        path=path, error=error, message=message,
        seconds=time.perf_counter() - start,
        peak_mb=(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                 - before) / 1024))
print(json.dumps(results))
"""

LOADERS = {
    'annotation': ('from mmjotr.datasets import load_annotation_pickle',
                   'load_annotation_pickle', 'UnsafeAnnotationError'),
    'smpl': ('from mmjotr.body_models import load_smpl_arrays',
             'load_smpl_arrays', 'UnsafePickleError'),
}


def load_in_subprocess(kind: str, paths) -> list:
    imports, loader, _ = LOADERS[kind]
    code = LOAD_ALL.format(imports=imports, loader=loader)
    proc = subprocess.run(
        [sys.executable, '-c', code,
         json.dumps([str(p) for p in paths])],
        capture_output=True,
        text=True,
        timeout=300)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write(path, obj) -> str:
    path.write_bytes(
        obj if isinstance(obj, bytes) else pickle.dumps(obj, protocol=2))
    return str(path)


def wrap(kind: str, value):
    """Where the value sits in a file of the given kind."""
    if kind == 'annotation':
        return [dict(filename='a.png', bboxes=value)]
    return {'v_template': value, 'bs_style': 'lbs'}


def refused(tmp_path, kind: str, files: dict) -> list:
    """Write ``files`` (name -> bytes or object to pickle), load them in
    one subprocess with the ``kind`` reader and check that each is refused
    with the reader's error naming its path; the per-file results."""
    paths = [
        write(tmp_path / f'{name}.pkl', obj) for name, obj in files.items()
    ]
    results = load_in_subprocess(kind, paths)
    assert len(results) == len(paths)
    for result in results:
        assert result['error'] == LOADERS[kind][2], result
        assert result['path'] in result['message']
    return results


# ------------------------------------------------ the gadget is real
@pytest.mark.parametrize('variant', ['void-fields', 'f8-fields'])
def test_dtype_gadget_forges_an_object_with_numpys_reconstructors(variant):
    """Plain pickle (and the readers' former allow-list, which resolved
    exactly these names) returns a live object from 8 raw bytes."""
    result = run_python(f"""
        import json, pickle, sys
        sys.path.insert(0, {repr(str(__file__.rsplit('/', 1)[0]))})
        from test_hostile_pickles import forged_array
        target = ['a live object']
        data = pickle.dumps(forged_array({variant!r}, id(target)), 2)
        arr = pickle.loads(data)
        forged = arr['f0'][0] if {variant!r} == 'f8-fields' else arr[0][0]
        print(json.dumps(dict(hasobject=bool(arr.dtype.hasobject),
                              forged=forged is target)))
        """)
    assert result == dict(hasobject=False, forged=True)


def test_dtype_gadget_passes_the_former_checkpoint_allow_list():
    """torch's weights_only loading with the numpy names mmjotr used to
    add loads the forged array; plain torch refuses it."""
    result = run_python(f"""
        import io, json, sys
        import torch
        sys.path.insert(0, {repr(str(__file__.rsplit('/', 1)[0]))})
        from test_hostile_pickles import forged_array
        from mmjotr.utils.checkpoint_compat import _legacy_numpy_globals
        target = ['a live object']
        buf = io.BytesIO()
        torch.save(dict(meta=forged_array('f8-fields', id(target))), buf)
        try:
            buf.seek(0)
            torch.load(buf, weights_only=True)
            plain = 'loaded'
        except Exception as err:
            plain = type(err).__name__
        buf.seek(0)
        with torch.serialization.safe_globals(_legacy_numpy_globals()):
            arr = torch.load(buf, weights_only=True)['meta']
        print(json.dumps(dict(plain=plain,
                              forged=arr['f0'][0] is target)))
        """)
    assert result == dict(plain='UnpicklingError', forged=True)


# ------------------------------------- annotation and SMPL readers refuse
@pytest.mark.parametrize('kind', ['annotation', 'smpl'])
def test_dtype_gadgets_are_refused_without_a_crash(tmp_path, kind):
    # 0x41414141...: dereferencing it crashes the former readers
    files = {
        f'{variant}-{address:x}': wrap(kind, forged_array(variant, address))
        for variant in DTYPE_GADGETS
        for address in (0x4141414141414141, id(None))
    }
    for result in refused(tmp_path, kind, files):
        assert 'dtype' in result['message']


@pytest.mark.parametrize('kind', ['annotation', 'smpl'])
def test_object_and_structured_arrays_are_refused(tmp_path, kind):
    values = {
        'object-array':
        np.array([None, 'x'], dtype=object),
        'structured':
        np.zeros(2, dtype=[('a', 'f8'), ('b', 'i4')]),
        'subarray':
        array_state(
            (2, ),
            Reduces(np.dtype, ('V24', False, True),
                    (3, '|', (np.dtype('f8'), (3, )), None, None, 24, 8, 0)),
            b'\0' * 48),
        'void':
        np.zeros(2, dtype='V8'),
        'datetime':
        np.zeros(2, dtype='M8[s]'),
    }
    refused(tmp_path, kind, {
        name: wrap(kind, value)
        for name, value in values.items()
    })


@pytest.mark.parametrize('kind', ['annotation', 'smpl'])
def test_huge_declared_shapes_and_views_are_refused(tmp_path, kind):
    f8 = Reduces(np.dtype, ('f8', False, True),
                 (3, '<', None, None, None, -1, -1, 0))
    values = {
        # 2 ** 40 elements declared, 8 bytes stored
        'huge-shape':
        array_state((2**40, ), f8, b'\0' * 8),
        'huge-2d':
        array_state((2**31, 2**31), f8, b''),
        'negative':
        array_state((-1, ), f8, b''),
        # numpy.ndarray(shape, dtype, buffer, offset, strides): a view of
        # 8 bytes with a zero stride that claims 2 ** 40 elements
        'zero-stride-view':
        Reduces(np.ndarray, ((2**40, ), 'f8', b'\0' * 8, 0, (0, ))),
        'zero-itemsize':
        array_state((2**40, ), Reduces(np.dtype, ('S0', False, True)), b''),
        'text-dtype':
        array_state((1, ), 'f8', b'\0' * 8),
    }
    files = {name: wrap(kind, value) for name, value in values.items()}
    for result in refused(tmp_path, kind, files):
        assert result['seconds'] < 1 and result['peak_mb'] < 100, result


@pytest.mark.parametrize('kind', ['annotation', 'smpl'])
def test_shared_reference_bomb_is_refused_fast_and_small(tmp_path, kind):
    bomb = shared_list_bomb(43)
    assert len(bomb) <= 311
    # inside a file of the kind too: as the Panoptic boxes / SMPL template
    nested = pickle.dumps(wrap(kind, pickle.loads(bomb)), protocol=2)
    for result in refused(tmp_path, kind, dict(bomb=bomb, nested=nested)):
        assert 'bound' in result['message']
        assert result['seconds'] < 0.5, result
        assert result['peak_mb'] < 100, result


@pytest.mark.parametrize('kind', ['annotation', 'smpl'])
def test_memo_index_bomb_is_refused_fast_and_small(tmp_path, kind):
    """9 bytes: None, LONG_BINPUT 2**28. CPython's unpickler would
    allocate (and write) a 4 GiB memo table for it."""
    bomb = b'\x80\x02N' + b'r' + struct.pack('<I', 2**28) + b'.'
    for result in refused(tmp_path, kind, dict(memo=bomb)):
        assert 'memo index 268435456' in result['message']
        assert result['seconds'] < 0.5 and result['peak_mb'] < 100, result


@pytest.mark.parametrize('kind', ['annotation', 'smpl'])
def test_deep_nesting_is_named_not_a_recursion_error(tmp_path, kind):
    files = {
        'deep': deep_nesting(100_000),
        'deep-in-dict':
        pickle.dumps(wrap(kind, pickle.loads(deep_nesting(200))))
    }
    for result in refused(tmp_path, kind, files):
        assert f'{MAX_DEPTH} levels' in result['message']


def test_reference_cycles_are_refused(tmp_path):
    looped = []
    looped.append(looped)
    path = write(tmp_path / 'cycle.pkl', [looped])
    with pytest.raises(UnsafeAnnotationError, match='contains itself'):
        load_annotation_pickle(path)


def test_panoptic_dataset_refuses_the_bomb(tmp_path):
    from mmjotr.datasets import PanopticDataset
    ann_dir = tmp_path / 'processed' / 'annotations'
    ann_dir.mkdir(parents=True)
    path = write(
        ann_dir / '160422_mafia2.pkl',
        pickle.dumps(wrap('annotation', pickle.loads(shared_list_bomb(43)))))
    with pytest.raises(UnsafeAnnotationError, match='bound') as err:
        PanopticDataset(data_root=str(tmp_path), sequences=('160422_mafia2', ))
    assert path in str(err.value)


# ------------------------------------------------ plain data still loads
PLAIN_ARRAYS = [
    np.arange(6, dtype=np.float64).reshape(2, 3),
    np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
    np.arange(4, dtype='>i4'),
    np.array([True, False]),
    np.arange(3, dtype=np.uint8),
    np.arange(3, dtype=np.int16),
    np.arange(3, dtype=np.uint64),
    np.arange(3, dtype=np.float16),
    np.array([1 + 2j], dtype=np.complex64),
    np.array([1 + 2j], dtype=np.complex128),
    np.array(['ab', 'c'], dtype='U2'),
    np.array([b'ab'], dtype='S2'),
    np.array(2.5),
]
# protocols < 3 pickle b'' as builtins.bytes(), which no reader allows
EMPTY = np.zeros((0, 24, 3))


@pytest.mark.parametrize('protocol', [0, 1, 2, 3, 4])
def test_plain_arrays_and_scalars_round_trip(tmp_path, protocol):
    shared = np.arange(3.)
    arrays = PLAIN_ARRAYS + ([EMPTY] if protocol >= 3 else [])
    data = dict(
        arrays=arrays,
        scalars=[np.float64(0.5),
                 np.int32(-3), np.bool_(True)],
        shared=[shared, shared],
        text='x',
        nested={'a': (1, [2., None])})
    path = tmp_path / 'plain.pkl'
    path.write_bytes(pickle.dumps(data, protocol=protocol))
    loaded = load_annotation_pickle(str(path))
    assert len(loaded['arrays']) == len(arrays)
    for got, want in zip(loaded['arrays'], arrays):
        assert type(got) is np.ndarray and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
        assert got.flags.writeable
    assert loaded['arrays'][1].flags.f_contiguous
    for got, want in zip(loaded['scalars'], data['scalars']):
        assert type(got) is type(want) and got == want
    assert loaded['shared'][0] is loaded['shared'][1]  # still shared
    assert loaded['nested'] == {'a': (1, [2., None])}


def test_the_same_checks_in_the_smpl_reader(tmp_path):
    path = tmp_path / 'model.pkl'
    path.write_bytes(
        pickle.dumps(wrap('smpl', np.array([object()], dtype=object))))
    with pytest.raises(UnsafePickleError, match='model.pkl'):
        restricted_pickle_load(str(path))
    arrays = {'v_template': np.ones((2, 3)), 'bs_style': 'lbs'}
    path.write_bytes(pickle.dumps(arrays, protocol=2))
    loaded = restricted_pickle_load(str(path))
    np.testing.assert_array_equal(loaded['v_template'], np.ones((2, 3)))


# ------------------------------------------------------------- checkpoints
def test_crafted_checkpoint_is_refused_without_a_crash(tmp_path):
    paths = []
    for variant in ('f8-fields', 'void-fields'):
        buf = io.BytesIO()
        torch.save(
            dict(
                state_dict={'weight': torch.zeros(1, 1)},
                meta=forged_array(variant, 0x4141414141414141)), buf)
        path = tmp_path / f'{variant}.pth'
        path.write_bytes(buf.getvalue())
        paths.append(str(path))
    results = run_python(f"""
        import json, pickle
        import torch
        from torch import nn
        from mmjotr.utils.checkpoint_io import load_model_checkpoint
        results = []
        for path in {paths!r}:
            try:
                load_model_checkpoint(nn.Linear(1, 1, bias=False), path)
                results.append(dict(path=path, error=None))
            except pickle.UnpicklingError as err:
                results.append(dict(path=path, error=type(err).__name__,
                                    message=str(err)))
        print(json.dumps(results))
        """)
    for result in results:
        assert result['error'] == 'LegacyCheckpointError', result
        assert result['message'].startswith(result['path'])
        assert 'upgrade_checkpoint.py' in result['message']
