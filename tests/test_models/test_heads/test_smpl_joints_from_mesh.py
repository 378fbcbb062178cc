# Copyright (c) mmjotr contributors. All rights reserved.
"""The 30 JOTR joints are regressed from the POSED mesh (as in the release
and I2L-MeshNet), in the model head and in the target transform alike; checked
against an independent float64 numpy SMPL."""
import os.path as osp

import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from mmjotr.body_models import SMPL, load_smpl_arrays
from mmjotr.datasets.transforms import GenerateMeshTargets, crop_affine
from mmjotr.testing import synthetic_batch

FACE_VERTICES = [331, 2802, 6262, 3489, 3990]


def numpy_posed_mesh(arrays, pose, betas):
    """Naive SMPL in float64: (V, 3) posed vertices, (24, 3) kinematic
    joints."""
    v = arrays['v_template'] + arrays['shapedirs'][..., :10] @ betas
    rest = arrays['J_regressor'] @ v  # (24, 3) shaped rest joints
    rots = Rotation.from_rotvec(np.reshape(pose, (24, 3))).as_matrix()
    v = v + arrays['posedirs'] @ (rots[1:] - np.eye(3)).reshape(-1)
    parents = arrays['kintree_table'][0]
    world = np.zeros((24, 4, 4))
    for j in range(24):
        local = np.eye(4)
        local[:3, :3] = rots[j]
        local[:3, 3] = rest[j] - (rest[parents[j]] if j else 0.)
        world[j] = local if j == 0 else world[parents[j]] @ local
    kinematic = world[:, :3, 3].copy()
    world[:, :3, 3] -= np.einsum('jab,jb->ja', world[:, :3, :3], rest)
    blend = np.einsum('vj,jab->vab', arrays['weights'], world)
    verts = np.einsum('vab,vb->va', blend[:, :3, :3], v) + blend[:, :3, 3]
    return verts, kinematic


def numpy_jotr30(arrays, extra, pose, betas):
    """(30, 3): J_regressor x posed mesh, face vertices, head top."""
    verts, _ = numpy_posed_mesh(arrays, pose, betas)
    return np.concatenate([
        arrays['J_regressor'] @ verts, verts[FACE_VERTICES], extra[3:4] @ verts
    ])


@pytest.fixture(scope='module')
def reference(standin_body_model_dir):
    arrays = load_smpl_arrays(
        osp.join(standin_body_model_dir, 'smpl', 'SMPL_NEUTRAL.pkl'))
    arrays = {
        k: np.asarray(v.toarray() if hasattr(v, 'toarray') else v)
        for k, v in arrays.items()
    }
    extra = np.load(osp.join(standin_body_model_dir, 'J_regressor_extra.npy'))
    return arrays, extra


def bent_pose(seed):
    rng = np.random.default_rng(seed)
    pose = rng.normal(scale=0.5, size=72)
    pose[3 * 4] = pose[3 * 5] = 1.8  # strongly bent knees
    pose[3 * 18 + 1] = -1.5  # and an elbow
    return pose, rng.normal(size=10)


def test_head_joints_are_regressed_from_the_posed_mesh(tiny_jotr, reference):
    model = tiny_jotr.eval()
    assert model.head.body_model.joint_source == 'mesh'
    data = model.data_preprocessor(synthetic_batch(2, seed=3))
    with torch.no_grad():
        out = model(**data, mode='tensor')
    for i in range(2):
        pose = out.smpl_pose[i].double().numpy()
        betas = out.smpl_betas[i].double().numpy()
        expected = numpy_jotr30(*reference, pose, betas)
        np.testing.assert_allclose(
            out.joints_3d[i].numpy(), expected, atol=1e-5, rtol=0)
        # body_joint_proj and body_joint_cam use exactly these joints
        pts = expected + out.cam_t[i].double().numpy()
        proj = 5000. * pts[:, :2] / (pts[:, 2:] + 1e-4) + 128.
        np.testing.assert_allclose(
            out.joints_crop[i].numpy(), proj, atol=1e-3, rtol=0)


def test_smpl_joint_sources(standin_body_model_dir, reference):
    mesh = SMPL(standin_body_model_dir)
    kinematic = SMPL(standin_body_model_dir, joint_source='kinematic')
    pose, betas = bent_pose(0)
    with torch.no_grad():
        args = (torch.tensor(pose[None], dtype=torch.float32),
                torch.tensor(betas[None], dtype=torch.float32))
        out_mesh, out_kin = mesh(*args), kinematic(*args)
    verts, kin = numpy_posed_mesh(reference[0], pose, betas)
    np.testing.assert_allclose(
        out_mesh.joints[0].numpy(),
        numpy_jotr30(*reference, pose, betas),
        atol=1e-5,
        rtol=0)
    np.testing.assert_allclose(
        out_kin.joints_smpl24[0].numpy(), kin, atol=1e-5, rtol=0)
    # same mesh, same extra joints; only the 24 SMPL joints differ, and
    # measurably at this bent pose (the point of the switch)
    torch.testing.assert_close(out_mesh.vertices, out_kin.vertices)
    torch.testing.assert_close(out_mesh.joints[:, 24:], out_kin.joints[:, 24:])
    gap = np.linalg.norm(
        out_mesh.joints_smpl24[0] - out_kin.joints_smpl24[0], axis=-1)
    assert gap.max() > 1e-3, gap
    with pytest.raises(ValueError, match='joint_source'):
        SMPL(standin_body_model_dir, joint_source='skeleton')


@pytest.mark.parametrize('joint_source', ['mesh', 'kinematic'])
def test_target_transform_agrees(standin_body_model_dir, reference,
                                 joint_source):
    transform = GenerateMeshTargets(
        body_model=dict(
            type='SMPL',
            body_model_dir=standin_body_model_dir,
            joint_source=joint_source))
    pose, betas = bent_pose(1)
    pose[:3] = [np.pi, 0.2, 0.1]  # upright in a y-down camera
    transl = np.array([0.1, 0.2, 5.])
    verts, kin = numpy_posed_mesh(reference[0], pose, betas)
    joints = numpy_jotr30(*reference, pose, betas)
    if joint_source == 'kinematic':
        joints[:24] = kin
    # the fitted-joint function of the transform
    fitted, _ = transform.smpl_joints(False)(pose, betas)
    np.testing.assert_allclose(fitted, joints, atol=1e-5, rtol=0)
    # and the targets: projected with the camera, into the 64 crop
    focal, princpt = np.array([1500., 1500.]), np.array([320., 240.])
    cam = joints + transl
    uv = cam[:, :2] / cam[:, 2:] * focal + princpt
    crop = np.array([100., 40., 540., 480.])
    mat = crop_affine(crop, 256, 1., 0., False)
    res = transform(
        dict(
            img_path='x.jpg',
            bbox=crop.astype(np.float32),
            joint_set='jotr_30',
            keypoints=None,
            keypoints_visible=None,
            joints_cam=None,
            derive_joints=(),
            is_3d=False,
            cam_focal=focal,
            cam_princpt=princpt,
            smpl_pose=pose.astype(np.float32),
            smpl_betas=betas.astype(np.float32),
            smpl_transl=transl.astype(np.float32),
            smpl_valid=True,
            smpl_fit_thr=None,
            near_keypoints=None,
            img_to_crop=mat,
            flip=False,
            rot_deg=0.))
    expected_xy = (uv @ mat[:, :2].T + mat[:, 2]) / 4.
    expected_z = ((cam[:, 2] - cam[0, 2]) + 1.) / 2. * 64.
    # float32 pose/betas in the record: 1e-5 m is ~1e-3 heatmap px here
    np.testing.assert_allclose(
        res['smpl_joints_voxel'][:, :2], expected_xy, atol=2e-3, rtol=0)
    np.testing.assert_allclose(
        res['smpl_joints_voxel'][:, 2], expected_z, atol=1e-3, rtol=0)
