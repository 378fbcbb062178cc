# Copyright (c) mmjotr contributors. All rights reserved.
import json
import os.path as osp
import shutil

import numpy as np
import pytest
import torch

from mmjotr.body_models import SMPL, joint_indices
from mmjotr.datasets import SynthOccDataset
from mmjotr.datasets.transforms.keypoint_utils import (input_keypoints_jotr30,
                                                       to_joint_set)
from mmjotr.utils import register_all_modules

register_all_modules()


def _records(root, split, **kwargs):
    dataset = SynthOccDataset(
        split=split, data_root=root, serialize_data=False, **kwargs)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def test_records_match_the_body_model_and_camera(synthocc_root,
                                                 synthocc_frames,
                                                 standin_body_model_dir):
    records = _records(synthocc_root, 'train')
    assert len(records) == synthocc_frames['train']
    smpl = SMPL(standin_body_model_dir)
    for r in records:
        assert r['dataset_name'] == 'synthocc' and r['is_3d']
        assert r['joint_set'] == 'coco_19' and r['smpl_valid']
        assert r['input_keypoints'] is None  # training adds synthetic noise
        with torch.no_grad():
            joints = smpl(
                torch.as_tensor(r['smpl_pose'])[None],
                torch.as_tensor(r['smpl_betas'])[None]).joints[0].numpy()
        coco19 = joint_indices('jotr_30', 'coco_19')
        np.testing.assert_allclose(
            joints[coco19] + r['smpl_transl'], r['joints_cam'], atol=2e-4)
        # pinhole projection, by hand
        xyz = r['joints_cam']
        uv = xyz[:, :2] / xyz[:, 2:] * r['cam_focal'] + r['cam_princpt']
        np.testing.assert_allclose(uv, r['keypoints'], atol=2e-3)
        x1, y1, x2, y2 = r['bbox']
        assert 0 <= x1 < x2 <= r['ori_shape'][1]


def test_training_pipeline_targets_agree(synthocc_root,
                                         standin_body_model_dir):
    """The pipeline's SMPL joints (numpy skinning) land on the generator's
    keypoints (torch SMPL) in the crop."""
    pipeline = [
        dict(type='mmpose.LoadImage'),
        dict(type='GetMeshBBox', enlarge_range=(1.1, 1.1)),
        dict(type='RandomMeshAffine', input_size=256, test_mode=True),
        dict(
            type='GenerateMeshTargets',
            body_model=dict(
                type='SMPL', body_model_dir=standin_body_model_dir)),
        dict(type='SyntheticKeypointErrors'),
        dict(type='PackMeshInputs'),
    ]
    dataset = SynthOccDataset(
        split='train', data_root=synthocc_root, pipeline=pipeline)
    for i in range(len(dataset)):
        gt = dataset[i]['data_samples'].gt_instances
        assert dataset[i]['inputs'].shape == (3, 256, 256)
        ok = (gt.joints_trunc[0] > 0).numpy()
        assert ok.sum() >= 14
        np.testing.assert_allclose(
            gt.smpl_joints_voxel[0, ok].numpy(),
            gt.joints_voxel[0, ok].numpy(),
            atol=0.02)
        assert bool(gt.smpl_valid[0])


def test_test_inputs_get_worse_with_occlusion(synthocc_root):
    visible_err, hidden_err = [], []
    for split in ('test_object_occluded', 'test_person_occluded'):
        for r in _records(synthocc_root, split, test_mode=True):
            assert r['input_joint_set'] == 'coco_17'
            pts, valid = input_keypoints_jotr30(r)
            gt, gt_vis = to_joint_set(r['keypoints'], r['keypoints_visible'],
                                      'coco_19', 'jotr_30')
            gt_vis = gt_vis > 0
            err = np.linalg.norm(pts - gt, axis=1)
            size = max(r['bbox'][2] - r['bbox'][0],
                       r['bbox'][3] - r['bbox'][1])
            coco = valid > 0
            flags = _coco_flags(synthocc_root, split, r)
            visible_err += list(err[coco & gt_vis & (flags == 2)] / size)
            hidden_err += list(err[coco & gt_vis & (flags == 1)] / size)
    assert len(hidden_err) >= 5
    assert np.median(hidden_err) > 2 * np.median(visible_err)


def _coco_flags(root, split, record):
    """COCO visibility of a record's JOTR-30 joints, from the file."""
    db = json.load(
        open(osp.join(root, 'annotations', f'synthocc_{split}.json')))
    ann = next(a for a in db['annotations']
               if a['image_id'] == record['img_id'] and a['is_target'])
    return np.asarray(ann['joints_img'])[:, 2]


def test_bad_annotation_names_the_field(tmp_path, synthocc_root):
    root = tmp_path / 'broken'
    shutil.copytree(synthocc_root, root)
    path = root / 'annotations' / 'synthocc_test_clean.json'
    db = json.loads(path.read_text())
    del db['annotations'][1]['joints_cam']
    path.write_text(json.dumps(db))
    with pytest.raises(ValueError, match='joints_cam'):
        SynthOccDataset(split='test_clean', data_root=str(root))
