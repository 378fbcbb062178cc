# Copyright (c) mmjotr contributors. All rights reserved.
import itertools

import numpy as np
import pytest
import torch

from mmjotr.models.losses import nonjoint_voxel_mask, sample_joint_to_joint


def test_joint_to_joint_sampling_rules():
    num, joints = 4, 5
    valid = torch.rand(num, joints) > 0.4
    valid[:, 0] = False
    valid[0, 1], valid[1:, 1] = True, False  # joint 1: one valid GT only
    idx = sample_joint_to_joint(valid, 50, 6, 30)
    types = torch.arange(joints).repeat(num)
    atype = types[idx.anchor]
    assert (atype != 0).all() and len(idx.anchor) <= 50
    assert (types[idx.positive] == atype[:, None]).all()
    assert valid.flatten()[idx.positive].all()
    assert (types[idx.negative] != atype[:, None]).all()
    # joint 1 has a single valid GT (flat index 1): drawn with replacement
    assert (idx.positive[atype == 1] == 1).all()
    # 16 other-type pairs >= 8 negatives: drawn without replacement
    idx = sample_joint_to_joint(valid, 20, 2, 8)
    assert all(len(set(r.tolist())) == 8 for r in idx.negative)
    # 20 pairs >= 20 anchors: distinct anchors
    idx = sample_joint_to_joint(torch.ones(4, 5, dtype=bool), 20, 1, 1)
    assert sorted(idx.anchor.tolist()) == list(range(20))
    assert sample_joint_to_joint(torch.zeros(2, 3, dtype=bool), 5, 2,
                                 2) is None


@pytest.mark.parametrize('quirks', [True, False])
def test_nonjoint_mask_against_numpy(quirks):
    points = torch.tensor([[[-0.6, 0.1, 0.95], [1.0, -1.0, 0.2]],
                           [[0.0, 0.0, 0.0], [-0.2, 0.33, -0.9]]])
    size = (8, 8, 8)
    mask = nonjoint_voxel_mask(points, size, quirks).numpy()
    expected = np.ones((2, 8, 8, 8), bool)
    for b, k in itertools.product(range(2), range(2)):
        p = points[b, k].double().numpy()
        coord = (p + 1) * 4 if quirks else (p + 1) * 3.5
        low = np.clip(np.floor(coord), 0, 7).astype(int)
        high = np.clip(np.ceil(coord), 0, 7).astype(int)
        for cx, cy, cz in itertools.product(*zip(low, high)):
            if quirks:  # (D, H, W) mask indexed [x, y, z]
                expected[b, cx, cy, cz] = False
            else:
                expected[b, cz, cy, cx] = False
    np.testing.assert_array_equal(mask, expected)
    assert (~mask).sum() < 2 * 2 * 8
