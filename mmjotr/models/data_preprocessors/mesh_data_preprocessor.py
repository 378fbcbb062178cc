# Copyright (c) mmjotr contributors. All rights reserved.
from typing import Any, List, Optional, Sequence, Union

import torch
from mmengine.model import ImgDataPreprocessor
from mmengine.structures import BaseDataElement, InstanceData
from torch import Tensor

from mmjotr.registry import MODELS


@MODELS.register_module()
class MeshDataPreprocessor(ImgDataPreprocessor):
    """Batch the crops: BGR uint8 -> RGB float ``pixel / 255``.

    mmengine's ``ImgDataPreprocessor`` with the reference release's input
    convention as defaults (no mean/std normalisation), plus a check that
    every crop has the configured size. Data samples move to the device
    unchanged; the model reads its targets from them.

    Moving a batch to an accelerator: mmengine copies every crop and every
    tensor of every data sample on its own (at batch 32 with 13
    ``gt_instances`` fields, ~450 small blocking copies per iteration).
    Here the crops are stacked and each ``gt_instances`` field is
    concatenated over the batch on the CPU, copied once (from pinned
    memory, non-blocking, on CUDA) and handed back to the samples as views;
    the values are the same as mmengine's per-sample copies.

    Args:
        mean (Sequence[float]): subtracted per channel. Defaults to 0.
        std (Sequence[float]): divisor per channel. Defaults to 255.
        bgr_to_rgb (bool): flip channel order. Defaults to True.
        input_size (tuple[int], optional): expected (H, W) of the crops.
            Defaults to (256, 256); None disables the check.
        batched_transfer (bool, optional): move the batch with one copy
            per field (see above); None (default) does so on any device
            but the CPU.
        **kwargs: other ``ImgDataPreprocessor`` arguments.
    """

    def __init__(self,
                 mean: Sequence[Union[float, int]] = (0., 0., 0.),
                 std: Sequence[Union[float, int]] = (255., 255., 255.),
                 bgr_to_rgb: bool = True,
                 input_size: Optional[Sequence[int]] = (256, 256),
                 batched_transfer: Optional[bool] = None,
                 **kwargs) -> None:
        super().__init__(mean=mean, std=std, bgr_to_rgb=bgr_to_rgb, **kwargs)
        self.input_size = None if input_size is None else tuple(input_size)
        self.batched_transfer = batched_transfer

    def _copy(self, tensor: Tensor) -> Tensor:
        """One host-to-device copy (pinned and non-blocking on CUDA)."""
        if self.device.type == 'cuda' and tensor.device.type == 'cpu':
            return tensor.pin_memory().to(self.device, non_blocking=True)
        return tensor.to(self.device, non_blocking=self._non_blocking)

    def _move_batched(self, tensors: List[Tensor]) -> List[Tensor]:
        """Move tensors sharing their trailing shape and dtype with one
        copy; views of it in the same order."""
        batch = self._copy(torch.cat(tensors))
        return list(batch.split([len(t) for t in tensors]))

    def cast_data(self, data: Any) -> Any:
        """``BaseDataPreprocessor.cast_data`` with one copy per field for
        a collated batch (``inputs`` + ``data_samples``)."""
        batched = self.batched_transfer
        if batched is None:
            batched = self.device.type != 'cpu'
        if not (batched and isinstance(data, dict) and data.get('inputs')
                and all(isinstance(t, Tensor) for t in data['inputs'])):
            return super().cast_data(data)
        inputs = list(data['inputs'])
        if len({(t.shape, t.dtype) for t in inputs}) == 1:
            inputs = [
                t[0] for t in self._move_batched([t[None] for t in inputs])
            ]
        else:  # differently sized crops: the size check names them
            inputs = [self._copy(t) for t in inputs]
        out = dict(data, inputs=inputs)
        samples = data.get('data_samples')
        if samples:
            out['data_samples'] = self._cast_samples(list(samples))
        return {
            k: v if k in ('inputs', 'data_samples') else super().cast_data(v)
            for k, v in out.items()
        }

    def _cast_samples(self,
                      samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Move the samples; their ``gt_instances`` tensors field by field
        over the batch."""
        instances = [getattr(s, 'gt_instances', None) for s in samples]
        moved = {}
        if all(isinstance(i, InstanceData) for i in instances):
            for key in instances[0].keys():
                values = [i.get(key) for i in instances]
                if all(isinstance(v, Tensor)
                       for v in values) and len({(v.shape[1:], v.dtype)
                                                 for v in values}) == 1:
                    moved[key] = self._move_batched(values)
        return [
            self._sample_to_device(sample, {
                k: v[i]
                for k, v in moved.items()
            }) for i, sample in enumerate(samples)
        ]

    def _sample_to_device(self, sample: BaseDataElement,
                          gt_moved: dict) -> BaseDataElement:
        """A new sample on the device sharing the metainfo: the moved
        ``gt_instances`` views, every other tensor copied on its own
        (``BaseDataElement.to`` would deep-copy everything first)."""
        new = type(sample)(metainfo=sample.metainfo)
        for key in sample.keys():
            value = getattr(sample, key)
            if key == 'gt_instances' and gt_moved:
                gt = InstanceData(metainfo=value.metainfo)
                for field in value.keys():
                    item = gt_moved.get(field, value.get(field))
                    setattr(
                        gt, field,
                        item.to(self.device) if hasattr(item, 'to') else item)
                value = gt
            elif hasattr(value, 'to'):
                value = value.to(self.device)
            setattr(new, key, value)
        return new

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalise and stack the inputs (see ``ImgDataPreprocessor``).

        Raises:
            ValueError: a crop does not have the configured size.
        """
        if self.input_size is not None:
            for i, img in enumerate(data['inputs']):
                if tuple(img.shape[-2:]) != self.input_size:
                    raise ValueError(
                        f'MeshDataPreprocessor: input {i} has size '
                        f'{tuple(img.shape[-2:])}, expected '
                        f'{self.input_size}')
        return super().forward(data, training)
