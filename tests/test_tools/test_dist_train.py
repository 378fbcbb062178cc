# Copyright (c) mmjotr contributors. All rights reserved.
"""tools/dist_train.sh with 2 CPU processes (torchrun, gloo) and the CPU
set-up helper it relies on."""
import logging
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
import torch.distributed as dist
from mmengine.config import Config

from mmjotr.testing import free_port, run_dist_train
from mmjotr.utils import setup_cpu_distributed, shutdown_distributed
from mmjotr.utils.checkpoint_compat import enable_safe_checkpoint_resume
from mmjotr.utils.distributed_shutdown import native_thread_names

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='checks the CPU-only path')
def test_dist_train_two_cpu_processes(tmp_path, standin_body_model_dir,
                                      tiny_coco_train_config):
    """Two runs in a row exit with 0 (a short version of
    tools/analysis/stress_dist_train.py) and end their gloo threads before
    the interpreter exits; relative paths resolve against the caller's
    directory."""
    cfg_file = tiny_coco_train_config(max_iters=2, checkpoint_interval=2)
    for run in range(2):
        work_dir = tmp_path / f'work{run}'
        # the second run from the config's folder with relative paths:
        # they resolve against the caller's working directory
        result = run_dist_train(
            osp.basename(cfg_file) if run else cfg_file,
            2,
            '--work-dir',
            osp.basename(work_dir) if run else str(work_dir),
            '--body-model-dir',
            standin_body_model_dir,
            cwd=osp.dirname(cfg_file))
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-3000:]
        assert 'Distributed training: True' in output
        assert 'Iter(train) [2/2]' in output
        assert 'gloo threads are still running' not in output
        assert 'terminate called' not in output
        # an mmengine checkpoint holds the message hub's HistoryBuffers
        enable_safe_checkpoint_resume()
        ckpt = torch.load(work_dir / 'iter_2.pth', weights_only=True)
        assert ckpt['meta']['iter'] == 2
        # DDP wrapped a CPU module: no device ids
        assert "device_ids=None" in output


def _gloo_threads():
    return [n for n in native_thread_names() if n.startswith('pt_gloo')]


@pytest.mark.skipif(
    not osp.isdir('/proc/self/task'), reason='reads Linux thread names')
def test_shutdown_ends_the_gloo_threads(monkeypatch):
    """The DDP wrapper holds the process group: destroying the group while
    it lives leaves gloo's threads running (and warns); after dropping it,
    shutdown_distributed ends them."""
    from mmengine.logging import MMLogger
    from torch.nn.parallel import DistributedDataParallel
    monkeypatch.setenv('MASTER_ADDR', '127.0.0.1')
    monkeypatch.setenv('RANK', '0')
    monkeypatch.setenv('WORLD_SIZE', '1')
    assert shutdown_distributed() is False  # nothing initialised
    warnings = []
    logger = MMLogger.get_current_instance()
    monkeypatch.setattr(logger, 'log', lambda level, msg: warnings.append(
        (level, msg)))
    for drop_model in (False, True):
        monkeypatch.setenv('MASTER_PORT', str(free_port()))
        dist.init_process_group(backend='gloo')
        model = DistributedDataParallel(torch.nn.Linear(2, 1))
        model(torch.ones(1, 2)).sum().backward()
        assert _gloo_threads()
        if drop_model:
            del model
        assert shutdown_distributed() is True
        assert not dist.is_initialized()
        if drop_model:
            assert _gloo_threads() == [] and warnings == []
        else:
            assert _gloo_threads()
            assert len(warnings) == 1 and warnings[0][0] == logging.WARNING
            assert 'gloo threads are still running' in warnings[0][1]
            del model
            warnings.clear()


def test_setup_cpu_distributed(monkeypatch):
    cfg = Config(dict(launcher='none'))
    assert setup_cpu_distributed(cfg) is False
    assert 'model_wrapper_cfg' not in cfg

    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(RuntimeError, match='slurm'):
        setup_cpu_distributed(Config(dict(launcher='slurm')))

    monkeypatch.setenv('MASTER_ADDR', '127.0.0.1')
    monkeypatch.setenv('MASTER_PORT', str(free_port()))
    monkeypatch.setenv('RANK', '0')
    monkeypatch.setenv('WORLD_SIZE', '1')
    cfg = Config(
        dict(
            launcher='pytorch',
            model_wrapper_cfg=dict(find_unused_parameters=True)))
    try:
        assert setup_cpu_distributed(cfg) is True
        assert dist.is_initialized() and dist.get_backend() == 'gloo'
        assert cfg.model_wrapper_cfg == dict(
            type='MMDistributedDataParallel',
            find_unused_parameters=True,
            device_ids=None)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


@pytest.fixture(scope='module')
def tiny_synthocc(standin_body_model_dir, tmp_path_factory) -> str:
    from mmjotr.datasets.synthocc import SynthOccSettings, write_synthocc
    root = str(tmp_path_factory.mktemp('synthocc'))
    write_synthocc(
        root, standin_body_model_dir,
        SynthOccSettings(
            seed=0,
            num_frames=dict(
                train=4,
                test_clean=1,
                test_object_occluded=1,
                test_person_occluded=1)))
    return root


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='checks the CPU-only path')
@pytest.mark.parametrize('config', [
    'jotr_tiny_synthocc_no-3d-features_stage1.py',
    'jotr_tiny_synthocc_no-3d-features.py'
])
def test_ablation_configs_train_under_ddp(config, tmp_path, tiny_synthocc,
                                          standin_body_model_dir):
    """The configs whose model leaves parameters without a gradient train 3
    iterations on 2 gloo ranks (DDP used to stop at iteration 2: "Expected
    to have finished reduction in the prior iteration")."""
    cfg_file = osp.join(ROOT, 'configs', 'jotr', 'synthocc_ablations', config)
    result = run_dist_train(
        cfg_file, 2, '--work-dir', str(tmp_path), '--body-model-dir',
        standin_body_model_dir, '--cfg-options',
        f'train_dataloader.dataset.data_root={tiny_synthocc}',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', 'train_cfg.max_iters=3',
        'default_hooks.checkpoint.interval=3',
        'default_hooks.logger.interval=1', 'load_from=None')
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert 'Iter(train) [3/3]' in output
    assert "'find_unused_parameters': True" in output or \
        'find_unused_parameters=True' in output
    assert osp.isfile(tmp_path / 'iter_3.pth')


FAKE_SRUN = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$SRUN_ARGS_FILE"
"""


@pytest.mark.parametrize('script,loader_workers', [('slurm_train.sh', 8),
                                                   ('slurm_test.sh', 4)])
def test_slurm_scripts_size_cpus_to_the_workers(tmp_path, script,
                                                loader_workers):
    """With a stand-in ``srun`` that records its arguments: one CPU per
    data loader worker plus the main process, the script named by its
    absolute path, relative paths kept for the caller's directory."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'srun').write_text(FAKE_SRUN)
    (bin_dir / 'srun').chmod(0o755)
    config = 'jotr.py'
    (tmp_path / config).write_text("_base_ = ['{}']\n".format(
        osp.join(ROOT, 'configs', 'jotr',
                 'jotr_res50_8xb32-18e_mix-256x256.py')))
    args_file = tmp_path / 'srun_args'
    env = dict(
        os.environ,
        PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
        PYTHON=sys.executable,
        SRUN_ARGS_FILE=str(args_file),
        GPUS='16')
    subprocess.run([
        'bash',
        osp.join(ROOT, 'tools', script), 'gpu', 'jotr', config, 'out'
    ],
                   cwd=tmp_path,
                   env=env,
                   check=True,
                   capture_output=True)
    args = args_file.read_text().splitlines()
    assert f'--cpus-per-task={loader_workers + 1}' in args
    assert '--ntasks=16' in args
    tool = 'train.py' if script == 'slurm_train.sh' else 'test.py'
    assert osp.join(ROOT, 'tools', tool) in args
    assert config in args and '--launcher=slurm' in args
    env['CPUS_PER_TASK'] = '3'
    subprocess.run([
        'bash',
        osp.join(ROOT, 'tools', script), 'gpu', 'jotr', config, 'out'
    ],
                   cwd=tmp_path,
                   env=env,
                   check=True,
                   capture_output=True)
    assert '--cpus-per-task=3' in args_file.read_text().splitlines()
    # too few arguments: the usage, before anything runs
    short = subprocess.run(['bash',
                            osp.join(ROOT, 'tools', script), 'gpu'],
                           env=env,
                           capture_output=True,
                           text=True)
    assert short.returncode == 2
    assert short.stderr.startswith('usage: ') and script in short.stderr
