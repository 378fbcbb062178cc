# Copyright (c) mmjotr contributors. All rights reserved.
"""End to end: the tiny JOTR trains through mmengine's Runner on generated
COCO-layout data, a run interrupted after a checkpoint resumes where it
stopped (optimiser state and iteration), and the same config evaluates."""
import os.path as osp
import textwrap

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmjotr.datasets.data_benchmark import write_synthetic_coco
from mmjotr.registry import HOOKS
from mmjotr.utils import build_train_cfg

ROOT = osp.join(osp.dirname(__file__), '..', '..')
TINY_CONFIG = osp.join(ROOT, 'configs', 'jotr',
                       'jotr_tiny_1xb4_standin-256x256.py')
MIX_CONFIG = osp.join(ROOT, 'configs', '_base_', 'datasets',
                      'jotr_mix_train.py')


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


def _cfg(tmp_path, data_root, body_model_dir, run, stop_after=-1):
    # a user config: the tiny model trained on the mix's pipeline, with the
    # generated COCO-layout data as the only dataset
    cfg_file = tmp_path / 'jotr_tiny_coco.py'
    cfg_file.write_text(
        textwrap.dedent(f"""
        _base_ = [{TINY_CONFIG!r}, {MIX_CONFIG!r}]
        train_dataloader = dict(
            _delete_=True,
            batch_size=2,
            num_workers=0,
            persistent_workers=False,
            sampler=dict(type='DefaultSampler', shuffle=True),
            dataset=dict(
                type='CocoSMPLDataset',
                data_root={data_root!r},
                pipeline={{{{_base_.train_pipeline}}}}))
        train_cfg = dict(
            _delete_=True, type='IterBasedTrainLoop', max_iters=4)
        default_hooks = dict(
            checkpoint=dict(type='CheckpointHook', interval=1, by_epoch=False),
            logger=dict(interval=1))
        log_processor = dict(by_epoch=False)
        val_cfg = None
        test_cfg = None
        """))
    cfg = build_train_cfg(
        str(cfg_file),
        work_dir=str(tmp_path / 'work'),
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


def test_interrupted_training_resumes(tmp_path, standin_body_model_dir):
    data_root = write_synthetic_coco(
        str(tmp_path / 'coco'), num_images=4, img_size=(240, 320))
    work_dir = tmp_path / 'work'

    RecordItersHook.seen = []
    runner = Runner.from_cfg(
        _cfg(tmp_path, data_root, standin_body_model_dir, 1, stop_after=2))
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
        _cfg(tmp_path, data_root, standin_body_model_dir, 2))
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
