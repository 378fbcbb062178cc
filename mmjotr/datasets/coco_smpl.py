# Copyright (c) mmjotr contributors. All rights reserved.
"""MSCOCO person keypoints with NeuralAnnot SMPL pseudo ground truth."""
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np

from mmjotr.registry import DATASETS
from .base_mesh_dataset import (BaseMeshDataset, as_array, field, image_entry,
                                load_coco, load_json, smpl_params)
from .bbox_utils import overlapping_people


@DATASETS.register_module()
class CocoSMPLDataset(BaseMeshDataset):
    """MSCOCO train2017 people with NeuralAnnot fits (a 2D dataset).

    Files: ``annotations/person_keypoints_train2017.json`` (COCO; 17
    keypoints x, y, v) and ``annotations/MSCOCO_train_SMPL_NeuralAnnot.json``
    (``{annotation id: {smpl_param: {pose, shape, trans}, cam_param:
    {focal, princpt}}}``). Crowd annotations and people without labelled
    keypoints are skipped (counted). Every person of an image is a sample;
    the people overlapping it (IoU >= 0.1) feed the swap error.

    Args:
        smpl_file (str): NeuralAnnot fits relative to ``data_root``.
        **kwargs: see :class:`BaseMeshDataset`.
    """
    METAINFO = dict(dataset_name='coco')
    joint_set = 'coco_17'
    num_keypoints = 17

    def __init__(self,
                 ann_file: str = 'annotations/person_keypoints_train2017.json',
                 smpl_file: str = 'annotations/'
                 'MSCOCO_train_SMPL_NeuralAnnot.json',
                 data_prefix: dict = dict(img='images/train2017'),
                 **kwargs) -> None:
        self.smpl_file = smpl_file
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    def image_size(self, img: dict, where: str) -> Tuple[float, float]:
        """(width, height) of an image entry (checked, see
        :func:`image_entry`)."""
        _, width, height = image_entry(img, where)
        return width, height

    def keep_annotation(self, ann: dict) -> bool:
        """False (and a counted skip) for people that are no samples."""
        if ann.get('iscrowd', 0):
            self.skip('crowd annotations')
            return False
        if ann.get('num_keypoints', 0) == 0:
            self.skip('people without keypoints')
            return False
        return True

    def select_fit(self, fit: dict, where: str) -> Optional[dict]:
        """The usable SMPL fields of a NeuralAnnot entry, or None."""
        param = field(fit, 'smpl_param', where)
        cam = field(fit, 'cam_param', where)
        pose, betas, transl = smpl_params(param, where)
        out = dict(
            smpl_pose=pose,
            smpl_betas=betas,
            smpl_transl=transl,
            cam_focal=as_array(
                field(cam, 'focal', where), (2, ), 'focal', where),
            cam_princpt=as_array(
                field(cam, 'princpt', where), (2, ), 'princpt', where))
        if not self.usable(
                'SMPL fits', *out.values(), note=' (kept without fit)'):
            return None
        return out

    def load_data_list(self) -> List[dict]:
        db = load_coco(self.ann_file, f'{type(self).__name__} annotations')
        fits = load_json(
            osp.join(self.data_root, self.smpl_file), 'NeuralAnnot fits')
        records = []
        for img_id, img in db.imgs.items():
            people = []
            img_where = f'{self.ann_file} [image {img_id}]'
            file_name, _, _ = image_entry(img, img_where)
            width, height = self.image_size(img, img_where)
            for ann in db.loadAnns(db.getAnnIds(imgIds=[img_id])):
                where = f'{self.ann_file} [annotation {ann.get("id")}]'
                if not self.keep_annotation(ann):
                    continue
                kpts = as_array(
                    field(ann, 'keypoints', where), (self.num_keypoints, 3),
                    'keypoints', where)
                if not self.usable('keypoints', kpts):
                    continue
                bbox = self.tight_bbox(
                    field(ann, 'bbox', where), width, height, where)
                if bbox is None:
                    continue
                ann_id = field(ann, 'id', where)
                fit = fits.get(str(ann_id))
                smpl = None if fit is None else self.select_fit(
                    fit, f'{self.smpl_file} [{ann_id}]')
                if smpl is None:
                    smpl = dict(smpl_valid=False)
                else:
                    smpl['smpl_valid'] = True
                visible = (kpts[:, 2] > 0).astype(np.float32)
                people.append(
                    self.make_record(
                        img_path=self.image_path(file_name),
                        img_id=img_id,
                        ori_shape=(int(height), int(width)),
                        bbox=bbox,
                        joint_set=self.joint_set,
                        keypoints=kpts[:, :2].copy(),
                        keypoints_visible=visible,
                        derive_joints=('Pelvis', ),
                        **smpl))
            if not people:
                continue
            boxes = np.stack([p['bbox'] for p in people])
            for i, person in enumerate(people):
                near = [
                    np.concatenate([
                        people[k]['keypoints'],
                        people[k]['keypoints_visible'][:, None]
                    ], 1) for k in overlapping_people(i, boxes)
                ]
                person['near_keypoints'] = np.stack(near) if near else None
            records.extend(people)
        return records
