# Copyright (c) mmjotr contributors. All rights reserved.
"""Human3.6M in the I2L-MeshNet / 3DCrowdNet preprocessed layout."""
import os.path as osp
from typing import List, Sequence

import numpy as np

from mmjotr.registry import DATASETS
from .base_mesh_dataset import (AnnotationError, BaseMeshDataset, as_array,
                                field, image_entry, load_json)


@DATASETS.register_module()
class Human36MDataset(BaseMeshDataset):
    """Human3.6M training/test records with SMPLify-X fits.

    Files under ``data_root`` (``annotations/``)::

        Human36M_subject{S}_data.json      COCO dict: images carry
            subject, action_idx, subaction_idx, frame_idx, cam_idx, file_name,
            width, height; annotations carry bbox (xywh) and image_id
        Human36M_subject{S}_camera.json    {cam_idx: {R 3x3, t (mm), f, c}}
        Human36M_subject{S}_joint_3d.json  {action: {subaction: {frame:
            17 x 3 world joints (mm)}}}
        Human36M_subject{S}_smpl_param.json {action: {subaction: {frame:
            {pose 72, shape 10, trans 3 (m, world)}}}}

    World joints go to the camera with ``R @ X + t``; the SMPL fit lives in
    the world frame and is moved to the camera by the target generator
    (``smpl_world_to_cam``); it is used only when its H36M-joint error is
    at most ``fit_threshold`` mm (checked in the pipeline, which has the
    body model).

    Args:
        subjects (Sequence[int]): subjects to load; (1, 5, 6, 7, 8) trains.
        sample_interval (int): keep frames with ``frame_idx % n == 0``.
        cameras (Sequence[int], optional): keep only these cameras.
        fit_threshold (float): fit validity threshold in mm.
        ann_dir (str): annotation folder relative to ``data_root``.
        **kwargs: see :class:`BaseMeshDataset`.
    """
    METAINFO = dict(dataset_name='human36m')

    def __init__(self,
                 subjects: Sequence[int] = (1, 5, 6, 7, 8),
                 sample_interval: int = 5,
                 cameras: Sequence[int] = None,
                 fit_threshold: float = 25.0,
                 ann_dir: str = 'annotations',
                 data_prefix: dict = dict(img='images'),
                 **kwargs) -> None:
        self.subjects = tuple(subjects)
        self.sample_interval = sample_interval
        self.cameras = None if cameras is None else set(map(str, cameras))
        self.fit_threshold = fit_threshold
        self.ann_dir = ann_dir
        super().__init__(data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        records = []
        for subject in self.subjects:
            records.extend(self._load_subject(subject))
        return records

    def _load_subject(self, subject: int) -> List[dict]:
        prefix = osp.join(self.data_root, self.ann_dir,
                          f'Human36M_subject{subject}')
        data_file = f'{prefix}_data.json'
        data = load_json(data_file, 'Human3.6M data file')
        cameras = load_json(f'{prefix}_camera.json', 'Human3.6M cameras')
        joints = load_json(f'{prefix}_joint_3d.json', 'Human3.6M joints')
        fits = load_json(f'{prefix}_smpl_param.json', 'Human3.6M SMPL fits')
        images = {
            field(img, 'id', f'{data_file} [image {k}]'): img
            for k, img in enumerate(field(data, 'images', data_file))
        }
        records = []
        for i, ann in enumerate(field(data, 'annotations', data_file)):
            where = f'{data_file} [annotation {i}]'
            img = images.get(field(ann, 'image_id', where))
            if img is None:
                raise AnnotationError(f'{where}: image_id {ann["image_id"]} '
                                      'has no image entry')
            frame = int(field(img, 'frame_idx', where))
            cam_idx = str(field(img, 'cam_idx', where))
            if frame % self.sample_interval:
                continue
            if self.cameras is not None and cam_idx not in self.cameras:
                continue
            keys = (str(field(img, 'action_idx',
                              where)), str(field(img, 'subaction_idx',
                                                 where)), str(frame))
            file_name, width, height = image_entry(img, where)
            cam = field(cameras, cam_idx, f'{prefix}_camera.json')
            R = as_array(field(cam, 'R', where), (3, 3), 'R', where)
            t = as_array(field(cam, 't', where), (3, ), 't', where)
            focal = as_array(field(cam, 'f', where), (2, ), 'f', where)
            princpt = as_array(field(cam, 'c', where), (2, ), 'c', where)
            try:
                world = joints[keys[0]][keys[1]][keys[2]]
            except KeyError as err:
                raise AnnotationError(
                    f'{prefix}_joint_3d.json: no joints for '
                    f'action/subaction/frame {keys}') from err
            world = as_array(world, (17, 3), 'joint_3d', where)
            if not self.usable('joints or cameras', world, R, t, focal,
                               princpt):
                continue
            joints_cam = (world @ R.T + t) / 1000.  # (17, 3) metres
            uv = joints_cam[:, :2] / joints_cam[:, 2:] * focal + princpt
            bbox = self.tight_bbox(
                field(ann, 'bbox', where), width, height, where)
            if bbox is None:
                continue
            fit = fits.get(keys[0], {}).get(keys[1], {}).get(keys[2])
            smpl = self.smpl_fit_fields(
                fit,
                where,
                smpl_world_to_cam=(R, t / 1000.),
                smpl_fit_thr=self.fit_threshold)
            records.append(
                self.make_record(
                    img_path=self.image_path(file_name),
                    img_id=img['id'],
                    ori_shape=(int(height), int(width)),
                    bbox=bbox,
                    joint_set='h36m_17',
                    keypoints=uv.astype(np.float32),
                    keypoints_visible=np.ones(17, np.float32),
                    joints_cam=joints_cam.astype(np.float32),
                    cam_focal=focal,
                    cam_princpt=princpt,
                    is_3d=True,
                    **smpl))
        return records
