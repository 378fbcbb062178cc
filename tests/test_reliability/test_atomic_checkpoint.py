# Copyright (c) mmjotr contributors. All rights reserved.
"""Checkpoints are written atomically; a bad ``last_checkpoint`` means "no
checkpoint" (issue 9 #6)."""
import errno
import os
import os.path as osp
import stat
import subprocess
import sys
import textwrap
from unittest import mock

import pytest
import torch

from mmjotr.engine import AtomicLocalBackend
from mmjotr.utils import build_train_cfg, enable_safe_checkpoint_resume
from mmjotr.utils.checkpoint_io import atomic_write_bytes, read_last_checkpoint

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def test_atomic_write_replaces_whole_files(tmp_path):
    path = tmp_path / 'sub' / 'iter_1.pth'
    atomic_write_bytes(b'first', str(path))
    atomic_write_bytes(b'second version', str(path))
    assert path.read_bytes() == b'second version'
    assert os.listdir(path.parent) == ['iter_1.pth']  # no temporary left
    AtomicLocalBackend().put_text('x', str(tmp_path / 'last_checkpoint'))
    assert (tmp_path / 'last_checkpoint').read_text() == 'x'


def test_full_disk_names_the_path_and_leaves_nothing(tmp_path):
    path = str(tmp_path / 'iter_7.pth')

    def no_space(fd):
        raise OSError(errno.ENOSPC, 'No space left on device')

    with mock.patch('os.fsync', no_space):
        with pytest.raises(OSError) as err:
            atomic_write_bytes(b'x' * 1000, path)
    assert err.value.errno == errno.ENOSPC
    assert f'could not write {path}: No space left on device' in str(err.value)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize('code', [errno.EINVAL, errno.ENOTSUP])
def test_directory_fsync_refused_by_the_file_system(tmp_path, code):
    """FUSE, object-store and CIFS mounts may refuse fsync on a directory:
    the checkpoint is complete and no error is raised; fsync of the file
    itself still runs and other directory errors are still raised."""
    path = tmp_path / 'iter_3.pth'
    real_fsync = os.fsync
    synced = []

    def fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(code, os.strerror(code))
        synced.append(fd)
        real_fsync(fd)

    with mock.patch('os.fsync', fsync):
        atomic_write_bytes(b'complete checkpoint', str(path))
    assert path.read_bytes() == b'complete checkpoint'
    assert os.listdir(tmp_path) == ['iter_3.pth'] and len(synced) == 1

    def broken_directory(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, 'Input/output error')
        real_fsync(fd)

    with mock.patch('os.fsync', broken_directory):
        with pytest.raises(
                OSError,
                match='could not sync the directory of '
                f'{path}: Input/output error'):
            atomic_write_bytes(b'x', str(path))


KILLED_RUN = textwrap.dedent('''
    import os, signal, sys
    from mmengine.runner import Runner
    from mmjotr.utils import build_train_cfg, enable_safe_checkpoint_resume
    cfg_file, work_dir, body = sys.argv[1:4]
    real_fsync = os.fsync
    saves = []

    def fsync_then_die(fd):
        # the process is killed while writing its 2nd checkpoint: every
        # byte is in the file system, not yet renamed
        if os.readlink(f'/proc/self/fd/{fd}').endswith('.pth.part'):
            saves.append(fd)
            if len(saves) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        real_fsync(fd)

    os.fsync = fsync_then_die
    cfg = build_train_cfg(cfg_file, work_dir=work_dir, body_model_dir=body)
    Runner.from_cfg(cfg).train()
''')


def test_killed_while_saving_leaves_no_truncated_checkpoint(
        tmp_path, standin_body_model_dir, tiny_coco_train_config):
    cfg_file = tiny_coco_train_config(max_iters=3, checkpoint_interval=1)
    work_dir = tmp_path / 'work'
    script = tmp_path / 'killed_run.py'
    script.write_text(KILLED_RUN)
    result = subprocess.run([
        sys.executable,
        str(script), cfg_file,
        str(work_dir), standin_body_model_dir
    ],
                            env=dict(
                                os.environ,
                                OMP_NUM_THREADS='1',
                                PYTHONPATH=ROOT),
                            capture_output=True,
                            text=True,
                            timeout=300)
    assert result.returncode == -9, result.stderr[-2000:]  # SIGKILL
    names = sorted(n for n in os.listdir(work_dir) if 'pth' in n)
    # iter_1 complete; iter_2 only as the hidden temporary, never under
    # its final name
    assert names == ['.iter_2.pth.part', 'iter_1.pth']
    enable_safe_checkpoint_resume()  # what the Runner's hook installs
    ckpt = torch.load(work_dir / 'iter_1.pth', weights_only=True)
    assert ckpt['meta']['iter'] == 1
    assert (work_dir / 'last_checkpoint').read_text().endswith('iter_1.pth')
    # --resume (auto) continues from iteration 1
    cfg = build_train_cfg(
        cfg_file,
        work_dir=str(work_dir),
        resume='auto',
        body_model_dir=standin_body_model_dir)
    assert cfg.resume is True
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 3
    assert sorted(n for n in os.listdir(work_dir)
                  if 'pth' in n) == ['iter_1.pth', 'iter_2.pth', 'iter_3.pth']


@pytest.mark.parametrize('content, message', [
    ('', 'is empty'),
    ('/no/such/iter_9.pth', 'names /no/such/iter_9.pth, which does not '
     'exist'),
])
def test_bad_last_checkpoint_means_no_checkpoint(tmp_path, content, message):
    (tmp_path / 'last_checkpoint').write_text(content)
    with mock.patch('mmjotr.utils.checkpoint_io.print_log') as log:
        assert read_last_checkpoint(str(tmp_path)) is None
    assert message in log.call_args[0][0]
    assert 'starting without a checkpoint' in log.call_args[0][0]
    cfg_file = tmp_path / 'cfg.py'
    cfg_file.write_text("default_scope = 'mmjotr'\n")
    cfg = build_train_cfg(str(cfg_file), work_dir=str(tmp_path), resume='auto')
    assert cfg.resume is False
    good = tmp_path / 'iter_3.pth'
    good.write_bytes(b'x')
    (tmp_path / 'last_checkpoint').write_text(str(good))
    assert read_last_checkpoint(str(tmp_path)) == str(good)
    assert build_train_cfg(
        str(cfg_file), work_dir=str(tmp_path), resume='auto').resume is True
