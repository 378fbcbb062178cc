# Copyright (c) mmjotr contributors. All rights reserved.
"""The 3D/2D training mix of JOTR (and 3DCrowdNet)."""
from typing import List, Sequence, Tuple, Union

from mmengine.dataset import BaseDataset, ConcatDataset

from mmjotr.registry import DATASETS


def _build_group(cfgs: Sequence[Union[dict, BaseDataset]],
                 lazy_init: bool) -> ConcatDataset:
    datasets = []
    for cfg in cfgs:
        if isinstance(cfg, dict):
            cfg = dict(cfg, lazy_init=lazy_init)
            cfg = DATASETS.build(cfg)
        datasets.append(cfg)
    if not datasets:
        raise ValueError('a MixedMeshDataset group needs at least one dataset')
    return ConcatDataset(
        datasets, lazy_init=lazy_init, ignore_keys=['dataset_name'])


@DATASETS.register_module()
class MixedMeshDataset:
    """Two groups of datasets, half of the indices each.

    The 3D group (e.g. Human3.6M + MuCo) and the 2D group (e.g. CrowdPose +
    MSCOCO) are concatenations. The mix has length ``2 * max(len3D,
    len2D)``: index ``i < max`` reads the 3D group at ``i % len3D``, index
    ``i >= max`` the 2D group at ``(i - max) % len2D``. A shuffling sampler
    (mmengine's ``DefaultSampler``, or ``DistributedSampler``) therefore
    draws each group with probability 1/2, and every rank sees the same
    deterministic index map, so the mix is reproducible per seed and
    partitions correctly across ranks.

    Args:
        datasets_3d (Sequence[dict]): configs (or datasets) of the 3D group.
        datasets_2d (Sequence[dict]): configs (or datasets) of the 2D group.
        lazy_init (bool): defer loading the annotations.
    """

    def __init__(self,
                 datasets_3d: Sequence[Union[dict, BaseDataset]],
                 datasets_2d: Sequence[Union[dict, BaseDataset]],
                 lazy_init: bool = False) -> None:
        self.group_3d = _build_group(datasets_3d, lazy_init)
        self.group_2d = _build_group(datasets_2d, lazy_init)
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return dict(dataset_name='mixed')

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        self.group_3d.full_init()
        self.group_2d.full_init()
        if len(self.group_3d) == 0 or len(self.group_2d) == 0:
            raise ValueError(
                'MixedMeshDataset: a group is empty (3D: '
                f'{len(self.group_3d)}, 2D: {len(self.group_2d)} samples)')
        self._half = max(len(self.group_3d), len(self.group_2d))
        self._fully_initialized = True

    def __len__(self) -> int:
        self.full_init()
        return 2 * self._half

    def locate(self, idx: int) -> Tuple[str, int]:
        """(group, index in the group) of a mix index."""
        self.full_init()
        if not 0 <= idx < len(self):
            raise IndexError(f'index {idx} out of range for a mix of '
                             f'{len(self)}')
        if idx < self._half:
            return '3d', idx % len(self.group_3d)
        return '2d', (idx - self._half) % len(self.group_2d)

    def __getitem__(self, idx: int) -> dict:
        group, sub = self.locate(idx)
        dataset = self.group_3d if group == '3d' else self.group_2d
        return dataset[sub]

    def get_data_info(self, idx: int) -> dict:
        group, sub = self.locate(idx)
        dataset = self.group_3d if group == '3d' else self.group_2d
        return dataset.get_data_info(sub)

    @property
    def datasets(self) -> List[BaseDataset]:
        return list(self.group_3d.datasets) + list(self.group_2d.datasets)
