# Copyright (c) mmjotr contributors. All rights reserved.
"""End to end: the tiny JOTR trains through mmengine's Runner on generated
COCO-layout data, and a run interrupted after a checkpoint resumes where it
stopped (optimiser state and iteration)."""
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmjotr.registry import HOOKS
from mmjotr.utils import build_train_cfg


@HOOKS.register_module(force=True)
class RecordItersHook(Hook):
    """Records the iterations it sees; raises after ``stop_after`` to
    simulate a crash (it runs after the checkpoint hook)."""
    priority = 'LOWEST'
    seen = []

    def __init__(self, stop_after: int = -1) -> None:
        self.stop_after = stop_after

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        RecordItersHook.seen.append(
            (runner.iter, float(outputs['loss'].detach())))
        if runner.iter + 1 == self.stop_after:
            raise KeyboardInterrupt('simulated interruption')


def _cfg(cfg_file, work_dir, body_model_dir, run, stop_after=-1):
    cfg = build_train_cfg(
        str(cfg_file),
        work_dir=str(work_dir),
        resume='auto',
        body_model_dir=body_model_dir,
        cfg_options={
            'experiment_name': f'resume_test_{run}',
            'custom_hooks':
            [dict(type='RecordItersHook', stop_after=stop_after)],
        })
    # --body-model-dir reached the pipeline's target generation too
    assert cfg.train_dataloader.dataset.pipeline[3].body_model[
        'body_model_dir'] == body_model_dir
    return cfg


def test_interrupted_training_resumes(tmp_path, standin_body_model_dir,
                                      tiny_coco_train_config):
    # the tiny model on the mix's pipeline, generated COCO-layout data only
    cfg_file = tiny_coco_train_config(max_iters=4, checkpoint_interval=1)
    work_dir = tmp_path / 'work'

    RecordItersHook.seen = []
    runner = Runner.from_cfg(
        _cfg(cfg_file, work_dir, standin_body_model_dir, 1, stop_after=2))
    with pytest.raises(KeyboardInterrupt, match='simulated'):
        runner.train()
    first = list(RecordItersHook.seen)
    assert [it for it, _ in first] == [0, 1]
    assert osp.isfile(work_dir / 'iter_2.pth')
    assert not osp.isfile(work_dir / 'iter_3.pth')
    saved = torch.load(
        work_dir / 'iter_2.pth', map_location='cpu', weights_only=False)
    assert saved['meta']['iter'] == 2
    assert 'optimizer' in saved

    RecordItersHook.seen = []
    runner = Runner.from_cfg(
        _cfg(cfg_file, work_dir, standin_body_model_dir, 2))
    runner.train()
    second = list(RecordItersHook.seen)
    # continues at iteration 2, does not start over
    assert [it for it, _ in second] == [2, 3]
    assert runner.iter == 4
    assert all(torch.isfinite(torch.tensor(loss)) for _, loss in second)
    # the optimiser state came back too (AdamW step counts continue)
    state = runner.optim_wrapper.optimizer.state_dict()['state']
    steps = {int(s['step']) for s in state.values() if 'step' in s}
    assert steps == {4}
