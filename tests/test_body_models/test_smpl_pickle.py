# Copyright (c) mmjotr contributors. All rights reserved.
import os
import pickle
import sys
import types

import numpy as np
import pytest
import scipy.sparse

from mmjotr.body_models import (UnsafePickleError, convert_smpl_pickle,
                                load_smpl_arrays, restricted_pickle_load)


def _official_like_model(rng: np.random.Generator, num_verts: int = 40):
    return {
        'v_template':
        rng.normal(size=(num_verts, 3)),
        'shapedirs':
        rng.normal(size=(num_verts, 3, 10)),
        'posedirs':
        rng.normal(size=(num_verts, 3, 207)),
        'weights':
        rng.dirichlet(np.ones(24), size=num_verts),
        'J_regressor':
        rng.dirichlet(np.ones(num_verts), size=24),
        'kintree_table':
        np.stack([np.r_[4294967295, np.zeros(23)],
                  np.arange(24)]).astype(np.uint32),
        'f':
        rng.integers(0, num_verts, size=(70, 3)).astype(np.uint32),
        'bs_style':
        'lbs',
    }


def _chumpy_pickle(path, model: dict, protocol: int) -> None:
    """Pickle ``model`` as the official files do: arrays wrapped in
    chumpy ``Ch`` objects (a fake chumpy module exists only while
    dumping) and the regressor as a scipy sparse matrix."""
    chumpy = types.ModuleType('chumpy')
    chumpy_ch = types.ModuleType('chumpy.ch')

    class Ch:

        def __init__(self, x):
            self.x = x
            self._dirty_vars = set()

    Ch.__module__, Ch.__qualname__ = 'chumpy.ch', 'Ch'
    chumpy_ch.Ch = Ch
    chumpy.ch = chumpy_ch
    sys.modules.update({'chumpy': chumpy, 'chumpy.ch': chumpy_ch})
    try:
        wrapped = dict(model)
        for key in ('v_template', 'shapedirs', 'posedirs', 'weights'):
            wrapped[key] = Ch(model[key])
        wrapped['J_regressor'] = scipy.sparse.csc_matrix(model['J_regressor'])
        with open(path, 'wb') as f:
            pickle.dump(wrapped, f, protocol=protocol)
    finally:
        del sys.modules['chumpy'], sys.modules['chumpy.ch']


@pytest.mark.parametrize('protocol', [0, 2])
def test_chumpy_pickle_loads_and_converts(tmp_path, protocol):
    model = _official_like_model(np.random.default_rng(0))
    src = tmp_path / 'basicModel_neutral.pkl'
    _chumpy_pickle(src, model, protocol)
    assert 'chumpy' not in sys.modules
    arrays = load_smpl_arrays(str(src))
    for key in ('v_template', 'shapedirs', 'posedirs', 'weights',
                'J_regressor'):
        assert type(arrays[key]) is np.ndarray
        np.testing.assert_array_equal(arrays[key], model[key])
    assert arrays['f'].dtype == np.int64
    dst = tmp_path / 'smpl' / 'SMPL_NEUTRAL.pkl'
    convert_smpl_pickle(str(src), str(dst))
    with open(dst, 'rb') as f:  # plain pickle, readable by anyone
        plain = pickle.load(f)
    np.testing.assert_array_equal(plain['J_regressor'], model['J_regressor'])
    assert plain['bs_style'] == 'lbs'
    assert 'chumpy' not in sys.modules


class _Sneaky:

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return os.remove, (self.target, )


def test_forbidden_class_is_refused_without_running(tmp_path):
    sentinel = tmp_path / 'sentinel'
    sentinel.write_text('still here')
    bad = tmp_path / 'evil.pkl'
    with open(bad, 'wb') as f:
        pickle.dump({'v_template': _Sneaky(str(sentinel))}, f)
    with pytest.raises(UnsafePickleError, match=r'evil.pkl.*remove'):
        restricted_pickle_load(str(bad))
    assert sentinel.exists()


def test_corrupt_and_malformed_files(tmp_path):
    broken = tmp_path / 'broken.pkl'
    broken.write_bytes(b'\x80\x04not a pickle')
    with pytest.raises(pickle.UnpicklingError, match='broken.pkl'):
        restricted_pickle_load(str(broken))
    with pytest.raises(FileNotFoundError, match='missing.pkl'):
        restricted_pickle_load(str(tmp_path / 'missing.pkl'))
    model = _official_like_model(np.random.default_rng(1))
    model['weights'] = model['weights'][:, :23]
    path = tmp_path / 'bad_shape.pkl'
    with open(path, 'wb') as f:
        pickle.dump(model, f)
    with pytest.raises(ValueError, match='"weights" has shape'):
        load_smpl_arrays(str(path))
    model = _official_like_model(np.random.default_rng(1))
    model['v_template'][3, 1] = np.nan
    with open(path, 'wb') as f:
        pickle.dump(model, f)
    with pytest.raises(ValueError, match='v_template.*non-finite'):
        load_smpl_arrays(str(path))
