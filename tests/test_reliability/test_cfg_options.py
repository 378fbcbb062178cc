# Copyright (c) mmjotr contributors. All rights reserved.
"""--cfg-options: a malformed item or an unknown top-level key is rejected
with a message ("should fix")."""
import argparse

import pytest

from mmjotr.utils import build_train_cfg
from mmjotr.utils.run_config import CfgOptionsAction


def _parser():
    parser = argparse.ArgumentParser(prog='train.py')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    return parser


def test_item_without_equals_is_a_usage_error(capsys):
    args = _parser().parse_args(['--cfg-options', 'train_cfg.max_iters=3'])
    assert args.cfg_options == {'train_cfg.max_iters': 3}
    with pytest.raises(SystemExit) as err:
        _parser().parse_args(['--cfg-options', 'train_cfg.max_iters'])
    assert err.value.code == 2
    assert '"train_cfg.max_iters" is not KEY=VALUE' in capsys.readouterr().err


def test_unknown_top_level_key_suggests_the_nearest(tmp_path):
    cfg_file = tmp_path / 'cfg.py'
    cfg_file.write_text('train_cfg = dict(max_iters=10)\n'
                        "optim_wrapper = dict(type='OptimWrapper')\n")
    with pytest.raises(
            ValueError,
            match=r'--cfg-options trian_cfg.max_iters: the config '
            r'has no top-level key "trian_cfg"; did you mean '
            r"'train_cfg'"):
        build_train_cfg(str(cfg_file), cfg_options={'trian_cfg.max_iters': 1})
    # nested new keys and the Runner's own arguments stay possible
    cfg = build_train_cfg(
        str(cfg_file),
        cfg_options={
            'train_cfg.val_interval': 2,
            'custom_hooks': [],
            'experiment_name': 'x'
        })
    assert cfg.train_cfg.val_interval == 2 and cfg.experiment_name == 'x'
