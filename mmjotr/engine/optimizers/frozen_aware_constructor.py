# Copyright (c) mmjotr contributors. All rights reserved.
"""An optimiser-wrapper constructor that leaves frozen parameters out
quietly."""
import logging
from collections import Counter

from mmengine.logging import MMLogger, print_log
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper
from torch import nn

from mmjotr.registry import OPTIM_WRAPPER_CONSTRUCTORS

#: The start of mmengine's per-parameter notice for a frozen parameter.
_FROZEN_NOTICE = 'is skipped since its requires_grad=False'


class _DropFrozenNotices(logging.Filter):
    """Drops mmengine's one-warning-per-frozen-parameter records."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _FROZEN_NOTICE not in record.getMessage()


def _frozen_owner(name: str, model: nn.Module) -> str:
    """The outermost module above parameter ``name`` whose parameters are
    all frozen (the parameter's own name if its module also trains)."""
    parts = name.split('.')
    for depth in range(1, len(parts)):
        prefix = '.'.join(parts[:depth])
        owner = model.get_submodule(prefix)
        if not any(p.requires_grad for p in owner.parameters()):
            return prefix
    return name


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class FrozenAwareOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """mmengine's default constructor, with one log line for all frozen
    parameters instead of a warning per parameter.

    With a ``paramwise_cfg``, mmengine's constructor leaves parameters with
    ``requires_grad=False`` out of the optimiser and warns once per
    parameter (JOTR's frozen VPoser alone gives ~100 warnings). This
    constructor builds exactly the same optimiser, hides those warnings
    and logs one line: how many tensors and values were left out, grouped
    by the outermost module that is frozen as a whole
    (``head.smpl_regressor.vposer``). Written here because mmengine has no
    option to silence the notice.
    """

    def __call__(self, model: nn.Module) -> OptimWrapper:
        module = model.module if hasattr(model, 'module') else model
        frozen = [(name, p.numel()) for name, p in module.named_parameters()
                  if not p.requires_grad]
        logger = MMLogger.get_current_instance()
        quiet = _DropFrozenNotices()
        logger.addFilter(quiet)
        try:
            optim_wrapper = super().__call__(model)
        finally:
            logger.removeFilter(quiet)
        if frozen:
            groups = Counter(_frozen_owner(name, module) for name, _ in frozen)
            where = ', '.join(f'{g} ({n})' for g, n in sorted(groups.items()))
            print_log(
                f'optimizer: {len(frozen)} frozen parameter tensors '
                f'({sum(n for _, n in frozen)} values) are not optimised: '
                f'{where}',
                logger='current')
        return optim_wrapper
