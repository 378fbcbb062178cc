# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch

from mmjotr.body_models import SMPL, get_joint_set
from mmjotr.datasets.transforms import (GenerateMeshTargets, crop_affine,
                                        rotation_z)

FOCAL, PRINCPT = np.array([1500., 1500.]), np.array([320., 240.])


@pytest.fixture(scope='module')
def smpl(standin_body_model_dir):
    return SMPL(standin_body_model_dir).eval()


@pytest.fixture(scope='module')
def targets(standin_body_model_dir):
    return GenerateMeshTargets(
        body_model=dict(type='SMPL', body_model_dir=standin_body_model_dir))


def smpl_params(seed=0):
    rng = np.random.default_rng(seed)
    pose = (rng.normal(scale=0.2, size=72)).astype(np.float32)
    pose[:3] = [np.pi, 0.2, 0.1]  # upright in a y-down camera
    betas = rng.normal(scale=0.5, size=10).astype(np.float32)
    return pose, betas, np.array([0.1, 0.2, 5.], np.float32)


def camera_joints(smpl, pose, betas, transl):
    with torch.no_grad():
        out = smpl(torch.from_numpy(pose)[None], torch.from_numpy(betas)[None])
    return out.joints[0].numpy() + transl


def project(points, focal, princpt):
    return points[:, :2] / points[:, 2:] * focal + princpt


def record(smpl, scale=1., rot=0., flip=False, seed=0):
    """A 3D sample whose annotation is exactly its SMPL fit."""
    pose, betas, transl = smpl_params(seed)
    joints = camera_joints(smpl, pose, betas, transl)
    uv = project(joints, FOCAL, PRINCPT)
    lo, hi = uv.min(0), uv.max(0)
    centre, side = (lo + hi) / 2, (hi - lo).max() * 1.2
    bbox = np.concatenate([lo, hi]).astype(np.float32)
    crop = np.concatenate([centre - side / 2, centre + side / 2])
    return dict(
        img_path='x.jpg',
        bbox=bbox,
        joint_set='jotr_30',
        keypoints=uv,
        keypoints_visible=np.ones(30, np.float32),
        joints_cam=joints,
        derive_joints=(),
        is_3d=True,
        cam_focal=FOCAL,
        cam_princpt=PRINCPT,
        smpl_pose=pose,
        smpl_betas=betas,
        smpl_transl=transl,
        smpl_valid=True,
        smpl_fit_thr=None,
        smpl_world_to_cam=None,
        near_keypoints=None,
        img_to_crop=crop_affine(crop, 256, scale, rot, flip),
        flip=flip,
        rot_deg=rot)


@pytest.mark.parametrize('scale,rot,flip', [(1., 0., False), (1.2, 35., False),
                                            (0.8, 0., True),
                                            (1.1, -50., True)])
def test_augmented_smpl_projects_onto_augmented_keypoints(
        smpl, targets, scale, rot, flip):
    res = targets(record(smpl, scale, rot, flip))
    assert res['smpl_valid']
    # the fit's joints and the annotation take the same path into the crop
    np.testing.assert_allclose(
        res['smpl_joints_voxel'][:, :2], res['joints_voxel'][:, :2], atol=1e-3)
    np.testing.assert_allclose(
        res['smpl_joints_voxel'][:, 2], res['joints_voxel'][:, 2], atol=1e-3)
    # pose the body with the augmented parameters; rotating (and mirroring)
    # the root position about the camera axis and projecting with the
    # crop's camera (focal k f, principal point A c) must land on the
    # augmented keypoints
    pose, betas, transl = smpl_params()
    joints = camera_joints(smpl, pose, betas, transl)
    mirror = np.diag([-1. if flip else 1., 1., 1.])
    root = rotation_z(rot) @ mirror @ joints[0]
    posed = camera_joints(smpl, res['smpl_pose_target'], betas, 0.)
    posed = posed - posed[0] + root
    mat = res['img_to_crop']
    k = np.sqrt(abs(np.linalg.det(mat[:, :2])))
    uv = project(posed, k * FOCAL, mat[:, :2] @ PRINCPT + mat[:, 2])
    err = np.linalg.norm(uv - res['joints_voxel'][:, :2] * 4, axis=1)
    assert err.max() < 1.0, err.max()
    # the 3D target is the same body, root-relative
    np.testing.assert_allclose(res['joints_cam'], posed - posed[0], atol=2e-3)
    assert res['joints_trunc'].sum() > 20 and res['joints_valid'].all()


def test_truncation_at_the_crop_border(targets):
    kpts = np.zeros((17, 2), np.float32)
    vis = np.ones(17, np.float32)
    # identity-like crop: box (0, 0)-(256, 256) -> heatmap = pixel / 4
    kpts[0] = [255.6, 10.]  # x = 63.9: inside
    kpts[1] = [256., 10.]  # x = 64: outside
    kpts[2] = [-0.04, 10.]  # x = -0.01: outside
    kpts[3] = [10., 255.9]  # y = 63.975: inside
    vis[4] = 0.  # not annotated
    res = targets(
        dict(
            img_path='x.jpg',
            bbox=np.array([0., 0., 256., 256.]),
            joint_set='coco_17',
            keypoints=kpts,
            keypoints_visible=vis,
            joints_cam=None,
            derive_joints=('Pelvis', ),
            is_3d=False,
            smpl_valid=False,
            near_keypoints=None,
            img_to_crop=crop_affine(
                np.array([0., 0., 256., 256.]), 256, 1., 0., False),
            flip=False,
            rot_deg=0.))
    jotr = get_joint_set('jotr_30')
    coco = get_joint_set('coco_17').joint_names
    trunc = {n: res['joints_trunc'][jotr.index(n)] for n in coco[:5]}
    assert trunc == {
        'Nose': 1.,
        'L_Eye': 0.,
        'R_Eye': 0.,
        'L_Ear': 1.,
        'R_Ear': 0.
    }
    np.testing.assert_allclose(
        res['joints_voxel'][jotr.index('Nose')], [63.9, 2.5, 0.], atol=1e-4)
    # the derived pelvis is the hip midpoint; 2D data has no 3D targets
    pelvis = res['joints_voxel'][jotr.index('Pelvis'), :2]
    np.testing.assert_allclose(pelvis, (kpts[11] + kpts[12]) / 8, atol=1e-5)
    assert res['joints_cam'].sum() == 0 and not res['smpl_valid']
    # training input = annotation, masked by truncation
    np.testing.assert_array_equal(res['keypoints_input_mask'],
                                  res['joints_trunc'])


def test_depth_truncation_and_world_frame_fit(smpl, targets):
    # a Human3.6M-like sample: fit in a world frame, joints in the camera
    pose, betas, _ = smpl_params(1)
    trans_w = np.array([0.3, -0.2, 0.5], np.float32)
    rot = np.array([[0., 0., 1.], [0., 1., 0.], [-1., 0., 0.]], np.float32)
    t = np.array([0.1, 0.0, 5.], np.float32)
    with torch.no_grad():
        out = smpl(
            torch.from_numpy(pose)[None],
            torch.from_numpy(betas)[None],
            torch.from_numpy(trans_w)[None])
    verts_cam = out.vertices[0].numpy() @ rot.T + t
    joints_cam = out.joints[0].numpy() @ rot.T + t
    h36m = smpl.regress_h36m(torch.from_numpy(verts_cam)[None])[0].numpy()
    rec = record(smpl)
    rec.update(
        smpl_pose=pose,
        smpl_betas=betas,
        smpl_transl=trans_w,
        smpl_world_to_cam=(rot, t),
        joint_set='h36m_17',
        keypoints=project(h36m, FOCAL, PRINCPT),
        keypoints_visible=np.ones(17, np.float32),
        joints_cam=h36m,
        smpl_fit_thr=25.)
    res = targets(dict(rec))
    assert res['smpl_valid']
    uv = project(joints_cam, FOCAL, PRINCPT)
    expected = (uv @ rec['img_to_crop'][:, :2].T + rec['img_to_crop'][:, 2])
    np.testing.assert_allclose(
        res['smpl_joints_voxel'][:, :2], expected / 4, atol=1e-3)
    # a fit 40 mm off on half the joints is rejected
    bad = h36m.copy()
    bad[::2, 0] += 0.08
    res = targets(dict(rec, joints_cam=bad))
    assert not res['smpl_valid'] and res['smpl_pose_target'].sum() == 0
    # joints 1.2 m behind the root leave the 2 m depth volume
    far = h36m.copy()
    far[3, 2] = far[0, 2] + 1.2
    res = targets(dict(rec, joints_cam=far, smpl_fit_thr=None))
    jotr = get_joint_set('jotr_30')
    assert res['joints_trunc'][jotr.index('R_Ankle')] == 0
    assert res['joints_trunc'][jotr.index('L_Ankle')] == 1


def test_test_mode_inputs():
    kpts = np.zeros((18, 3), np.float32)
    names = get_joint_set('openpose_18').joint_names
    kpts[:, :2] = 100.
    kpts[:, 2] = 0.9
    kpts[names.index('L_Hip')] = [80., 120., 0.9]
    kpts[names.index('R_Hip')] = [120., 120., 0.5]
    kpts[names.index('Nose'), 2] = 0.04  # below the threshold
    kpts[names.index('L_Ankle'), :2] = 400.  # outside the crop
    t = GenerateMeshTargets(with_smpl_targets=False, test_mode=True)
    box = np.array([0., 0., 256., 256.])
    res = t(
        dict(
            img_path='x.jpg',
            bbox=box,
            joint_set=None,
            keypoints=None,
            smpl_valid=True,
            input_keypoints=kpts,
            input_joint_set='openpose_18',
            input_score_thr=0.05,
            derive_joints=('Pelvis', ),
            near_keypoints=None,
            img_to_crop=crop_affine(box, 256, 1., 0., False),
            flip=False,
            rot_deg=0.))
    jotr = get_joint_set('jotr_30')
    mask = res['keypoints_input_mask']
    assert mask[jotr.index('Nose')] == 0 and mask[jotr.index('L_Ankle')] == 0
    assert mask[jotr.index('Neck')] == 1
    # pelvis: hip midpoint, confidence 0.9 * 0.5 > 0.05
    assert mask[jotr.index('Pelvis')] == 1
    np.testing.assert_allclose(res['keypoints_input'][jotr.index('Pelvis')],
                               [25., 30.])
    # joints OpenPose does not have stay masked
    assert mask[jotr.index('Head_top')] == 0 and mask[jotr.index('Spine')] \
        == 0
    # 18 OpenPose joints + the pelvis, less the nose and the left ankle
    assert mask.sum() == 17


@pytest.mark.parametrize('flip', [False, True])
def test_swap_sources_release_quirks_and_corrected(flip):
    """The nearby people's joints (swap sources): the release counts every
    joint as visible and ignores the flip; the corrected behaviour keeps
    the visibility and mirrors and swaps them with the crop."""
    width = 640
    rng = np.random.default_rng(4)
    near = np.concatenate(
        [rng.uniform(50, 400, (1, 21, 2)),
         np.ones((1, 21, 1))], -1).astype(np.float32)
    near[0, 5, 2] = 0.  # L_Shoulder not annotated
    crop = np.array([100., 40., 500., 440.])
    mat = crop_affine(crop, 256, 1., 0., flip)
    results = dict(
        img_path='x.jpg',
        ori_shape=(480, width),
        bbox=crop.astype(np.float32),
        joint_set='muco_21',
        keypoints=None,
        keypoints_visible=None,
        joints_cam=None,
        derive_joints=('Pelvis', 'Neck'),
        is_3d=False,
        smpl_valid=False,
        near_keypoints=near,
        img_to_crop=mat,
        flip=flip,
        rot_deg=0.)
    jotr = get_joint_set('jotr_30').joint_names
    muco = get_joint_set('muco_21').joint_names
    to_hm = (lambda p: (p @ mat[:, :2].T + mat[:, 2]) / 4.)
    # by hand: the crop position of each MuCo joint, in JOTR-30 order
    for quirks in (True, False):
        out = GenerateMeshTargets(
            with_smpl_targets=False,
            release_quirks=quirks)(dict(results))['near_keypoints_input']
        assert out.shape == (1, 30, 3)
        for k, name in enumerate(jotr):
            if name not in muco and name in ('Pelvis', 'Neck'):
                continue  # derived midpoints (to_joint_set's tests)
            if quirks:
                # unflipped index; the image point mirrored, as the release
                # maps it with the flipped image's affine
                src = muco.index(name) if name in muco else None
                point = near[0, src, :2] if src is not None else np.zeros(2)
                if flip:
                    point = np.array([width - 1 - point[0], point[1]])
                vis = 1.
            else:
                partner = (
                    name.replace('L_', '#').replace('R_', 'L_').replace(
                        '#', 'R_') if flip else name)
                src = muco.index(partner) if partner in muco else None
                point = near[0, src, :2] if src is not None else np.zeros(2)
                vis = near[0, src, 2] if src is not None else 0.
            np.testing.assert_allclose(
                out[0, k, :2], to_hm(point[None])[0], atol=1e-3)
            assert out[0, k, 2] == vis, (quirks, name)


def test_3d_joints_without_a_pelvis_raise(smpl, targets):
    """3D joints of a joint set with no pelvis (and none derived) cannot
    be made root-relative: a ValueError naming the sample's image."""
    rec = record(smpl)
    coco = get_joint_set('coco_17').joint_names
    jotr = get_joint_set('jotr_30').joint_names
    idx = [jotr.index(name) for name in coco]
    rec.update(
        img_path='seq/frame_000042.jpg',
        joint_set='coco_17',
        keypoints=rec['keypoints'][idx],
        keypoints_visible=np.ones(17, np.float32),
        joints_cam=rec['joints_cam'][idx])
    with pytest.raises(
            ValueError,
            match=r'^seq/frame_000042\.jpg: 3D joints without a pelvis '
            'cannot be made root-relative$'):
        targets(dict(rec))
    # deriving the pelvis (the hip midpoint) makes the same sample valid
    res = targets(dict(rec, derive_joints=('Pelvis', )))
    hips = rec['joints_cam'][[coco.index('L_Hip'), coco.index('R_Hip')]]
    np.testing.assert_allclose(
        res['joints_cam'][jotr.index('L_Hip')],
        rec['joints_cam'][coco.index('L_Hip')] - hips.mean(0),
        atol=1e-6)


def test_smpl_targets_without_a_camera_raise(smpl, targets):
    """SMPL targets are projected with the record's intrinsics: a sample
    with a valid fit and no ``cam_focal`` is a KeyError naming its image;
    without a valid fit no camera is needed."""
    rec = dict(record(smpl), img_path='seq/frame_000007.jpg', cam_focal=None)
    with pytest.raises(
            KeyError,
            match=r'seq/frame_000007\.jpg: SMPL targets need "cam_focal" '
            'and "cam_princpt"'):
        targets(dict(rec))
    del rec['cam_focal']
    with pytest.raises(KeyError, match=r'frame_000007\.jpg: SMPL targets'):
        targets(dict(rec))
    res = targets(dict(rec, smpl_valid=False))
    assert not res['smpl_valid'] and res['smpl_pose_target'].sum() == 0


def test_smpl_targets_need_a_body_model():
    with pytest.raises(
            ValueError,
            match='^GenerateMeshTargets: with_smpl_targets needs a '
            'body_model config$'):
        GenerateMeshTargets()
    assert GenerateMeshTargets(with_smpl_targets=False).body_model_cfg is None
