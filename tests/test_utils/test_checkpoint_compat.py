# Copyright (c) mmjotr contributors. All rights reserved.
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging.history_buffer import HistoryBuffer

from mmjotr.registry import HOOKS
from mmjotr.utils import CheckpointCompatHook, enable_safe_checkpoint_resume


def test_import_installs_nothing_and_the_hook_does():
    # a fresh interpreter: importing mmjotr and the runtime packages leaves
    # pickling and torch's allowlist alone; the hook's before_run installs
    code = textwrap.dedent("""
        import copyreg
        import torch
        from mmengine.logging.history_buffer import HistoryBuffer
        import mmjotr, mmjotr.models, mmjotr.datasets, mmjotr.apis
        safe = torch.serialization.get_safe_globals
        assert HistoryBuffer not in copyreg.dispatch_table
        assert HistoryBuffer not in safe()
        from mmjotr.utils import CheckpointCompatHook
        CheckpointCompatHook().before_run(None)
        assert HistoryBuffer in copyreg.dispatch_table
        assert HistoryBuffer in safe()
        """)
    subprocess.run([sys.executable, '-c', code], check=True)


def test_hook_is_a_default_hook_of_every_config():
    cfg = Config.fromfile('configs/_base_/default_runtime.py')
    hook = HOOKS.build(cfg.default_hooks.checkpoint_compat)
    assert isinstance(hook, CheckpointCompatHook)


def test_message_hub_state_loads_with_weights_only(tmp_path):
    enable_safe_checkpoint_resume()  # idempotent
    buffer = HistoryBuffer()
    for value, count in ((1.0, 1), (4.0, 2), (2.5, 1)):
        buffer.update(value, count)
    ckpt = dict(
        state_dict={'w': torch.arange(3.)},
        message_hub=dict(
            log_scalars={'train/loss': buffer},
            runtime_info=dict(iter=7, arr=np.arange(4), f=np.float64(0.5))))
    path = tmp_path / 'iter_7.pth'
    torch.save(ckpt, path)

    loaded = torch.load(path, weights_only=True)
    restored = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(restored, HistoryBuffer)
    np.testing.assert_array_equal(restored._log_history, [1.0, 4.0, 2.5])
    np.testing.assert_array_equal(restored._count_history, [1, 2, 1])
    # statistics still work: mean over the window = sum(log) / sum(count)
    assert restored.mean() == pytest.approx((1.0 + 4.0 + 2.5) / 4)
    assert restored.max() == 4.0 and restored.current() == 2.5
    info = loaded['message_hub']['runtime_info']
    np.testing.assert_array_equal(info['arr'], np.arange(4))
    assert info['f'] == 0.5 and info['iter'] == 7


def test_arbitrary_calls_are_still_refused(tmp_path):
    # getattr would let a file reach any attribute: it stays forbidden
    path = tmp_path / 'evil.pth'
    torch.save({'f': getattr}, path)
    with pytest.raises(pickle.UnpicklingError, match='getattr'):
        torch.load(path, weights_only=True)
