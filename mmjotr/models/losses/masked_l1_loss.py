# Copyright (c) mmjotr contributors. All rights reserved.
from typing import Optional

import torch
from torch import Tensor, nn

from mmjotr.registry import MODELS


@MODELS.register_module()
class MaskedL1Loss(nn.Module):
    """Element-wise L1 distance times a mask, averaged over all elements.

    This is JOTR's supervised loss form (paper Eq. 6; docs/model.md):
    masked-out elements count as zeros in the mean, they are not excluded
    from the denominator.

    Note:
        - B: batch size
        - ...: any trailing dimensions

    Args:
        loss_weight (float): factor on the loss. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                target: Tensor,
                mask: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor[B, ...]): predictions.
            target (Tensor[B, ...]): targets, same shape as ``pred``.
            mask (Tensor, optional): weights broadcastable to ``pred``
                (e.g. ``Tensor[B, K, 1]`` for ``Tensor[B, K, 3]``).

        Returns:
            Tensor: scalar loss.
        """
        if pred.shape != target.shape:
            raise ValueError(f'MaskedL1Loss: pred shape {tuple(pred.shape)} '
                             f'!= target shape {tuple(target.shape)}')
        loss = torch.abs(pred - target)
        if mask is not None:
            loss = loss * mask
        return loss.mean() * self.loss_weight
