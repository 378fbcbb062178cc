# Copyright (c) mmjotr contributors. All rights reserved.
"""CrowdPose with NeuralAnnot SMPL pseudo ground truth."""
from typing import Optional, Tuple

from mmjotr.registry import DATASETS
from .base_mesh_dataset import field, image_entry, number
from .coco_smpl import CocoSMPLDataset


@DATASETS.register_module()
class CrowdPoseSMPLDataset(CocoSMPLDataset):
    """CrowdPose people with NeuralAnnot fits (a 2D dataset).

    Files: ``annotations/crowdpose_train.json`` (COCO format, 14 keypoints)
    and ``annotations/CrowdPose_train_SMPL_NeuralAnnot.json`` (as for
    COCO, plus a per-person ``fit_err``). People whose keypoints are all
    zero are skipped (counted).

    Quirks of the files and of the reference release, handled here:

    - the train file stores each image's width and height swapped;
      ``swap_wh=True`` (default for train) reads them back the right way.
    - the release *rejects* fits with ``fit_err < fit_threshold`` (5.0),
      keeping only the worse ones; ``fit_filter='release'`` (default)
      reproduces that, ``'fixed'`` keeps the fits with
      ``fit_err <= fit_threshold`` instead.
    - the release's CrowdPose flip pairs are malformed; mmjotr maps the
      keypoints to JOTR-30 before flipping, so the correct pairs apply.

    Args:
        swap_wh (bool): read ``height`` as the width and vice versa.
        fit_filter (str): ``'release'`` or ``'fixed'``.
        fit_threshold (float): the ``fit_err`` threshold.
        **kwargs: see :class:`CocoSMPLDataset`.
    """
    METAINFO = dict(dataset_name='crowdpose')
    joint_set = 'crowdpose_14'
    num_keypoints = 14

    def __init__(self,
                 ann_file: str = 'annotations/crowdpose_train.json',
                 smpl_file: str = 'annotations/'
                 'CrowdPose_train_SMPL_NeuralAnnot.json',
                 data_prefix: dict = dict(img='images'),
                 swap_wh: bool = True,
                 fit_filter: str = 'release',
                 fit_threshold: float = 5.0,
                 **kwargs) -> None:
        if fit_filter not in ('release', 'fixed'):
            raise ValueError(f'fit_filter must be "release" or "fixed", '
                             f'got {fit_filter!r}')
        self.swap_wh = swap_wh
        self.fit_filter = fit_filter
        self.fit_threshold = fit_threshold
        super().__init__(
            ann_file=ann_file,
            smpl_file=smpl_file,
            data_prefix=data_prefix,
            **kwargs)

    def image_size(self, img: dict, where: str) -> Tuple[float, float]:
        _, width, height = image_entry(img, where)
        if self.swap_wh:
            return height, width
        return width, height

    def keep_annotation(self, ann: dict) -> bool:
        keypoints = ann.get('keypoints', [])
        if isinstance(keypoints, list) and not any(keypoints):
            self.skip('people without keypoints')
            return False
        return True

    def select_fit(self, fit: dict, where: str) -> Optional[dict]:
        err = number(field(fit, 'fit_err', where), 'fit_err', where)
        rejected = (
            err < self.fit_threshold
            if self.fit_filter == 'release' else err > self.fit_threshold)
        if rejected:
            self.skip(f'fits rejected by the {self.fit_filter} fit filter '
                      '(kept without fit)')
            return None
        return super().select_fit(fit, where)
