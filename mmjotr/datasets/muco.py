# Copyright (c) mmjotr contributors. All rights reserved.
"""MuCo-3DHP in the I2L-MeshNet / 3DCrowdNet preprocessed layout."""
import os.path as osp
from typing import List

import numpy as np

from mmjotr.registry import DATASETS
from .base_mesh_dataset import (BaseMeshDataset, as_array, field, image_entry,
                                load_coco, load_json)
from .bbox_utils import overlapping_people

MUCO_ROOT_INDEX = 14  # 'Pelvis' in the 21 MuCo joints


@DATASETS.register_module()
class MuCoDataset(BaseMeshDataset):
    """MuCo-3DHP composited training images with SMPLify-X fits.

    Files under ``data_root``: ``MuCo-3DHP.json`` (COCO dict; images carry
    ``f`` and ``c`` of their camera, annotations carry ``keypoints_cam``
    (21 x 3, mm), ``keypoints_img`` (21 x 2, px) and ``bbox`` (xywh)) and
    ``smpl_param.json`` (``{annotation id: {pose, shape, trans (m, camera
    frame)}}``). Only the person closest to the camera (smallest pelvis
    depth) of each image is a sample; the others that overlap it
    (IoU >= 0.1) are kept as ``near_keypoints`` for the swap error.

    Args:
        smpl_file (str): fits, relative to ``data_root``.
        fit_threshold (float): fit validity threshold in mm.
        **kwargs: see :class:`BaseMeshDataset`.
    """
    METAINFO = dict(dataset_name='muco')

    def __init__(self,
                 ann_file: str = 'MuCo-3DHP.json',
                 smpl_file: str = 'smpl_param.json',
                 fit_threshold: float = 25.0,
                 **kwargs) -> None:
        self.smpl_file = smpl_file
        self.fit_threshold = fit_threshold
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        db = load_coco(self.ann_file, 'MuCo-3DHP annotation file')
        fits = load_json(
            osp.join(self.data_root, self.smpl_file), 'MuCo SMPL fits')
        records = []
        for img_id, img in db.imgs.items():
            where = f'{self.ann_file} [image {img_id}]'
            ann_ids = db.getAnnIds(imgIds=[img_id])
            if not ann_ids:
                continue
            file_name, width, height = image_entry(img, where)
            anns = db.loadAnns(ann_ids)
            cams = [
                as_array(
                    field(a, 'keypoints_cam', where), (21, 3), 'keypoints_cam',
                    f'{where} annotation {a["id"]}') for a in anns
            ]
            uvs = [
                as_array(
                    field(a, 'keypoints_img', where), (21, 2), 'keypoints_img',
                    f'{where} annotation {a["id"]}') for a in anns
            ]
            boxes = np.stack([
                as_array(field(a, 'bbox', where), (4, ), 'bbox', where)
                for a in anns
            ])
            boxes[:, 2:] += boxes[:, :2]  # (M, 4) xyxy
            pid = int(np.argmin([c[MUCO_ROOT_INDEX, 2] for c in cams]))
            ann = anns[pid]
            if not self.usable('joints', cams[pid], uvs[pid]):
                continue
            bbox = self.tight_bbox(ann['bbox'], width, height, where)
            if bbox is None:
                continue
            near = [
                np.concatenate([uvs[k], np.ones((21, 1), np.float32)], 1)
                for k in overlapping_people(pid, boxes)
            ]
            smpl = self.smpl_fit_fields(
                fits.get(str(ann['id'])),
                f'{self.smpl_file} [{ann["id"]}]',
                smpl_fit_thr=self.fit_threshold)
            records.append(
                self.make_record(
                    img_path=self.image_path(file_name),
                    img_id=img_id,
                    ori_shape=(int(height), int(width)),
                    bbox=bbox,
                    joint_set='muco_21',
                    keypoints=uvs[pid],
                    keypoints_visible=np.ones(21, np.float32),
                    joints_cam=cams[pid] / 1000.,
                    cam_focal=as_array(
                        field(img, 'f', where), (2, ), 'f', where),
                    cam_princpt=as_array(
                        field(img, 'c', where), (2, ), 'c', where),
                    near_keypoints=np.stack(near) if near else None,
                    is_3d=True,
                    **smpl))
        return records
