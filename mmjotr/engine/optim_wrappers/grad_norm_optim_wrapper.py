# Copyright (c) mmjotr contributors. All rights reserved.
"""An optimizer wrapper that logs the gradient norm at every update."""
import torch
from mmengine.optim import OptimWrapper

from mmjotr.registry import OPTIM_WRAPPERS


def log_grad_norm(optim_wrapper: OptimWrapper) -> float:
    """Total L2 norm of the gradients of an optimizer wrapper's parameters,
    logged as ``train/grad_norm`` (the key mmengine's gradient clipping
    logs under; ``LoggerHook`` prints it with the losses).

    Returns:
        float: the norm; ``inf`` or ``nan`` when a gradient is not finite.
    """
    grads = [
        p.grad for group in optim_wrapper.optimizer.param_groups
        for p in group['params'] if p.grad is not None
    ]
    norm = float(torch.nn.utils.get_total_norm(grads)) if grads else 0.
    optim_wrapper.message_hub.update_scalar('train/grad_norm', norm)
    return norm


@OPTIM_WRAPPERS.register_module()
class GradNormOptimWrapper(OptimWrapper):
    """mmengine's ``OptimWrapper`` that logs the gradient norm.

    mmengine logs ``grad_norm`` only while clipping (``clip_grad``), and the
    release does not clip (docs/model.md). This wrapper logs the total L2
    norm of the gradients before every step (``train/grad_norm``), so a
    diverging run shows in the training log. With ``clip_grad`` it clips as
    mmengine does and mmengine logs the norm.

    Args:
        **kwargs: arguments of mmengine's ``OptimWrapper``.
    """

    def step(self, **kwargs) -> None:
        """Log the gradient norm, then mmengine's step (clip, update)."""
        if not self.clip_grad_kwargs:
            log_grad_norm(self)
        super().step(**kwargs)
