# Copyright (c) mmjotr contributors. All rights reserved.
from typing import Dict, Sequence, Tuple

import torch
from torch import Tensor, nn

from mmjotr.registry import MODELS


@MODELS.register_module()
class UncertaintyWeighting(nn.Module):
    """Learnable homoscedastic-uncertainty weights (Kendall et al.).

    One parameter ``p_k`` per loss term (init 1.0); the term becomes
    ``0.5 / p_k^2 * L_k + log(1 + p_k^2)`` (paper Sec. 4 "Implementation
    Detail", its ref. [27]). Exclude ``params`` from weight decay in the
    optimiser's paramwise config
    (``custom_keys={'uncertainty_weighting': dict(decay_mult=0.)}``).

    Args:
        loss_names (Sequence[str]): names of the weighted terms, in order.
        init_value (float): initial ``p_k``. Defaults to 1.0.
    """

    def __init__(self,
                 loss_names: Sequence[str],
                 init_value: float = 1.0) -> None:
        super().__init__()
        self.loss_names = tuple(loss_names)
        self.params = nn.Parameter(
            torch.full((len(self.loss_names), ), float(init_value)))

    def forward(self, losses: Dict[str, Tensor]
                ) -> Tuple[Dict[str, Tensor], Dict[str, Tensor]]:
        """Weight the terms.

        Args:
            losses (dict[str, Tensor]): scalar loss per name in
                ``loss_names``.

        Returns:
            tuple: the weighted terms (same keys) and the current ``p_k``
            (detached) under ``uw_<name>`` for logging.
        """
        missing = set(self.loss_names) - set(losses)
        if missing:
            raise KeyError(f'UncertaintyWeighting: no loss named '
                           f'{sorted(missing)}')
        weighted, logs = {}, {}
        for name, p in zip(self.loss_names, self.params):
            p2 = p * p
            weighted[name] = 0.5 / p2 * losses[name] + torch.log1p(p2)
            logs[f'uw_{name}'] = p.detach()
        return weighted, logs
