# Copyright (c) mmjotr contributors. All rights reserved.
"""A non-finite loss stops the run (or skips the step when configured), and
no checkpoint with non-finite weights is ever written (issue 9 #3)."""
import glob
import re

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmjotr.engine import NonFiniteGuardHook
from mmjotr.registry import HOOKS
from mmjotr.utils import build_train_cfg


@HOOKS.register_module(force=True)
class AbsurdTargetHook(Hook):
    """Gives the first sample of the batch of iteration ``at`` (0-based) an
    absurd but finite 2D joint target (3e38), as a broken annotation
    would."""

    def __init__(self, at: int) -> None:
        self.at = at

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if runner.iter == self.at:
            data_batch['data_samples'][0].gt_instances.joints_voxel[:] = 3e38


def _runner(cfg_file, work_dir, body_model_dir, name, hooks=(), **options):
    cfg = build_train_cfg(
        cfg_file,
        work_dir=str(work_dir),
        body_model_dir=body_model_dir,
        cfg_options=dict({
            'experiment_name': name,
            'custom_hooks': list(hooks)
        }, **options))
    return Runner.from_cfg(cfg)


def _finite(state):
    return all(
        bool(torch.isfinite(v).all()) for v in state.values()
        if v.is_floating_point())


def _log(work_dir):
    with open(glob.glob(str(work_dir / '*' / '*.log'))[0]) as f:
        return f.read()


def test_nonfinite_loss_stops_the_run(tmp_path, standin_body_model_dir,
                                      tiny_coco_train_config):
    cfg_file = tiny_coco_train_config(max_iters=4, checkpoint_interval=1)
    work_dir = tmp_path / 'work'
    runner = _runner(cfg_file, work_dir, standin_body_model_dir, 'nan',
                     [dict(type='AbsurdTargetHook', at=1)])
    with pytest.raises(FloatingPointError) as err:
        runner.train()
    text = str(err.value)
    assert re.search(
        r'non-finite loss at iteration 2 \(loss terms: loss=(nan|inf)', text)
    assert re.search(r'loss_body_joint_voxel=(nan|inf)', text)
    assert 'loss_smpl_pose=' in text  # every term is listed
    assert re.search(r'images/train2017/\d+\.jpg \(sample_idx \d+\)', text)
    assert 'The optimiser step was not taken' in text
    assert 'non-finite loss at iteration 2' in _log(work_dir)
    # iteration 1 was saved, nothing after; the weights are untouched
    assert sorted(glob.glob(str(
        work_dir / 'iter_*.pth'))) == [str(work_dir / 'iter_1.pth')]
    saved = torch.load(work_dir / 'iter_1.pth')['state_dict']
    assert _finite(saved)
    assert _finite(runner.model.state_dict())


def test_skip_mode_counts_and_keeps_weights(tmp_path, standin_body_model_dir,
                                            tiny_coco_train_config):
    cfg_file = tiny_coco_train_config(max_iters=3, checkpoint_interval=1)
    work_dir = tmp_path / 'work'
    runner = _runner(cfg_file, work_dir, standin_body_model_dir, 'skip',
                     [dict(type='AbsurdTargetHook', at=1)],
                     **{'default_hooks.nonfinite_guard.on_nonfinite': 'skip'})
    runner.train()  # completes, iteration 2 skipped
    guard = [h for h in runner.hooks if isinstance(h, NonFiniteGuardHook)]
    assert guard[0].skipped == 1
    assert runner.message_hub.get_info('train/skipped_steps') == 1
    log = _log(work_dir)
    assert re.search(
        r'non-finite loss at iteration 2 .*: optimiser step skipped \(1 '
        r'skipped so far\)', log)
    # the skipped step changed nothing, BatchNorm statistics included;
    # the next step trained on
    first = torch.load(work_dir / 'iter_1.pth')['state_dict']
    second = torch.load(work_dir / 'iter_2.pth')['state_dict']
    third = torch.load(work_dir / 'iter_3.pth')['state_dict']
    assert _finite(third)
    for key, value in first.items():
        torch.testing.assert_close(second[key], value, rtol=0, atol=0)
    assert any(not torch.equal(third[k], v) for k, v in first.items())


def test_diverging_run_leaves_no_nonfinite_checkpoint(tmp_path,
                                                      standin_body_model_dir,
                                                      tiny_coco_train_config):
    """A learning rate of 1e37: the run stops (non-finite loss, or non-
    finite weights at the next save), and every checkpoint on disk is
    finite."""
    cfg_file = tiny_coco_train_config(max_iters=4, checkpoint_interval=1)
    work_dir = tmp_path / 'work'
    runner = _runner(cfg_file, work_dir, standin_body_model_dir, 'diverge',
                     **{'optim_wrapper.optimizer.lr': 1e37})
    with pytest.raises(
            FloatingPointError,
            match='non-finite loss at iteration|refusing to save the '
            r'checkpoint of iteration \d+: \d+ weight tensors hold NaN or '
            'inf'):
        runner.train()
    for path in glob.glob(str(work_dir / '*.pth')):
        assert _finite(torch.load(path)['state_dict']), path


def test_checkpoint_with_nonfinite_weights_is_never_written(
        tmp_path, standin_body_model_dir, tiny_coco_train_config):
    cfg_file = tiny_coco_train_config(max_iters=2, checkpoint_interval=1)
    work_dir = tmp_path / 'work'
    runner = _runner(cfg_file, work_dir, standin_body_model_dir, 'guard')
    with torch.no_grad():
        next(runner.model.parameters()).view(-1)[0] = float('nan')
    with pytest.raises(
            FloatingPointError,
            match='refusing to save the checkpoint of iteration '
            r'1: 1 weight tensors hold NaN or inf \(first: '):
        runner.save_checkpoint(
            str(work_dir),
            'iter_1.pth',
            save_optimizer=False,
            save_param_scheduler=False,
            by_epoch=False)
    assert glob.glob(str(work_dir / '*.pth')) == []


class _Runner:
    """What NonFiniteGuardHook uses of a Runner, on a one-layer model."""

    def __init__(self):
        from mmengine.logging import MessageHub, MMLogger
        from mmengine.optim import OptimWrapper
        self.model = torch.nn.Sequential(
            torch.nn.Linear(2, 1), torch.nn.BatchNorm1d(1))
        self.optim_wrapper = OptimWrapper(
            torch.optim.SGD(self.model.parameters(), lr=0.1))
        self.iter = 0
        self.logger = MMLogger.get_instance('nonfinite_guard_unit')
        self.message_hub = MessageHub.get_instance('nonfinite_guard_unit')


def _step(guard, runner, finite: bool) -> bool:
    """One training iteration through the guard; True when the weights
    changed (the optimiser stepped)."""
    guard.before_train_iter(runner, runner.iter)
    before = [p.detach().clone() for p in runner.model.parameters()]
    out = runner.model(torch.tensor([[1., 2.], [3., -1.]])).sum()
    loss = out if finite else out * float('nan')
    runner.optim_wrapper.update_params(loss)
    guard.after_train_iter(runner, runner.iter, outputs=dict(loss=loss))
    runner.iter += 1
    return any(not torch.equal(b, p)
               for b, p in zip(before, runner.model.parameters()))


def test_skip_limit_counts_consecutive_skips_only():
    """Finite steps reset the consecutive count; the limit counts skips in
    a row, not in total, and raises when reached."""
    runner = _Runner()
    guard = NonFiniteGuardHook(on_nonfinite='skip', max_consecutive_skips=3)
    guard.before_train(runner)
    pattern = [False, False, True, False, False, True, False, False]
    stepped = [_step(guard, runner, finite) for finite in pattern]
    assert stepped == pattern  # a skipped step leaves the weights alone
    assert guard.skipped == 6 and guard.consecutive == 2
    assert runner.message_hub.get_info('train/skipped_steps') == 6
    with pytest.raises(
            FloatingPointError,
            match=r'iteration 9 .*\(3 steps in a row skipped\)'):
        _step(guard, runner, finite=False)
    guard.after_train(runner)
    assert 'update_params' not in vars(runner.optim_wrapper)


def test_raise_mode_stops_at_the_first_nonfinite_loss():
    runner = _Runner()
    guard = NonFiniteGuardHook(on_nonfinite='raise')
    guard.before_train(runner)
    assert _step(guard, runner, finite=True)
    with pytest.raises(FloatingPointError, match='iteration 2 '):
        _step(guard, runner, finite=False)
