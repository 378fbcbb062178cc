# Copyright (c) mmjotr contributors. All rights reserved.
"""A non-finite loss stops the run (or skips the step when configured), and
no checkpoint with non-finite weights is ever written (issue 9 #3)."""
import glob
import re

import pytest
import torch
from mmengine.runner import Runner

from mmjotr.engine import NonFiniteGuardHook
from mmjotr.utils import build_train_cfg


def _runner(cfg_file, work_dir, body_model_dir, name, **options):
    cfg = build_train_cfg(
        cfg_file,
        work_dir=str(work_dir),
        body_model_dir=body_model_dir,
        cfg_options=dict({'experiment_name': name}, **options))
    return Runner.from_cfg(cfg)


# AdamW's first step moves every weight by ~lr: 1e37 keeps them finite,
# the next forward pass overflows (no weight decay: it would overflow the
# weights themselves)
DIVERGING = {
    'optim_wrapper.optimizer.lr': 1e37,
    'optim_wrapper.optimizer.weight_decay': 0.,
}


def _all_finite(path):
    state = torch.load(path, map_location='cpu')['state_dict']
    return all(
        bool(torch.isfinite(v).all()) for v in state.values()
        if v.is_floating_point())


def test_nonfinite_loss_stops_the_run(tmp_path, standin_body_model_dir,
                                      tiny_coco_train_config):
    cfg_file = tiny_coco_train_config(max_iters=4, checkpoint_interval=1)
    work_dir = tmp_path / 'work'
    runner = _runner(cfg_file, work_dir, standin_body_model_dir, 'nan',
                     **DIVERGING)
    with pytest.raises(FloatingPointError) as err:
        runner.train()
    text = str(err.value)
    assert re.search(
        r'non-finite loss at iteration 2 \(loss terms: '
        r'loss=(nan|inf)', text), text
    assert 'loss_' in text  # every term is listed
    assert re.search(r'images/train2017/\d+\.jpg \(sample_idx \d+\)', text)
    assert 'The optimiser step was not taken' in text
    # iteration 1 (finite) was saved, nothing after; all saved are finite
    saved = sorted(glob.glob(str(work_dir / 'iter_*.pth')))
    assert [s.rsplit('/', 1)[1] for s in saved] == ['iter_1.pth']
    assert all(_all_finite(s) for s in saved)
    # the run's log has the message too
    log = glob.glob(str(work_dir / '*' / '*.log'))[0]
    assert 'non-finite loss at iteration 2' in open(log).read()


def test_skip_mode_counts_and_keeps_weights(tmp_path, standin_body_model_dir,
                                            tiny_coco_train_config):
    cfg_file = tiny_coco_train_config(max_iters=4, checkpoint_interval=1)
    work_dir = tmp_path / 'work'
    runner = _runner(
        cfg_file, work_dir, standin_body_model_dir, 'skip',
        **dict(DIVERGING,
               **{'default_hooks.nonfinite_guard.on_nonfinite': 'skip'}))
    runner.train()  # completes: iterations 2-4 are skipped
    guard = [h for h in runner.hooks if isinstance(h, NonFiniteGuardHook)]
    assert guard[0].skipped == 3
    assert runner.message_hub.get_info('train/skipped_steps') == 3
    log = open(glob.glob(str(work_dir / '*' / '*.log'))[0]).read()
    assert len(re.findall('optimiser step skipped', log)) == 3
    assert '(3 skipped so far)' in log
    # no step was taken after iteration 1: the last checkpoints hold
    # iteration 1's weights, all finite
    first = torch.load(work_dir / 'iter_1.pth')['state_dict']
    last = torch.load(work_dir / 'iter_4.pth')['state_dict']
    assert _all_finite(work_dir / 'iter_4.pth')
    for key, value in first.items():
        torch.testing.assert_close(last[key], value)


def test_checkpoint_with_nonfinite_weights_is_never_written(
        tmp_path, standin_body_model_dir, tiny_coco_train_config):
    cfg_file = tiny_coco_train_config(max_iters=2, checkpoint_interval=1)
    work_dir = tmp_path / 'work'
    runner = _runner(cfg_file, work_dir, standin_body_model_dir, 'guard')
    with torch.no_grad():
        next(runner.model.parameters()).view(-1)[0] = float('nan')
    with pytest.raises(
            FloatingPointError,
            match='refusing to save a checkpoint at iteration 0: '
            r'1 weight tensors hold NaN or inf \(first: '):
        runner.save_checkpoint(
            str(work_dir),
            'iter_1.pth',
            save_optimizer=False,
            save_param_scheduler=False)
    assert glob.glob(str(work_dir / '*.pth')) == []
