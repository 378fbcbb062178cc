# Copyright (c) mmjotr contributors. All rights reserved.
"""Check a loaded checkpoint's keys and shapes against the model."""
from mmengine.hooks import Hook

from mmjotr.registry import HOOKS
from mmjotr.utils.checkpoint_io import check_state_dict, checkpoint_state_dict

__all__ = ['CheckpointCheckHook']


@HOOKS.register_module()
class CheckpointCheckHook(Hook):
    """Compare every checkpoint the runner loads with the model.

    mmengine's ``Runner.load_checkpoint`` calls ``after_load_checkpoint``
    with the loaded checkpoint before it copies the weights (which it does
    non-strictly, printing mismatches to the console only). This hook
    compares names and shapes first (:func:`check_state_dict`):

    - ``strict=True`` (``tools/test.py``, unless ``--load-partial``): any
      missing, unexpected or mis-shaped key raises
      :class:`~mmjotr.utils.checkpoint_io.CheckpointMismatchError` listing
      the first ones with their shapes, naming the checkpoint and the
      config, and the message goes to the run's log;
    - ``strict=False`` (training: ``load_from`` may be a backbone-only or
      partial checkpoint): the same list is logged to the run's log as a
      warning and mmengine loads what matches.

    Args:
        strict (bool): refuse a checkpoint that does not match exactly.
    """
    priority = 'VERY_HIGH'

    def __init__(self, strict: bool = False) -> None:
        self.strict = strict

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        name = (runner.cfg.get('load_from') or 'the loaded checkpoint')
        check_state_dict(
            runner.model,
            checkpoint_state_dict(checkpoint),
            checkpoint_name=name,
            config_name=runner.cfg.filename,
            strict=self.strict)
