# Copyright (c) mmjotr contributors. All rights reserved.
"""Crop-space targets and inputs of one person (JOTR-30 order)."""
from typing import Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmjotr.codecs import crop_to_volume, depth_to_volume
from mmjotr.geometry import apply_affine
from mmjotr.registry import MODELS, TRANSFORMS
from mmjotr.structures import zero_implausible_betas
from .keypoint_utils import flip_joints, input_keypoints_jotr30, to_joint_set
from .smpl_augment import flip_smpl_pose, rotate_root_pose, rotation_z
from .smpl_joints import SMPLJoints

NUM_JOINTS = 30


def _inside(xyz: np.ndarray, size: float, with_depth: bool) -> np.ndarray:
    """(K,) float32: 1 where x, y (and z) lie in [0, size)."""
    dims = 3 if with_depth else 2
    ok = ((xyz[:, :dims] >= 0) & (xyz[:, :dims] < size)).all(1)
    return ok.astype(np.float32)


@TRANSFORMS.register_module()
class GenerateMeshTargets(BaseTransform):
    """Map a person's annotation into the crop, in JOTR-30 joint order.

    Coordinates in the 64³ joint volume (``mmjotr.codecs.joint_volume``):
    ``x, y = (img_to_crop @ p) * volume_size / input_size`` and
    ``z = (dz_root / (bbox_3d_size / 2) + 1) / 2 * volume_size`` with
    ``dz_root`` in metres. Flipping swaps left/right joints (the crop
    affine already mirrors x); rotation turns the root-relative 3D joints
    and the SMPL root orientation by :func:`rotation_z`.

    The SMPL (pseudo-)GT joints come from the body model (through
    :class:`SMPLJoints`, which skins only the vertices joints need) in the
    camera of the record (``smpl_world_to_cam`` moves world-frame fits,
    Human3.6M); they are projected with ``cam_focal``/``cam_princpt`` and
    mapped like the dataset joints. When ``smpl_fit_thr`` is set the fit
    is dropped if its H36M joints, translation-aligned, are further than
    that (mm) from the dataset's 3D joints. Betas with any ``|b| > 3``
    become zero (:func:`~mmjotr.structures.zero_implausible_betas`).

    The 2D pose input ``keypoints_input`` is the dataset joints with the
    truncation mask in training (the synthetic errors come next), and the
    record's ``input_keypoints`` (valid = confidence > threshold and inside
    the heatmap) at test time.

    Added keys: ``joints_voxel`` (30, 3), ``joints_trunc`` (30,),
    ``joints_cam`` (30, 3), ``joints_valid`` (30,), ``smpl_joints_voxel``
    (30, 3), ``smpl_joints_trunc`` (30,), ``smpl_pose_target`` (72,),
    ``smpl_betas_target`` (10,), ``smpl_valid`` (bool), ``keypoints_input``
    (30, 2), ``keypoints_input_mask`` (30,), ``near_keypoints_input``
    (M, 30, 3) and ``bbox_area_input`` (heatmap pixels²).

    Args:
        body_model (dict): config of the body model (``SMPL``); built on
            first use.
        input_size (int): crop side (256).
        volume_size (int): side of the joint volume (64).
        bbox_3d_size (float): depth range of the volume in metres (2).
        with_smpl_targets (bool): compute the SMPL targets (set False for
            test sets that evaluate only).
        test_mode (bool): use the record's 2D pose input.
        release_quirks (bool): the nearby people's joints (the sources of
            the "swap" errors of ``SyntheticKeypointErrors``) as the
            release makes them: every joint counts as visible (also those
            the data set lacks, which sit at the image origin) and a
            flipped crop neither mirrors them nor swaps their left/right
            joints (the release maps them with the flipped image's affine
            as if they were in the flipped image). False: their annotated
            visibility, mirrored and swapped like the person's own joints.
            Defaults to True.
    """

    def __init__(self,
                 body_model: Optional[dict] = None,
                 input_size: int = 256,
                 volume_size: int = 64,
                 bbox_3d_size: float = 2.0,
                 with_smpl_targets: bool = True,
                 test_mode: bool = False,
                 release_quirks: bool = True) -> None:
        if with_smpl_targets and body_model is None:
            raise ValueError('GenerateMeshTargets: with_smpl_targets needs a '
                             'body_model config')
        self.body_model_cfg = body_model
        self._body_model = None
        self._smpl_joints = {}
        self.input_size = input_size
        self.volume_size = volume_size
        self.bbox_3d_size = bbox_3d_size
        self.with_smpl_targets = with_smpl_targets
        self.test_mode = test_mode
        self.release_quirks = release_quirks

    def smpl_joints(self, with_h36m: bool) -> SMPLJoints:
        """The (lazily built) joint function of the body model."""
        if with_h36m not in self._smpl_joints:
            if self._body_model is None:
                self._body_model = MODELS.build(self.body_model_cfg)
            self._smpl_joints[with_h36m] = SMPLJoints(self._body_model,
                                                      with_h36m)
        return self._smpl_joints[with_h36m]

    def _depth(self, dz: np.ndarray) -> np.ndarray:
        return depth_to_volume(dz, self.bbox_3d_size,
                               self.volume_size).astype(np.float32)

    def _to_volume(self, uv: np.ndarray, results: dict) -> np.ndarray:
        crop = apply_affine(uv[:, :2], results['img_to_crop'])
        return crop_to_volume(
            crop.astype(np.float32), self.input_size, self.volume_size)

    def _dataset_joints(self, results: dict) -> dict:
        out = dict(
            joints_voxel=np.zeros((NUM_JOINTS, 3), np.float32),
            joints_trunc=np.zeros(NUM_JOINTS, np.float32),
            joints_cam=np.zeros((NUM_JOINTS, 3), np.float32),
            joints_valid=np.zeros(NUM_JOINTS, np.float32))
        if results.get('keypoints') is None:
            return out
        joint_set, derive = results['joint_set'], results['derive_joints']
        uv, valid = to_joint_set(results['keypoints'],
                                 results['keypoints_visible'], joint_set,
                                 'jotr_30', derive)
        xyz = np.zeros((NUM_JOINTS, 3), np.float32)
        xyz[:, :2] = self._to_volume(uv, results)
        is_3d = bool(results['is_3d'])
        cam = out['joints_cam']
        if is_3d:
            cam, cam_valid = to_joint_set(
                results['joints_cam'],
                np.ones(len(results['joints_cam']), np.float32), joint_set,
                'jotr_30', derive)
            if not cam_valid[0]:
                raise ValueError(f'{results["img_path"]}: 3D joints without a '
                                 'pelvis cannot be made root-relative')
            cam = (cam - cam[:1]) * cam_valid[:, None]  # (30, 3) root-rel.
            xyz[:, 2] = self._depth(cam[:, 2])
            if results['flip']:
                cam[:, 0] *= -1.
            cam = cam @ rotation_z(results['rot_deg']).T
        if results['flip']:
            xyz, valid, cam = (flip_joints(a) for a in (xyz, valid, cam))
        out.update(
            joints_voxel=xyz,
            joints_trunc=valid * _inside(xyz, self.volume_size, is_3d),
            joints_cam=cam.astype(np.float32),
            joints_valid=valid)
        return out

    def _smpl_camera_joints(self, results: dict,
                            with_h36m: bool) -> Tuple[np.ndarray, ...]:
        """SMPL (pseudo-)GT in the camera: pose, JOTR-30 and H36M joints.

        The H36M joints (None unless ``with_h36m``) are not translated: the
        fit check aligns translations anyway.
        """
        pose = np.asarray(results['smpl_pose'], np.float32)
        world_to_cam = results.get('smpl_world_to_cam')
        if world_to_cam is not None:
            pose = rotate_root_pose(pose, world_to_cam[0])
        joints, h36m = self.smpl_joints(with_h36m)(pose, results['smpl_betas'])
        transl = np.asarray(results['smpl_transl'], np.float64)
        if world_to_cam is not None:
            rot, t = world_to_cam
            root = joints[0]
            transl = rot @ transl + t + rot @ root - root
        return pose, (joints + transl).astype(np.float32), h36m

    def _fit_is_valid(self, results: dict, fit: np.ndarray) -> bool:
        """Whether the fit's H36M joints are within ``smpl_fit_thr`` mm."""
        gt, present = to_joint_set(
            results['joints_cam'],
            np.ones(len(results['joints_cam']), np.float32),
            results['joint_set'], 'h36m_17')
        keep = present > 0
        gt, fit = gt[keep], fit[keep]
        fit = fit - fit.mean(0) + gt.mean(0)
        error = np.linalg.norm(fit - gt, axis=1).mean() * 1000.
        return float(error) <= results['smpl_fit_thr']

    def _smpl_targets(self, results: dict) -> dict:
        out = dict(
            smpl_joints_voxel=np.zeros((NUM_JOINTS, 3), np.float32),
            smpl_joints_trunc=np.zeros(NUM_JOINTS, np.float32),
            smpl_pose_target=np.zeros(72, np.float32),
            smpl_betas_target=np.zeros(10, np.float32),
            smpl_valid=False)
        if not (self.with_smpl_targets and results.get('smpl_valid')):
            return out
        if results.get('cam_focal') is None:
            raise KeyError(f'{results["img_path"]}: SMPL targets need '
                           '"cam_focal" and "cam_princpt"')
        check = (
            results.get('smpl_fit_thr') is not None
            and results.get('joints_cam') is not None)
        pose, joints, h36m = self._smpl_camera_joints(results, check)
        if check and not self._fit_is_valid(results, h36m):
            return out
        uv = joints[:, :2] / joints[:, 2:] * results['cam_focal'] + \
            results['cam_princpt']
        xyz = np.zeros((NUM_JOINTS, 3), np.float32)
        xyz[:, :2] = self._to_volume(uv, results)
        xyz[:, 2] = self._depth(joints[:, 2] - joints[0, 2])
        if results['flip']:
            xyz = flip_joints(xyz)
            pose = flip_smpl_pose(pose)
        pose = rotate_root_pose(pose, rotation_z(results['rot_deg']))
        betas = zero_implausible_betas(
            np.asarray(results['smpl_betas'], np.float32))
        out.update(
            smpl_joints_voxel=xyz,
            smpl_joints_trunc=_inside(xyz, self.volume_size, True),
            smpl_pose_target=pose,
            smpl_betas_target=betas,
            smpl_valid=True)
        return out

    def _near_people(self, results: dict) -> np.ndarray:
        near = results.get('near_keypoints')
        if near is None or self.test_mode:
            return np.zeros((0, NUM_JOINTS, 3), np.float32)
        people = []
        for person in near:
            uv, vis = to_joint_set(person[:, :2], person[:, 2],
                                   results['joint_set'], 'jotr_30',
                                   results['derive_joints'])
            if self.release_quirks:
                vis = np.ones_like(vis)
                if results['flip']:
                    # img_to_crop mirrors x about (W - 1) / 2 itself
                    uv[:, 0] = results['ori_shape'][1] - 1 - uv[:, 0]
            xyv = np.concatenate([self._to_volume(uv, results), vis[:, None]],
                                 1)
            flip = results['flip'] and not self.release_quirks
            people.append(flip_joints(xyv) if flip else xyv)
        return np.stack(people).astype(np.float32)

    def _inputs(self, results: dict, targets: dict) -> dict:
        if not self.test_mode:
            return dict(
                keypoints_input=targets['joints_voxel'][:, :2].copy(),
                keypoints_input_mask=targets['joints_trunc'].copy())
        inputs = input_keypoints_jotr30(results)
        if inputs is None:
            return dict(
                keypoints_input=np.zeros((NUM_JOINTS, 2), np.float32),
                keypoints_input_mask=np.zeros(NUM_JOINTS, np.float32))
        xy = self._to_volume(inputs[0], results)
        return dict(
            keypoints_input=xy,
            keypoints_input_mask=inputs[1] *
            _inside(xy, self.volume_size, False))

    def transform(self, results: dict) -> dict:
        targets = self._dataset_joints(results)
        targets.update(self._smpl_targets(results))
        targets.update(self._inputs(results, targets))
        x1, y1, x2, y2 = results['bbox']
        scale = crop_to_volume(1., self.input_size, self.volume_size)
        det = abs(np.linalg.det(results['img_to_crop'][:, :2]))
        targets['bbox_area_input'] = float(
            (x2 - x1) * (y2 - y1) * det * scale**2)
        targets['near_keypoints_input'] = self._near_people(results)
        results.update(targets)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(with_smpl_targets='
                f'{self.with_smpl_targets}, test_mode={self.test_mode}, '
                f'release_quirks={self.release_quirks})')
