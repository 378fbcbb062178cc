# Copyright (c) mmjotr contributors. All rights reserved.
"""No data file runs code, and unreadable files are named (issue 9 #1 and
the regressor / converter cases)."""
import os
import os.path as osp
import pickle
import re

import numpy as np
import pytest
import torch
from torch import nn

from mmjotr.body_models.assets import load_numeric_npy
from mmjotr.datasets import (PanopticDataset, UnsafeAnnotationError,
                             load_annotation_pickle)

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


class _RunsCommand:
    """Unpickling this calls os.system (what an attacker would ship)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return os.system, (self.command, )


def _frames(num_people=1):
    kpts3d = np.zeros((num_people, 24, 4))
    kpts3d[:, :15, :3] = np.arange(45).reshape(15, 3) / 10.
    kpts3d[:, :15, 3] = 1
    kpts2d = np.zeros((num_people, 24, 3))
    kpts2d[:, :15, :2] = np.arange(30).reshape(15, 2) + 100
    kpts2d[:, :15, 2] = 1
    return [
        dict(
            filename='processed/160422_mafia2/00_16/00_16_00001.png',
            width=832,
            height=512,
            bboxes=np.array([[10., 10., 200., 400.]] * num_people),
            kpts2d=kpts2d,
            kpts3d=kpts3d)
    ]


def _write_panoptic(tmp_path, frames, protocol=4):
    ann_dir = tmp_path / 'processed' / 'annotations'
    ann_dir.mkdir(parents=True, exist_ok=True)
    path = ann_dir / '160422_mafia2.pkl'
    with open(path, 'wb') as f:
        pickle.dump(frames, f, protocol=protocol)
    return str(path)


def test_crafted_panoptic_annotation_runs_no_code(tmp_path):
    marker = tmp_path / 'pwned'
    frames = _frames()
    frames[0]['filename'] = _RunsCommand(f'touch {marker}')
    path = _write_panoptic(tmp_path, frames)
    with pytest.raises(UnsafeAnnotationError) as err:
        PanopticDataset(data_root=str(tmp_path), sequences=('160422_mafia2', ))
    assert path in str(err.value)
    assert re.search(r'(posix|os)\.system', str(err.value))
    assert not marker.exists()  # the command never ran
    # the same file through plain pickle does run it: the test is real
    with open(path, 'rb') as f:
        pickle.load(f)
    assert marker.exists()


@pytest.mark.parametrize('protocol', [2, 4])
def test_plain_annotation_pickles_still_load(tmp_path, protocol):
    path = _write_panoptic(tmp_path, _frames(2), protocol)
    frames = load_annotation_pickle(path)
    np.testing.assert_array_equal(frames[0]['kpts3d'], _frames(2)[0]['kpts3d'])
    ds = PanopticDataset(
        data_root=str(tmp_path), sequences=('160422_mafia2', ))
    assert len(ds) == 2


def test_unreadable_annotation_pickle_is_named(tmp_path):
    path = tmp_path / 'x.pkl'
    path.write_bytes(b'\x80\x04not a pickle')
    with pytest.raises(pickle.UnpicklingError, match='x.pkl'):
        load_annotation_pickle(str(path))


def test_regressor_npy_with_pickled_objects_is_refused(tmp_path):
    path = str(tmp_path / 'J_regressor_h36m_correct.npy')
    np.save(path, np.array([{'a': 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=re.escape(path)):
        load_numeric_npy(path)
    text = tmp_path / 'garbage.npy'
    text.write_text('hello')
    with pytest.raises(ValueError, match='garbage.npy'):
        load_numeric_npy(str(text))
    ok = str(tmp_path / 'ok.npy')
    np.save(ok, np.eye(3))
    np.testing.assert_array_equal(load_numeric_npy(ok), np.eye(3))


def test_smpl_refuses_an_object_regressor(tmp_path, standin_body_model_dir):
    """The body model reads its regressors through load_numeric_npy."""
    from mmjotr.body_models import SMPL
    body = tmp_path / 'body_models'
    body.mkdir()
    for name in os.listdir(standin_body_model_dir):
        os.symlink(osp.join(standin_body_model_dir, name), body / name)
    bad = body / 'J_regressor_h36m_correct.npy'
    bad.unlink()
    np.save(bad, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match='J_regressor_h36m_correct.npy'):
        SMPL(body_model_dir=str(body))


@pytest.mark.parametrize('content', [[1, 2, 3], torch.zeros(3)])
def test_converter_input_that_is_no_mapping_is_named(tmp_path, content):
    from mmjotr.models.utils.official_checkpoint import \
        convert_official_checkpoint
    src = str(tmp_path / 'weird.pth')
    torch.save(content, src)
    with pytest.raises(TypeError, match=re.escape(src)):
        convert_official_checkpoint(src, str(tmp_path / 'out.pth'),
                                    nn.Linear(2, 2))
    junk = tmp_path / 'junk.pth'
    junk.write_bytes(b'not a checkpoint')
    with pytest.raises(ValueError, match='junk.pth'):
        convert_official_checkpoint(
            str(junk), str(tmp_path / 'out.pth'), nn.Linear(2, 2))


def test_no_unrestricted_unpickling_in_package_and_tools():
    """Audit: every pickle / npy / torch.load in mmjotr/ and tools/ is
    restricted (the unpicklers subclass pickle.Unpickler)."""
    unsafe = re.compile(r'pickle\.loads?\(|allow_pickle\s*=\s*True|'
                        r'weights_only\s*=\s*False|torch\.load\((?!.*'
                        r'weights_only=True)')
    found = []
    for top in ('mmjotr', 'tools', 'demo'):
        for folder, _, files in os.walk(osp.join(ROOT, top)):
            for name in files:
                if not name.endswith('.py'):
                    continue
                path = osp.join(folder, name)
                with open(path) as f:
                    for num, line in enumerate(f, 1):
                        code = line.split('#', 1)[0]
                        if unsafe.search(code) and '``' not in line:
                            found.append(f'{path}:{num}: {line.strip()}')
    assert found == []
