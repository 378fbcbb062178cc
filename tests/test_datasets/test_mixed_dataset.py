# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
from mmengine.dataset import BaseDataset, DefaultSampler
from torch.utils.data import DistributedSampler

from mmjotr.datasets import MixedMeshDataset


class ToyDataset(BaseDataset):
    METAINFO = dict(dataset_name='toy')

    def __init__(self, tag, num, **kwargs):
        self.tag, self.num = tag, num
        super().__init__(**kwargs)

    def load_data_list(self):
        return [dict(tag=self.tag, idx=i) for i in range(self.num)]


def make_mix():
    return MixedMeshDataset(
        datasets_3d=[ToyDataset('h36m', 5),
                     ToyDataset('muco', 3)],
        datasets_2d=[ToyDataset('crowdpose', 4),
                     ToyDataset('coco', 20)])


def test_mix_index_map():
    mix = make_mix()
    # 3D group has 8 samples, 2D group 24: length 2 * 24
    assert len(mix) == 48
    assert mix[0] == dict(tag='h36m', idx=0, sample_idx=0)
    assert mix[5]['tag'] == 'muco' and mix[5]['idx'] == 0
    # the 3D half wraps around its 8 samples
    assert mix[8]['tag'] == 'h36m' and mix[8]['idx'] == 0
    assert mix[23]['tag'] == 'muco' and mix[23]['idx'] == 2
    assert mix[24]['tag'] == 'crowdpose' and mix[24]['idx'] == 0
    assert mix[28]['tag'] == 'coco' and mix[28]['idx'] == 0
    assert mix[47]['tag'] == 'coco' and mix[47]['idx'] == 19
    with pytest.raises(IndexError):
        mix[48]


def test_mix_with_samplers():
    mix = make_mix()
    half = len(mix) // 2
    order = list(DefaultSampler(mix, shuffle=True, seed=42))
    assert order == list(DefaultSampler(mix, shuffle=True, seed=42))
    assert order != list(DefaultSampler(mix, shuffle=True, seed=43))
    # two ranks see disjoint halves of one permutation covering everything
    ranks = [
        list(DistributedSampler(mix, num_replicas=2, rank=r, seed=42))
        for r in range(2)
    ]
    assert sorted(ranks[0] + ranks[1]) == list(range(len(mix)))
    # batches are about half 3D: over many shuffles the mean share is 1/2
    shares = []
    for seed in range(200):
        idx = np.array(list(DefaultSampler(mix, shuffle=True, seed=seed)))
        shares.append((idx[:32] < half).mean())
    assert abs(np.mean(shares) - 0.5) < 0.02


def test_mix_lazy_init_defers_loading(monkeypatch):
    loads = []
    monkeypatch.setattr(
        ToyDataset, 'load_data_list',
        lambda self: loads.append(self.tag) or [dict(tag=self.tag, idx=0)])
    mix = MixedMeshDataset(
        datasets_3d=[dict(type=ToyDataset, tag='a', num=1)],
        datasets_2d=[dict(type=ToyDataset, tag='b', num=1)],
        lazy_init=True)
    assert loads == []
    assert len(mix) == 2 and sorted(loads) == ['a', 'b']


def test_mix_rejects_an_empty_group():
    with pytest.raises(ValueError, match='a group is empty'):
        MixedMeshDataset(
            datasets_3d=[ToyDataset('a', 1)],
            datasets_2d=[ToyDataset('b', 0, serialize_data=False)])
