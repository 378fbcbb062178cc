# Copyright (c) mmjotr contributors. All rights reserved.
from typing import Optional, Sequence, Union

from mmengine.model import ImgDataPreprocessor

from mmjotr.registry import MODELS


@MODELS.register_module()
class MeshDataPreprocessor(ImgDataPreprocessor):
    """Batch the crops: BGR uint8 -> RGB float ``pixel / 255``.

    mmengine's ``ImgDataPreprocessor`` with the reference release's input
    convention as defaults (no mean/std normalisation), plus a check that
    every crop has the configured size. Data samples move to the device
    unchanged; the model reads its targets from them.

    Args:
        mean (Sequence[float]): subtracted per channel. Defaults to 0.
        std (Sequence[float]): divisor per channel. Defaults to 255.
        bgr_to_rgb (bool): flip channel order. Defaults to True.
        input_size (tuple[int], optional): expected (H, W) of the crops.
            Defaults to (256, 256); None disables the check.
        **kwargs: other ``ImgDataPreprocessor`` arguments.
    """

    def __init__(self,
                 mean: Sequence[Union[float, int]] = (0., 0., 0.),
                 std: Sequence[Union[float, int]] = (255., 255., 255.),
                 bgr_to_rgb: bool = True,
                 input_size: Optional[Sequence[int]] = (256, 256),
                 **kwargs) -> None:
        super().__init__(mean=mean, std=std, bgr_to_rgb=bgr_to_rgb, **kwargs)
        self.input_size = None if input_size is None else tuple(input_size)

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
