# Copyright (c) mmjotr contributors. All rights reserved.
import subprocess
import sys
import textwrap

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope

from mmjotr.registry import MODELS, TRANSFORMS


def _run_fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter (nothing of mmjotr imported yet)."""
    result = subprocess.run([sys.executable, '-c',
                             textwrap.dedent(code)],
                            capture_output=True,
                            text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_registries_are_children_of_mmengine_roots():
    from mmengine.registry import MODELS as ROOT_MODELS
    assert MODELS.scope == 'mmjotr'
    assert MODELS.parent is ROOT_MODELS
    assert 'mmjotr' in ROOT_MODELS.children


def test_locations_import_modules_on_build():
    out = _run_fresh("""
        import sys
        from mmengine.registry import init_default_scope
        from mmjotr.registry import MODELS
        assert 'mmjotr.models' not in sys.modules
        init_default_scope('mmjotr')
        loss = MODELS.build(dict(type='MaskedL1Loss', loss_weight=2.0))
        print(type(loss).__module__, loss.loss_weight,
              'mmjotr.models' in sys.modules)
    """)
    assert out.split() == [
        'mmjotr.models.losses.masked_l1_loss', '2.0', 'True'
    ]


def test_config_builds_mmjotr_and_mmpose_modules(tmp_path):
    cfg_file = tmp_path / 'cfg.py'
    cfg_file.write_text(
        textwrap.dedent("""
        default_scope = 'mmjotr'
        ours = dict(type='MaskedL1Loss', loss_weight=0.5)
        theirs = dict(type='mmpose.KeypointMSELoss', use_target_weight=True)
        transform = dict(type='mmpose.GetBBoxCenterScale', padding=1.25)
        """))
    cfg = Config.fromfile(str(cfg_file))
    init_default_scope(cfg.default_scope)
    assert DefaultScope.get_current_instance().scope_name == 'mmjotr'

    ours = MODELS.build(cfg.ours)
    theirs = MODELS.build(cfg.theirs)
    transform = TRANSFORMS.build(cfg.transform)
    assert type(ours).__name__ == 'MaskedL1Loss'
    assert type(theirs).__module__.startswith('mmpose.')
    assert type(transform).__module__.startswith('mmpose.')

    # both really run: masked L1 against a hand computation
    pred = torch.tensor([[1.0, -2.0], [3.0, 0.5]])
    target = torch.tensor([[0.0, 0.0], [1.0, 0.5]])
    mask = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    # |1| * 1 + |-2| * 0 + |2| * 1 + 0 = 3 over 4 elements, times 0.5
    assert torch.isclose(ours(pred, target, mask), torch.tensor(3 / 4 * 0.5))


def test_register_all_modules_sets_scope():
    out = _run_fresh("""
        from mmengine.registry import DefaultScope
        from mmjotr.utils import register_all_modules
        from mmjotr.registry import MODELS
        register_all_modules()
        print(DefaultScope.get_current_instance().scope_name,
              'MaskedL1Loss' in MODELS.module_dict)
    """)
    assert out.split() == ['mmjotr', 'True']
