# Copyright (c) mmjotr contributors. All rights reserved.
"""RandomStateHook gathers the ranks' random states only when a checkpoint
follows, and restores the CUDA generator of the process's own GPU only
(kill-and-resume equality itself: tests/test_reliability/
test_resume_exact.py)."""
import random

import numpy as np
import pytest
import torch
from mmengine.hooks import CheckpointHook

import mmjotr.engine.hooks.random_state_hook as hook_module
from mmjotr.engine.hooks.random_state_hook import (RandomStateHook,
                                                   capture_random_state,
                                                   checkpoint_due,
                                                   restore_random_state)


class _Runner:
    """What the hooks read of a Runner in an iteration-based run."""

    def __init__(self, hooks, max_iters):
        self.hooks = hooks
        self.iter = 0
        self.epoch = 0
        self.max_iters = max_iters
        self.max_epochs = 1


def _saving_iterations(hook, max_iters):
    """1-based iterations after which ``hook`` saves, by brute force over
    its own rule as CheckpointHook.after_train_iter states it."""
    return [
        i for i in range(1, max_iters + 1)
        if (i >= hook.save_begin and (i - hook.save_begin) %
            hook.interval == 0) or (hook.save_last and i == max_iters)
    ]


@pytest.mark.parametrize('interval,save_begin,save_last', [(3, 0, True),
                                                           (4, 2, False),
                                                           (5, 0, False)])
def test_states_are_gathered_only_before_a_save(monkeypatch, interval,
                                                save_begin, save_last):
    checkpoint = CheckpointHook(
        interval=interval,
        by_epoch=False,
        save_begin=save_begin,
        save_last=save_last)
    runner = _Runner([checkpoint], max_iters=11)
    gathered = []
    monkeypatch.setattr(hook_module, 'get_world_size', lambda: 2)
    monkeypatch.setattr(
        hook_module, 'all_gather_object',
        lambda obj: gathered.append(runner.iter + 1) or [obj, obj])
    hook = RandomStateHook()
    saved = []
    for it in range(runner.max_iters):
        runner.iter = it
        hook.after_train_iter(runner, it)
        if checkpoint.every_n_train_iters(runner, interval, save_begin) or (
                save_last and checkpoint.is_last_train_iter(runner)):
            ckpt = {}
            hook.before_save_checkpoint(runner, ckpt)
            saved.append((it + 1, len(ckpt['meta']['random_states'])))
    expected = _saving_iterations(checkpoint, runner.max_iters)
    assert gathered == expected
    assert saved == [(i, 2) for i in expected]
    # a save the hook did not foresee gets no stale states
    ckpt = {}
    hook.before_save_checkpoint(runner, ckpt)
    assert 'random_states' not in ckpt.get('meta', {})


def test_checkpoint_due_by_epoch_and_without_checkpoint_hook():
    runner = _Runner([CheckpointHook(interval=2, by_epoch=True)], 5)
    runner.max_epochs = 5
    due = []
    for epoch in range(5):
        runner.epoch = epoch
        due.append(checkpoint_due(runner, by_epoch=True))
        assert not checkpoint_due(runner, by_epoch=False)
    assert due == [False, True, False, True, True]  # 2, 4 and the last
    assert not checkpoint_due(_Runner([], 5), by_epoch=False)


def test_validation_gathers_the_states_training_goes_on_with(monkeypatch):
    monkeypatch.setattr(hook_module, 'get_world_size', lambda: 2)
    monkeypatch.setattr(hook_module, 'all_gather_object',
                        lambda obj: [obj, obj])
    runner = _Runner([], max_iters=10)
    hook = RandomStateHook()
    torch.manual_seed(7)
    hook.before_val(runner)
    expected = torch.get_rng_state()
    torch.rand(100)  # validation draws
    ckpt = {}
    hook.before_save_checkpoint(runner, ckpt)  # save_best during val
    hook.after_val(runner)
    assert torch.equal(ckpt['meta']['random_states'][0]['torch'], expected)
    assert torch.equal(torch.get_rng_state(), expected)


class _FakeCuda:
    """The CUDA generator API on a machine with ``count`` GPUs, this
    process on GPU ``current``."""

    def __init__(self, count, current):
        self.states = [
            torch.tensor([i], dtype=torch.uint8) for i in range(count)
        ]
        self.current = current

    def install(self, monkeypatch):
        cuda = torch.cuda
        monkeypatch.setattr(cuda, 'is_available', lambda: True)
        monkeypatch.setattr(cuda, 'is_initialized', lambda: True)
        monkeypatch.setattr(cuda, 'current_device', lambda: self.current)
        monkeypatch.setattr(cuda, 'get_rng_state',
                            lambda: self.states[self.current].clone())
        monkeypatch.setattr(cuda, 'set_rng_state', self.set_state)

        def refuse(*args):
            raise AssertionError('touches every GPU')

        monkeypatch.setattr(cuda, 'get_rng_state_all', refuse)
        monkeypatch.setattr(cuda, 'set_rng_state_all', refuse)

    def set_state(self, state):
        self.states[self.current] = state.clone()


def test_cuda_state_is_the_process_gpu_only(monkeypatch):
    fake = _FakeCuda(count=4, current=2)
    fake.install(monkeypatch)
    state = capture_random_state()
    assert torch.equal(state['cuda'], torch.tensor([2], dtype=torch.uint8))
    # resumed with a process on another GPU: its own generator is set
    fake.current = 1
    restore_random_state(state)
    assert [int(s) for s in fake.states] == [0, 2, 2, 3]


def test_old_all_gpu_states_restore_the_current_gpu(monkeypatch):
    """Checkpoints written before: one state per visible GPU. A process
    sees fewer GPUs at resume: no error, its own (if saved) restored."""
    saved = dict(
        python=random.getstate(),
        numpy=capture_random_state()['numpy'],
        torch=torch.get_rng_state(),
        cuda=[torch.tensor([10 + i], dtype=torch.uint8) for i in range(2)])
    fake = _FakeCuda(count=1, current=0)
    fake.install(monkeypatch)
    restore_random_state(saved)
    assert int(fake.states[0]) == 10
    fake = _FakeCuda(count=4, current=3)  # GPU 3: not in the checkpoint
    fake.install(monkeypatch)
    logged = []
    monkeypatch.setattr(hook_module, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    restore_random_state(saved)
    assert int(fake.states[3]) == 3  # left as it was
    assert logged == [
        'the saved CUDA random states cover 2 GPUs, this process uses GPU '
        '3: its CUDA random state is not restored'
    ]
    assert np.random.get_state()[2] == saved['numpy'][2]
