# Copyright (c) mmjotr contributors. All rights reserved.
import pytest
import torch

from mmjotr.models.layers import CascadeLinear


def test_cascade_linear_hand_computed():
    torch.manual_seed(2)
    head = CascadeLinear(4, 2, 3)
    hidden = [torch.randn(5, 4) for _ in range(3)]
    out0 = head.layers[0](hidden[0])
    out1 = out0 + head.layers[1](torch.cat((hidden[1], out0), -1))
    out2 = out1 + head.layers[2](torch.cat((hidden[2], out1), -1))
    torch.testing.assert_close(head(hidden), out2)
    assert head.layers[1].in_features == 6
    with pytest.raises(ValueError, match='expects 3 hidden states'):
        head(hidden[:2])
