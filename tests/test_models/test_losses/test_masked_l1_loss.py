# Copyright (c) mmjotr contributors. All rights reserved.
import pytest
import torch

from mmjotr.models.losses import MaskedL1Loss


def test_masked_l1_counts_masked_elements_in_mean():
    loss = MaskedL1Loss(loss_weight=0.5)
    pred = torch.tensor([[1., 2.], [3., 4.]])
    target = torch.zeros(2, 2)
    mask = torch.tensor([[1.], [0.]])
    assert loss(pred, target, mask).item() == pytest.approx(0.5 * 3 / 4)
    with pytest.raises(ValueError, match='shape'):
        loss(pred, target[:1])
