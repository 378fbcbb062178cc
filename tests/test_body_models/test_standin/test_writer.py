# Copyright (c) mmjotr contributors. All rights reserved.
import json
import os.path as osp

import torch

from mmjotr.body_models import (ASSET_FILES, load_smpl_arrays,
                                restricted_pickle_load)
from mmjotr.body_models.standin import (STANDIN_NOTE,
                                        ensure_standin_body_model,
                                        is_complete_standin)


def test_written_directory(standin_body_model_dir):
    assert is_complete_standin(standin_body_model_dir)
    for name in ASSET_FILES.values():
        assert osp.isfile(osp.join(standin_body_model_dir, name))
    for gender in ('NEUTRAL', 'MALE', 'FEMALE'):
        path = osp.join(standin_body_model_dir, 'smpl', f'SMPL_{gender}.pkl')
        assert restricted_pickle_load(path)['standin_note'] == STANDIN_NOTE
        assert load_smpl_arrays(path)['v_template'].shape == (6890, 3)
    snapshot = torch.load(
        osp.join(standin_body_model_dir, ASSET_FILES['vposer']))
    assert snapshot['mmjotr_standin_note'] == STANDIN_NOTE
    with open(osp.join(standin_body_model_dir, 'standin_info.json')) as f:
        info = json.load(f)
    assert info['vposer_fit']['mean_error_deg'] > 0
    with open(osp.join(standin_body_model_dir, 'STANDIN_README.txt')) as f:
        assert 'NOT SMPL' in f.read()


def test_incomplete_directory_is_regenerated(tmp_path):
    target = tmp_path / 'body_models'
    (target / 'smpl').mkdir(parents=True)
    (target / 'smpl' / 'SMPL_NEUTRAL.pkl').write_bytes(b'half written')
    assert not is_complete_standin(str(target))
    ensure_standin_body_model(
        str(target), seed=0, vposer_steps=2, vposer_batch_size=8)
    assert is_complete_standin(str(target))
    assert load_smpl_arrays(str(target / 'smpl' /
                                'SMPL_NEUTRAL.pkl'))['f'].shape == (13776, 3)
    # A complete directory is returned untouched.
    stamp = (target / 'standin_info.json').stat().st_mtime_ns
    ensure_standin_body_model(str(target), vposer_steps=2)
    assert (target / 'standin_info.json').stat().st_mtime_ns == stamp
