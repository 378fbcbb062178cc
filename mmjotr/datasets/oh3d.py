# Copyright (c) mmjotr contributors. All rights reserved.
"""3DOH50K (3DOH) object-occlusion test set."""
from typing import List

import numpy as np

from mmjotr.registry import DATASETS
from .base_mesh_dataset import (BaseMeshDataset, as_array, field, load_json,
                                smpl_params)


@DATASETS.register_module()
class OH3DDataset(BaseMeshDataset):
    """3DOH test records, as evaluated by the JOTR release.

    File: ``3doh_test_annots_scale_1.json`` under ``data_root``
    (``data/3DOH``): ``{image path relative to images/: {pose 72, shape 10,
    trans 3, scale, bbox (xyxy), hrnet_results (17 COCO keypoints x, y,
    score)}}``. The ground-truth mesh is the *neutral* SMPL of these
    parameters (as in the release). The 2D pose input is the HRNet result
    with pelvis and neck derived; when it is all zero the test box falls
    back to the annotated box. No camera intrinsics are given.

    Args:
        score_thr (float): input keypoints count above this confidence.
        **kwargs: see :class:`BaseMeshDataset`.
    """
    METAINFO = dict(dataset_name='3doh')

    def __init__(self,
                 ann_file: str = '3doh_test_annots_scale_1.json',
                 data_prefix: dict = dict(img='images'),
                 score_thr: float = 0.05,
                 test_mode: bool = True,
                 **kwargs) -> None:
        self.score_thr = score_thr
        super().__init__(
            ann_file=ann_file,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        annots = load_json(self.ann_file, '3DOH annotation file')
        records = []
        for i, (path, ann) in enumerate(sorted(annots.items())):
            where = f'{self.ann_file} [{i}: {path}]'
            pose, betas, transl = smpl_params(ann, where)
            if not self.usable('SMPL parameters', pose, betas, transl):
                continue
            x1, y1, x2, y2 = as_array(
                field(ann, 'bbox', where), (4, ), 'bbox', where)
            bbox = self.tight_bbox((x1, y1, x2 - x1, y2 - y1), np.inf, np.inf)
            if bbox is None:
                continue
            records.append(
                self.make_record(
                    img_path=self.image_path(path),
                    img_id=i,
                    bbox=bbox,
                    smpl_pose=pose,
                    smpl_betas=betas,
                    smpl_transl=transl,
                    smpl_valid=True,
                    input_keypoints=as_array(
                        field(ann, 'hrnet_results', where), (17, 3),
                        'hrnet_results', where),
                    input_joint_set='coco_17',
                    input_score_thr=self.score_thr,
                    derive_joints=('Pelvis', 'Neck')))
        return records
