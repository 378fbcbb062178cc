# Copyright (c) mmjotr contributors. All rights reserved.
"""Stop (or skip a step) on a non-finite loss; never save non-finite
weights."""
import logging
from typing import Dict, List, Optional

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook

from mmjotr.registry import HOOKS

__all__ = ['NonFiniteGuardHook']

DATA_BATCH = Optional[dict]


def batch_samples(data_batch: DATA_BATCH, limit: int = 8) -> str:
    """``img_path`` / ``sample_idx`` of the samples of a batch, joined."""
    samples = (data_batch or {}).get('data_samples') or []
    names = []
    for sample in samples[:limit]:
        meta = getattr(sample, 'metainfo', {})
        names.append(f'{meta.get("img_path", "?")} '
                     f'(sample_idx {meta.get("sample_idx", "?")})')
    if len(samples) > limit:
        names.append(f'... {len(samples) - limit} more')
    return ', '.join(names) or 'unknown'


def nonfinite_tensors(state_dict: Dict[str, torch.Tensor]) -> List[str]:
    """Names of the floating-point tensors holding NaN or inf."""
    return [
        k for k, v in state_dict.items() if torch.is_tensor(v)
        and v.is_floating_point() and not bool(torch.isfinite(v).all())
    ]


def persistent_buffers(model: torch.nn.Module) -> List[torch.Tensor]:
    """The buffers saved in ``model``'s state dict (e.g. BatchNorm running
    statistics and counters; not the non-persistent SMPL arrays)."""
    params = {id(p) for p in model.parameters()}
    return [
        v for v in model.state_dict(keep_vars=True).values()
        if id(v) not in params
    ]


@HOOKS.register_module()
class NonFiniteGuardHook(Hook):
    """Guard training against a NaN/inf loss and non-finite checkpoints.

    The total loss is checked before the optimiser step. mmengine has no
    hook between the loss and the step (``train_step`` computes, back-
    propagates and steps in one call), so from ``before_train`` to
    ``after_train`` this hook wraps the run's optimiser wrapper's
    ``update_params`` (an instance attribute, removed afterwards; any
    ``OptimWrapper`` subclass, AMP included, keeps its behaviour for finite
    losses). On a non-finite loss the wrapper still back-propagates (so
    that distributed gradient all-reduces and the accumulation counter stay
    in step on every rank), then drops the gradients instead of stepping:
    the weights stay as they were. Whether any rank saw a non-finite loss
    is all-reduced, so all ranks skip or stop together. Then, in
    ``after_train_iter`` (before the checkpoint hook):

    - ``on_nonfinite='raise'``: raises ``FloatingPointError`` naming the
      iteration, every logged loss term and the batch's samples
      (``img_path`` and ``sample_idx``);
    - ``on_nonfinite='skip'``: logs the same as a warning with the count of
      skipped steps so far (also in the message hub as
      ``train/skipped_steps``); after ``max_consecutive_skips`` skips in a
      row it raises as above. The forward pass of a skipped step has
      already updated the BatchNorm running statistics with non-finite
      batch statistics, so in this mode the model's buffers saved in
      checkpoints are copied before every step (a few hundred KB
      for ResNet-50) and put back when the step is skipped.

    A finite loss whose scaled fp16 gradients overflow (AMP skips the step)
    is not this hook's business: ``GradNormAmpOptimWrapper`` counts such
    steps and stops after ``max_consecutive_overflows`` in a row, naming
    the module (it still holds the gradients; hooks run after they are
    zeroed).

    Independently, ``before_save_checkpoint`` refuses to write a checkpoint
    whose weights hold NaN or inf (raising with the count and the first
    names), whatever put them there.

    Args:
        on_nonfinite (str): ``'raise'`` or ``'skip'``.
        max_consecutive_skips (int): in skip mode, raise after this many
            skipped steps in a row. Defaults to 20.
    """
    priority = 'ABOVE_NORMAL'

    def __init__(self,
                 on_nonfinite: str = 'raise',
                 max_consecutive_skips: int = 20) -> None:
        if on_nonfinite not in ('raise', 'skip'):
            raise ValueError('on_nonfinite must be "raise" or "skip", got '
                             f'{on_nonfinite!r}')
        if max_consecutive_skips < 1:
            raise ValueError('max_consecutive_skips must be >= 1, got '
                             f'{max_consecutive_skips}')
        self.on_nonfinite = on_nonfinite
        self.max_consecutive_skips = max_consecutive_skips
        self.skipped = 0
        self.consecutive = 0
        self._nonfinite = False
        self._wrapped: Optional[object] = None
        self._buffers: List[tuple] = []

    # ------------------------------------------------------------ the step
    def before_train(self, runner) -> None:
        wrapper = runner.optim_wrapper
        original = wrapper.update_params

        def guarded_update_params(loss: torch.Tensor,
                                  step_kwargs: Optional[dict] = None,
                                  zero_kwargs: Optional[dict] = None):
            flag = torch.tensor(
                0. if bool(torch.isfinite(loss.detach()).all()) else 1.,
                device=loss.device)
            all_reduce(flag)  # no-op without torch.distributed
            if flag.item() == 0:
                return original(loss, step_kwargs, zero_kwargs)
            self._nonfinite = True
            wrapper.backward(wrapper.scale_loss(loss))
            wrapper.zero_grad(**(zero_kwargs or {}))

        wrapper.update_params = guarded_update_params
        self._wrapped = wrapper

    def after_train(self, runner) -> None:
        if self._wrapped is not None:
            del self._wrapped.update_params  # back to the class's method
            self._wrapped = None

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: DATA_BATCH = None) -> None:
        self._nonfinite = False
        if self.on_nonfinite == 'skip':
            self._buffers = [(b, b.detach().clone())
                             for b in persistent_buffers(runner.model)]

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        if not self._nonfinite:
            self.consecutive = 0
            return
        self.skipped += 1
        self.consecutive += 1
        terms = ', '.join(f'{k}={_value(v):.6g}'
                          for k, v in (outputs or {}).items()
                          if 'loss' in k and _is_number(v)) or 'not logged'
        message = (f'non-finite loss at iteration {runner.iter + 1} '
                   f'(loss terms: {terms}); batch: '
                   f'{batch_samples(data_batch)}')
        if (self.on_nonfinite == 'raise'
                or self.consecutive >= self.max_consecutive_skips):
            why = ('' if self.on_nonfinite == 'raise' else
                   f' ({self.consecutive} steps in a row skipped)')
            runner.logger.error(message + why)
            raise FloatingPointError(
                message + why + '. The optimiser step was not taken. Lower '
                'the learning rate or check these samples; '
                "NonFiniteGuardHook(on_nonfinite='skip') skips such steps "
                'instead.')
        with torch.no_grad():
            for buffer, saved in self._buffers:
                buffer.copy_(saved)  # e.g. BatchNorm's running statistics
        runner.message_hub.update_info('train/skipped_steps', self.skipped)
        runner.logger.warning(
            f'{message}: optimiser step skipped ({self.skipped} skipped so '
            'far)')

    # ------------------------------------------------------- checkpoints
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        bad = nonfinite_tensors(checkpoint.get('state_dict', {}))
        if bad:
            step = (checkpoint.get('meta') or {}).get('iter', runner.iter)
            message = (f'refusing to save the checkpoint of iteration '
                       f'{step}: {len(bad)} weight tensors hold NaN or inf '
                       f'(first: {", ".join(bad[:5])})')
            runner.logger.log(logging.ERROR, message)
            raise FloatingPointError(message)


def _value(value) -> float:
    return float(value.detach()) if torch.is_tensor(value) else float(value)


def _is_number(value) -> bool:
    if torch.is_tensor(value):
        return value.numel() == 1
    return isinstance(value, (int, float))
