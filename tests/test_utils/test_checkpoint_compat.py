# Copyright (c) mmjotr contributors. All rights reserved.
import pickle
import pickletools
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner import Runner
from torch import nn

from mmjotr.registry import HOOKS
from mmjotr.utils import (CheckpointCompatHook, LegacyCheckpointError,
                          build_train_cfg, enable_safe_checkpoint_resume,
                          upgrade_legacy_checkpoint)
from mmjotr.utils.checkpoint_io import load_model_checkpoint


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
        meta=dict(seed=np.int64(3)),
        message_hub=dict(
            log_scalars={'train/loss': buffer},
            runtime_info=dict(iter=7, arr=np.arange(4), f=np.float64(0.5))))
    CheckpointCompatHook().before_save_checkpoint(None, ckpt)
    path = tmp_path / 'iter_7.pth'
    torch.save(ckpt, path)
    assert not _numpy_globals_in(path)

    loaded = torch.load(path, weights_only=True)
    restored = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(restored, HistoryBuffer)
    np.testing.assert_array_equal(restored._log_history, [1.0, 4.0, 2.5])
    np.testing.assert_array_equal(restored._count_history, [1, 2, 1])
    # the histories are numpy arrays again, of the dtype they had
    assert restored._log_history.dtype == buffer._log_history.dtype
    assert restored._count_history.dtype == buffer._count_history.dtype
    # statistics still work: mean over the window = sum(log) / sum(count)
    assert restored.mean() == pytest.approx((1.0 + 4.0 + 2.5) / 4)
    assert restored.max() == 4.0 and restored.current() == 2.5
    # numpy values outside the histories are stored as Python ones
    info = loaded['message_hub']['runtime_info']
    assert info == dict(iter=7, arr=[0, 1, 2, 3], f=0.5)
    assert type(info['f']) is float and type(loaded['meta']['seed']) is int


def test_arbitrary_calls_are_still_refused(tmp_path):
    # getattr would let a file reach any attribute: it stays forbidden
    path = tmp_path / 'evil.pth'
    torch.save({'f': getattr}, path)
    with pytest.raises(pickle.UnpicklingError, match='getattr'):
        torch.load(path, weights_only=True)


def _numpy_globals_in(path) -> list:
    """The numpy globals a torch checkpoint's pickle names."""
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith('data.pkl'))
        data = archive.read(name)
    return [
        arg for op, arg, _ in pickletools.genops(data)
        if op.name in ('GLOBAL', 'STACK_GLOBAL') and 'numpy' in str(arg)
    ]


def test_training_checkpoint_loads_with_only_history_buffer(
        tmp_path, standin_body_model_dir, tiny_coco_train_config):
    """A checkpoint written by a real training run names no numpy global
    and loads in a fresh interpreter where only HistoryBuffer is added to
    torch's allow-list (no mmjotr import)."""
    cfg_file = tiny_coco_train_config(max_iters=2, checkpoint_interval=2)
    cfg = build_train_cfg(
        cfg_file,
        work_dir=str(tmp_path / 'run'),
        body_model_dir=standin_body_model_dir)
    Runner.from_cfg(cfg).train()
    path = tmp_path / 'run' / 'iter_2.pth'
    assert _numpy_globals_in(path) == []
    code = textwrap.dedent(f"""
        import torch
        from mmengine.logging.history_buffer import HistoryBuffer
        torch.serialization.add_safe_globals([HistoryBuffer])
        ckpt = torch.load({str(path)!r}, weights_only=True)
        hub = ckpt['message_hub']
        loss = hub['log_scalars']['train/loss']
        assert isinstance(loss, HistoryBuffer) and len(loss.data[0]) == 2
        assert type(hub['runtime_info']['eta']) is float
        assert ckpt['meta']['iter'] == 2 and ckpt['meta']['random_states']
        """)
    subprocess.run([sys.executable, '-c', code], check=True)


def test_legacy_checkpoint_is_named_and_can_be_upgraded(tmp_path):
    """A checkpoint written before (numpy arrays in the histories, a numpy
    scalar in runtime_info) is refused naming the file and the converter;
    the converter writes a numpy-free copy that loads."""
    model = nn.Linear(2, 1)
    old = tmp_path / 'iter_4.pth'
    history = _OldStyle(HistoryBuffer,
                        (np.array([1.5, 2.5]), np.array([1., 1.]), 10))
    torch.save(
        dict(
            state_dict=model.state_dict(),
            meta=dict(iter=4),
            message_hub=dict(
                log_scalars={'train/loss': history},
                runtime_info=dict(eta=np.float64(12.5)))), old)
    assert _numpy_globals_in(old)
    with pytest.raises(LegacyCheckpointError) as err:
        load_model_checkpoint(nn.Linear(2, 1), str(old))
    assert str(old) in str(err.value)
    assert 'tools/misc/upgrade_checkpoint.py' in str(err.value)

    new = tmp_path / 'iter_4_numpy_free.pth'
    upgrade_legacy_checkpoint(str(old), str(new))
    assert _numpy_globals_in(new) == []
    loaded = nn.Linear(2, 1)
    ckpt = load_model_checkpoint(loaded, str(new))
    torch.testing.assert_close(loaded.state_dict(), model.state_dict())
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    np.testing.assert_array_equal(buffer._log_history, [1.5, 2.5])
    assert buffer.max_length == 10
    assert ckpt['message_hub']['runtime_info']['eta'] == 12.5


class _OldStyle:
    """Pickles as ``target(*args)``: how the former reduce stored a
    HistoryBuffer (with numpy arrays)."""

    def __init__(self, target, args):
        self.target, self.args = target, args

    def __reduce__(self):
        return self.target, self.args
