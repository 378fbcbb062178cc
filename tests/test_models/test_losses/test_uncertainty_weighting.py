# Copyright (c) mmjotr contributors. All rights reserved.
import math

import pytest
import torch

from mmjotr.models.losses import UncertaintyWeighting


def test_uncertainty_formula_and_gradients():
    uw = UncertaintyWeighting(['a', 'b'])
    with torch.no_grad():
        uw.params.copy_(torch.tensor([1.0, 2.0]))
    weighted, logs = uw(dict(a=torch.tensor(4.), b=torch.tensor(8.)))
    assert weighted['a'].item() == pytest.approx(0.5 * 4 + math.log(2))
    assert weighted['b'].item() == pytest.approx(0.5 / 4 * 8 + math.log(5))
    assert logs == dict(uw_a=torch.tensor(1.), uw_b=torch.tensor(2.))
    weighted['b'].backward()
    # d/dp (0.5 L / p^2 + log(1 + p^2)) = -L / p^3 + 2p / (1 + p^2)
    assert uw.params.grad[1].item() == pytest.approx(-8 / 8 + 4 / 5)
    assert uw.params.grad[0].item() == 0
    with pytest.raises(KeyError, match='no loss named'):
        uw(dict(a=torch.tensor(1.)))
