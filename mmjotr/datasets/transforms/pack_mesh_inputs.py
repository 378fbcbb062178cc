# Copyright (c) mmjotr contributors. All rights reserved.
"""Pack one person crop into ``inputs`` and a ``PoseDataSample``."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample

from mmjotr.registry import TRANSFORMS

#: results key -> gt_instances field (see docs/interfaces.md).
INSTANCE_FIELDS = {
    'bbox_crop': 'bboxes',
    'keypoints_input': 'keypoints_input',
    'keypoints_input_mask': 'keypoints_input_mask',
    'joints_voxel': 'joints_voxel',
    'joints_trunc': 'joints_trunc',
    'joints_cam': 'joints_cam',
    'joints_valid': 'joints_valid',
    'smpl_joints_voxel': 'smpl_joints_voxel',
    'smpl_joints_trunc': 'smpl_joints_trunc',
    'smpl_pose_target': 'smpl_pose',
    'smpl_betas_target': 'smpl_betas',
    'smpl_valid': 'smpl_valid',
    'is_3d': 'is_3d',
}


@TRANSFORMS.register_module()
class PackMeshInputs(BaseTransform):
    """Pack the data-sample contract of docs/interfaces.md.

    ``inputs`` is the uint8 BGR crop as a (3, H, W) tensor. The
    ``PoseDataSample`` holds ``gt_instances`` with N = 1 and float32
    tensors (``bboxes`` is the square crop box) and the metainfo keys
    ``meta_keys`` plus, when present, the unaugmented ground truth for the
    metric: ``gender`` (from ``smpl_gender``), ``gt_smpl_pose``,
    ``gt_smpl_betas``, ``gt_joints_cam``/``gt_joints_visible`` and
    ``sequence``.

    Args:
        meta_keys (Sequence[str]): metainfo keys copied from the results.
    """

    def __init__(
        self,
        meta_keys: Sequence[str] = ('img_path', 'ori_shape', 'img_shape',
                                    'input_size', 'crop_to_img', 'flip',
                                    'dataset_name', 'sample_idx')
    ) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim != 3 or img.dtype != np.uint8:
            raise ValueError(f'{results.get("img_path")}: expected a uint8 '
                             f'HxWx3 crop, got {img.dtype} {img.shape}')
        inputs = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))
        gt = InstanceData()
        for key, name in INSTANCE_FIELDS.items():
            if key not in results:
                raise KeyError(f'PackMeshInputs: "{key}" missing for '
                               f'{results.get("img_path")}; is '
                               'GenerateMeshTargets in the pipeline?')
            value = np.asarray(results[key], dtype=np.float32)
            gt.set_field(torch.from_numpy(value.copy())[None], name)
        meta = {k: results[k] for k in self.meta_keys if k in results}
        if results.get('smpl_pose') is not None:
            meta.update(
                gender=results.get('smpl_gender', 'neutral'),
                gt_smpl_pose=np.asarray(results['smpl_pose'], np.float32),
                gt_smpl_betas=np.asarray(results['smpl_betas'], np.float32))
        if results.get('gt_joints_cam') is not None:
            meta.update(
                gt_joints_cam=results['gt_joints_cam'],
                gt_joints_visible=results['gt_joints_visible'])
        if results.get('sequence'):
            meta['sequence'] = results['sequence']
        sample = PoseDataSample(metainfo=meta)
        sample.gt_instances = gt
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'
