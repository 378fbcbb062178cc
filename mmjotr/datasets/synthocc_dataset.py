# Copyright (c) mmjotr contributors. All rights reserved.
"""SynthOcc, the project's procedural occluded-human benchmark."""
from typing import List

import numpy as np

from mmjotr.body_models import joint_indices
from mmjotr.registry import DATASETS
from .base_mesh_dataset import (BaseMeshDataset, as_array, field, load_coco,
                                smpl_params)


@DATASETS.register_module()
class SynthOccDataset(BaseMeshDataset):
    """One SynthOcc split (written by ``tools/dataset_converters/
    make_synthocc.py``; see :mod:`mmjotr.datasets.synthocc.generator`).

    File ``annotations/synthocc_<split>.json`` under ``data_root``, COCO
    format: images carry ``cam_param`` (``focal``, ``princpt``) and the
    ``scene`` kind; annotations carry ``bbox`` (xywh, the whole body
    clipped to the image), ``joints_img`` (30 x 3: JOTR-30 x, y and COCO
    visibility 0 outside / 1 hidden / 2 visible), ``joints_cam`` (30 x 3,
    metres), ``smpl_param`` (``pose``, ``shape``, ``trans``, ``gender``)
    and ``is_target``. Each frame's target person is one sample (3D, with
    exact SMPL ground truth; dataset joints in ``coco_19``, see
    ``joint_set``); the other people of the frame feed the swap error of
    the synthetic 2D noise. Targets also carry
    ``input_keypoints`` (17 x 3 COCO x, y, score), the fixed noisy
    detection that the test splits use as 2D pose input.

    Args:
        split (str): ``train``, ``test_clean``, ``test_object_occluded`` or
            ``test_person_occluded``; sets the default ``ann_file``.
        use_input_keypoints (bool): attach the stored detections as the
            2D pose input (defaults to ``test_mode``).
        score_thr (float): detections count above this score.
        **kwargs: see :class:`BaseMeshDataset`.
    """
    METAINFO = dict(dataset_name='synthocc')
    #: The dataset joints: the joints a 2D detector reports (COCO-17) and
    #: the true pelvis and neck, so that the training input (these joints
    #: with synthetic errors) matches the test input (COCO-17 detections,
    #: pelvis and neck derived). The body model's SMPL targets supervise
    #: all 30 joints.
    joint_set = 'coco_19'
    _from_jotr30 = joint_indices('jotr_30', 'coco_19')

    def __init__(self,
                 split: str = 'train',
                 ann_file: str = '',
                 data_prefix: dict = dict(img='images'),
                 use_input_keypoints: bool = None,
                 score_thr: float = 0.05,
                 test_mode: bool = False,
                 **kwargs) -> None:
        self.split = split
        self.use_input_keypoints = (
            test_mode if use_input_keypoints is None else use_input_keypoints)
        self.score_thr = score_thr
        super().__init__(
            ann_file=ann_file or f'annotations/synthocc_{split}.json',
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        db = load_coco(self.ann_file, f'SynthOcc {self.split} annotations')
        records = []
        for img_id in sorted(db.imgs):
            img = db.imgs[img_id]
            where = f'{self.ann_file} [image {img_id}]'
            cam = field(img, 'cam_param', where)
            anns = db.loadAnns(db.getAnnIds(imgIds=[img_id]))
            joints = {
                ann['id']:
                as_array(
                    field(ann, 'joints_img', where), (30, 3), 'joints_img',
                    f'{self.ann_file} [annotation {ann["id"]}]')
                for ann in anns
            }
            for ann in anns:
                if not ann.get('is_target', False):
                    continue
                where = f'{self.ann_file} [annotation {ann["id"]}]'
                bbox = self.tight_bbox(
                    field(ann, 'bbox', where), img['width'], img['height'])
                if bbox is None:
                    continue
                pose, betas, transl = smpl_params(
                    field(ann, 'smpl_param', where), where)
                kpts = joints[ann['id']][self._from_jotr30]  # (19, 3)
                near = [
                    np.concatenate([j[:, :2], (j[:, 2:] > 0)],
                                   1)[self._from_jotr30]
                    for k, j in joints.items() if k != ann['id']
                ]
                inputs = {}
                if self.use_input_keypoints:
                    inputs = dict(
                        input_keypoints=as_array(
                            field(ann, 'input_keypoints', where), (17, 3),
                            'input_keypoints', where),
                        input_joint_set='coco_17',
                        input_score_thr=self.score_thr,
                        derive_joints=('Pelvis', 'Neck'))
                records.append(
                    self.make_record(
                        img_path=self.image_path(img['file_name']),
                        img_id=img_id,
                        ori_shape=(img['height'], img['width']),
                        bbox=bbox,
                        joint_set=self.joint_set,
                        keypoints=kpts[:, :2].copy(),
                        keypoints_visible=(kpts[:, 2] > 0).astype(np.float32),
                        joints_cam=as_array(
                            field(ann, 'joints_cam', where), (30, 3),
                            'joints_cam', where)[self._from_jotr30],
                        is_3d=True,
                        cam_focal=as_array(
                            field(cam, 'focal', where), (2, ), 'focal', where),
                        cam_princpt=as_array(
                            field(cam, 'princpt', where), (2, ), 'princpt',
                            where),
                        smpl_pose=pose,
                        smpl_betas=betas,
                        smpl_transl=transl,
                        smpl_valid=True,
                        near_keypoints=np.stack(near).astype(np.float32)
                        if near else None,
                        sequence=img.get('scene', ''),
                        **inputs))
        return records
