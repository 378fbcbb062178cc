# Copyright (c) mmjotr contributors. All rights reserved.
"""3DPW test sets: 3DPW, 3DPW-OC, 3DPW-PC and 3DPW-Crowd."""
import os.path as osp
from typing import List, Optional, Sequence

from mmjotr.registry import DATASETS
from .base_mesh_dataset import (AnnotationError, BaseMeshDataset, as_array,
                                field, image_entry, load_coco, load_json,
                                smpl_params, text)

CROWD_SEQUENCES = ('courtyard_hug_00', 'courtyard_dancing_00')


@DATASETS.register_module()
class PW3DDataset(BaseMeshDataset):
    """3DPW evaluation records (one per annotated person and frame).

    Files under ``data_root`` (``data/PW3D/data`` in the reference layout):
    ``3DPW_latest_test.json`` (3DPW), ``3DPW_oc.json`` (3DPW-OC),
    ``3DPW_pc.json`` (3DPW-PC), ``3DPW_latest_validation.json`` with the
    sequences of ``CROWD_SEQUENCES`` (3DPW-Crowd). COCO format: images carry
    ``sequence``, ``file_name``, ``width``, ``height`` and ``cam_param``
    (``focal``, ``princpt``); annotations carry ``bbox`` (xywh),
    ``smpl_param`` (``pose``, ``shape``, ``trans``, ``gender``) and
    ``openpose_result`` (18 OpenPose joints x, y, confidence). Images are
    ``imageFiles/<sequence>/<file_name>``.

    2D pose input: OpenPose (``input_source='openpose'``) with a pelvis
    derived from the hips, or, for 3DPW-Crowd, the HigherHRNet results of
    ``3DPW_validation_crowd_hhrnet_result.json`` (``{annotation id:
    {coco_joints: 17 x 3}}``, pelvis and neck derived; people missing from
    it fall back to OpenPose) with ``input_source='hhrnet'``. The release
    meant HigherHRNet for 3DPW-Crowd but fed OpenPose (a global-flag bug);
    its configuration (OpenPose) is the default of the 3DPW-Crowd config.

    Args:
        sequences (Sequence[str], optional): keep only these sequences
            (3DPW-Crowd: ``CROWD_SEQUENCES``).
        exclude_sequences (Sequence[str]): drop these sequences (a held-out
            validation split without the 3DPW-Crowd ones).
        input_source (str): ``'openpose'`` or ``'hhrnet'``.
        hhrnet_file (str): HigherHRNet results relative to ``data_root``.
        score_thr (float): input keypoints count above this confidence.
        **kwargs: see :class:`BaseMeshDataset`.
    """
    METAINFO = dict(dataset_name='3dpw')

    def __init__(self,
                 ann_file: str = '3DPW_latest_test.json',
                 data_prefix: dict = dict(img='imageFiles'),
                 sequences: Optional[Sequence[str]] = None,
                 exclude_sequences: Sequence[str] = (),
                 input_source: str = 'openpose',
                 hhrnet_file: str = '3DPW_validation_crowd_hhrnet_result.json',
                 score_thr: float = 0.05,
                 test_mode: bool = True,
                 **kwargs) -> None:
        if input_source not in ('openpose', 'hhrnet'):
            raise ValueError('input_source must be "openpose" or "hhrnet", '
                             f'got {input_source!r}')
        self.sequences = None if sequences is None else tuple(sequences)
        self.exclude_sequences = tuple(exclude_sequences)
        self.input_source = input_source
        self.hhrnet_file = hhrnet_file
        self.score_thr = score_thr
        super().__init__(
            ann_file=ann_file,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        db = load_coco(self.ann_file, '3DPW annotation file')
        hhrnet = None
        if self.input_source == 'hhrnet':
            hhrnet = load_json(
                osp.join(self.data_root, self.hhrnet_file),
                'HigherHRNet results for 3DPW-Crowd')
        records = []
        for aid in sorted(db.anns):
            ann = db.anns[aid]
            where = f'{self.ann_file} [annotation {aid}]'
            img = db.imgs.get(field(ann, 'image_id', where))
            if img is None:
                raise AnnotationError(f'{where}: image_id {ann["image_id"]} '
                                      'has no image entry')
            sequence = text(field(img, 'sequence', where), 'sequence', where)
            if self.sequences is not None and not any(s in sequence
                                                      for s in self.sequences):
                continue
            if any(s in sequence for s in self.exclude_sequences):
                continue
            file_name, width, height = image_entry(img, where)
            bbox = self.tight_bbox(
                field(ann, 'bbox', where), width, height, where)
            if bbox is None:
                continue
            param = field(ann, 'smpl_param', where)
            pose, betas, transl = smpl_params(param, where)
            if not self.usable('SMPL parameters', pose, betas, transl):
                continue
            cam = field(img, 'cam_param', where)
            inputs = dict(
                input_keypoints=as_array(
                    field(ann, 'openpose_result', where), (18, 3),
                    'openpose_result', where),
                input_joint_set='openpose_18',
                derive_joints=('Pelvis', ))
            if hhrnet is not None:
                if str(aid) in hhrnet:
                    inputs = dict(
                        input_keypoints=as_array(
                            field(hhrnet[str(aid)], 'coco_joints', where),
                            (17, 3), 'coco_joints', where),
                        input_joint_set='coco_17',
                        derive_joints=('Pelvis', 'Neck'))
                else:
                    self.skip('people without HigherHRNet input '
                              '(kept with OpenPose input)')
            records.append(
                self.make_record(
                    img_path=self.image_path(osp.join(sequence, file_name)),
                    img_id=img['id'],
                    ori_shape=(int(height), int(width)),
                    bbox=bbox,
                    cam_focal=as_array(
                        field(cam, 'focal', where), (2, ), 'focal', where),
                    cam_princpt=as_array(
                        field(cam, 'princpt', where), (2, ), 'princpt', where),
                    smpl_pose=pose,
                    smpl_betas=betas,
                    smpl_transl=transl,
                    smpl_gender=_gender(param.get('gender', 'neutral'), where),
                    smpl_valid=True,
                    input_score_thr=self.score_thr,
                    sequence=sequence,
                    **inputs))
        return records


def _gender(value: str, where: str) -> str:
    gender = {
        'm': 'male',
        'f': 'female'
    }.get(text(value, 'gender', where), value)
    if gender not in ('male', 'female', 'neutral'):
        raise AnnotationError(f'{where}: unknown gender {value!r}')
    return gender
