# Copyright (c) mmjotr contributors. All rights reserved.
"""Save and restore the random-number states with the checkpoints, so that
a resumed run continues exactly like the uninterrupted one."""
import logging
import random
from typing import Callable, List, Optional

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop

from mmjotr.registry import HOOKS

__all__ = [
    'RandomStateHook', 'capture_random_state', 'restore_random_state',
    'checkpoint_due'
]


def capture_random_state() -> dict:
    """The python, numpy, torch (CPU and CUDA) random states of this
    process, in types that ``torch.load(weights_only=True)`` reads."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    state = dict(
        python=random.getstate(),
        numpy=(name, torch.from_numpy(keys.astype(np.int64)), int(pos),
               int(has_gauss), float(cached)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        # one process drives one GPU (DDP): its own generator only; the
        # other visible GPUs belong to other ranks
        state['cuda'] = torch.cuda.get_rng_state()
    return state


def restore_random_state(state: dict) -> None:
    """Set this process's random states from :func:`capture_random_state`.
    """
    random.setstate(_as_tuples(state['python']))
    name, keys, pos, has_gauss, cached = state['numpy']
    np.random.set_state(
        (name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        cuda = state['cuda']
        if isinstance(cuda, (list, tuple)):
            # written before one state per process: every visible GPU's
            device = torch.cuda.current_device()
            if device >= len(cuda):
                print_log(
                    f'the saved CUDA random states cover {len(cuda)} '
                    f'GPUs, this process uses GPU {device}: its CUDA '
                    'random state is not restored',
                    logger='current',
                    level=logging.WARNING)
                return
            cuda = cuda[device]
        torch.cuda.set_rng_state(cuda)


def _as_tuples(value):
    """``random.setstate`` needs tuples where a round trip may give lists.
    """
    if isinstance(value, (list, tuple)):
        return tuple(_as_tuples(v) for v in value)
    return value


def checkpoint_due(runner, by_epoch: bool) -> bool:
    """Whether a checkpoint hook of ``runner`` saves after this training
    iteration (``by_epoch=False``) or epoch, by ``CheckpointHook``'s own
    rule (every ``interval`` from ``save_begin``, and the last one with
    ``save_last``).

    Gathering every rank's random states is a collective (a host sync and a
    pickle per rank): it runs only when a save follows. Saves by other
    means than a ``CheckpointHook`` (or a subclass) get no random states
    in multi-process runs; resuming from them warns.
    """
    for hook in runner.hooks:
        if not isinstance(hook, CheckpointHook) or \
                hook.by_epoch != by_epoch:
            continue
        if by_epoch:
            due = hook.every_n_epochs(runner, hook.interval, hook.save_begin)
            last = hook.is_last_train_epoch(runner)
        else:
            due = hook.every_n_train_iters(runner, hook.interval,
                                           hook.save_begin)
            last = hook.is_last_train_iter(runner)
        if due or (hook.save_last and last):
            return True
    return False


class _RestoreAfterReplay:
    """Stands in for ``IterBasedTrainLoop.dataloader_iterator`` on resume.

    mmengine 0.10.7's loop advances a resumed run by drawing the
    ``iter`` already-trained batches again (``next()`` in a loop, which runs
    the data pipeline in the workers, or in this process without workers)
    and then draws the next batch right away, with no hook in between.
    This iterator passes the replayed batches through, then restores the
    saved random state just before the first new batch is drawn and puts
    the loop's own iterator back.
    """

    def __init__(self, loop, replay: int, restore: Callable[[], None]):
        self.loop = loop
        self.inner = loop.dataloader_iterator
        self.replay = replay
        self.restore = restore

    def __iter__(self):
        return self

    def __next__(self):
        if self.replay > 0:
            self.replay -= 1
            return next(self.inner)
        self.restore()
        self.loop.dataloader_iterator = self.inner
        return next(self.inner)


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Make kill + resume reproduce the uninterrupted run.

    Saved in every checkpoint (``meta['random_states']``, one entry per
    rank): the python, numpy and torch (CPU, and the CUDA generator of the
    process's own GPU) random states at the moment the checkpoint is
    written; in multi-process runs they are gathered only before a save
    (:func:`checkpoint_due`) and at validation (for best-checkpoint
    saves). On resume they are restored exactly
    where the uninterrupted run stood when it saved: at the start of the
    next epoch (epoch-based loop), or, in the iteration-based loop, after
    mmengine has replayed the already-trained batches and before the next
    one is drawn (see :class:`_RestoreAfterReplay`).

    What else decides the random stream, and why it matches on resume:

    - data workers: mmengine seeds each worker from the run's seed, rank
      and worker id (``worker_init_fn``), and the iteration-based loop's
      replay makes each worker process the same samples again, so the
      workers stand where they stood. (An epoch-based run with
      ``persistent_workers=True`` restarts its workers' streams at resume.)
    - the sampler: mmengine's samplers draw from their own generator
      seeded with the seed and the epoch; the replay restores the position.
    - validation during training runs between a save and the next batch;
      this hook saves the random states before validation and restores
      them after it, so validation never shifts the training stream.

    A checkpoint written with another number of processes restores
    nothing (with a warning). Loading weights with ``load_from`` (no
    resume) restores nothing either.
    """
    priority = 'LOW'  # after_train_iter: before CheckpointHook (VERY_LOW)

    def __init__(self) -> None:
        self._gathered: Optional[List[dict]] = None
        self._before_val: Optional[dict] = None
        self._loaded: Optional[dict] = None

    # -------------------------------------------------------------- saving
    def _gather(self) -> None:
        if get_world_size() > 1:
            # only rank 0 writes checkpoints; collect every rank's state at
            # the moment the checkpoint hook (lower priority) saves
            self._gathered = all_gather_object(capture_random_state())

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if checkpoint_due(runner, by_epoch=False):
            self._gather()

    def after_train_epoch(self, runner) -> None:
        if checkpoint_due(runner, by_epoch=True):
            self._gather()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if get_world_size() > 1:
            # gathered for this save; never reused for a later one
            states, self._gathered = self._gathered, None
        else:
            # a best-checkpoint save during validation stores the state
            # training goes on with
            states = [self._before_val or capture_random_state()]
        if states is not None:
            checkpoint.setdefault('meta', {})['random_states'] = states

    # ---------------------------------------------------------- validation
    def before_val(self, runner) -> None:
        self._before_val = capture_random_state()
        # a best-checkpoint save during validation stores the states that
        # training goes on with (restored in after_val)
        self._gather()

    def after_val(self, runner) -> None:
        if self._before_val is not None:
            restore_random_state(self._before_val)
            self._before_val = None

    # ------------------------------------------------------------- resuming
    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        meta = checkpoint.get('meta') or {}
        self._loaded = dict(
            states=meta.get('random_states'), iter=meta.get('iter'))

    def before_train_epoch(self, runner) -> None:
        loaded, self._loaded = self._loaded, None
        if loaded is None or runner.iter == 0 or runner.iter != loaded['iter']:
            return  # a fresh start, or weights loaded with load_from
        states = loaded['states']
        if states is None:
            runner.logger.warning(
                'the resumed checkpoint holds no random states (written '
                'without RandomStateHook): the resumed run will not '
                'reproduce the uninterrupted one')
            return
        if len(states) != get_world_size():
            runner.logger.log(
                logging.WARNING,
                f'the resumed checkpoint holds random states of '
                f'{len(states)} processes, this run has '
                f'{get_world_size()}: random states not restored')
            return
        state = states[get_rank()]

        def restore() -> None:
            restore_random_state(state)
            runner.logger.info(
                f'restored the random states saved at iteration '
                f'{loaded["iter"]}')

        loop = runner.train_loop
        if isinstance(loop, IterBasedTrainLoop):
            loop.dataloader_iterator = _RestoreAfterReplay(
                loop, runner.iter, restore)
        else:
            restore()
