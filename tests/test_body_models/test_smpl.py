# Copyright (c) mmjotr contributors. All rights reserved.
import copy
import os
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from mmjotr.body_models import SMPL, load_smpl_arrays
from mmjotr.registry import MODELS


def _numpy_smpl(arrays: dict, pose: np.ndarray, betas: np.ndarray):
    """Naive SMPL: shape, pose correctives, forward kinematics, LBS."""
    v = arrays['v_template'] + arrays['shapedirs'][..., :10] @ betas
    joints = arrays['J_regressor'] @ v
    rots = Rotation.from_rotvec(pose.reshape(24, 3)).as_matrix()
    feat = (rots[1:] - np.eye(3)).reshape(-1)
    v = v + arrays['posedirs'] @ feat
    parents = arrays['kintree_table'][0]
    world = [None] * 24
    for j in range(24):
        local = np.eye(4)
        local[:3, :3] = rots[j]
        local[:3, 3] = joints[j] - (joints[parents[j]] if j else 0)
        world[j] = local if j == 0 else world[parents[j]] @ local
    posed_joints = np.stack([w[:3, 3] for w in world])
    skin = np.stack([
        w @ np.block([[np.eye(3), -joints[j][:, None]], [np.zeros((1, 3)), 1]])
        for j, w in enumerate(world)
    ])  # (24, 4, 4): rest -> posed
    blend = np.einsum('vj,jab->vab', arrays['weights'], skin)
    verts = np.einsum('vab,vb->va', blend, np.c_[v, np.ones(len(v))])[:, :3]
    return verts, posed_joints


@pytest.fixture(scope='module')
def smpl(standin_body_model_dir):
    return SMPL(standin_body_model_dir)


@pytest.fixture(scope='module')
def smpl_kinematic(standin_body_model_dir):
    return SMPL(standin_body_model_dir, joint_source='kinematic')


@pytest.fixture(scope='module')
def arrays(standin_body_model_dir):
    return load_smpl_arrays(
        osp.join(standin_body_model_dir, 'smpl', 'SMPL_NEUTRAL.pkl'))


def test_shapes_and_no_checkpoint_state(smpl):
    out = smpl(torch.zeros(3, 72), torch.zeros(3, 10))
    assert out.vertices.shape == (3, 6890, 3)
    assert out.joints_smpl24.shape == (3, 24, 3)
    assert out.joints.shape == (3, 30, 3)
    assert smpl.faces.shape == (13776, 3) and smpl.faces.dtype == torch.long
    assert smpl.state_dict() == {}  # SMPL arrays never enter checkpoints
    assert 'chumpy' not in sys.modules
    assert smpl.joint_names[24:] == ('Nose', 'L_Eye', 'R_Eye', 'L_Ear',
                                     'R_Ear', 'Head_top')


def test_random_pose_matches_naive_numpy(smpl, smpl_kinematic, arrays):
    rng = np.random.default_rng(0)
    pose = rng.normal(scale=0.4, size=(2, 72))
    betas = rng.normal(size=(2, 10))
    args = (torch.tensor(pose, dtype=torch.float32),
            torch.tensor(betas, dtype=torch.float32))
    out, out_kinematic = smpl(*args), smpl_kinematic(*args)
    for i in range(2):
        verts, joints = _numpy_smpl(arrays, pose[i], betas[i])
        np.testing.assert_allclose(out.vertices[i].numpy(), verts, atol=2e-5)
        # default: SMPL's regressor on the posed mesh (the release)
        np.testing.assert_allclose(
            out.joints_smpl24[i].numpy(),
            arrays['J_regressor'] @ verts,
            atol=2e-5)
        np.testing.assert_allclose(
            out_kinematic.joints_smpl24[i].numpy(), joints, atol=2e-5)


def test_known_rotation_moves_joints(smpl, smpl_kinematic, arrays):
    # Bend the left knee 90 degrees about x: the kinematic ankle and foot
    # swing around the knee, everything above stays.
    pose = torch.zeros(1, 72)
    pose[0, 4 * 3] = np.pi / 2
    betas = torch.zeros(1, 10)
    rest = smpl_kinematic(torch.zeros(1, 72), betas).joints_smpl24[0]
    posed = smpl_kinematic(pose, betas).joints_smpl24[0]
    rot = Rotation.from_rotvec([np.pi / 2, 0, 0]).as_matrix()
    knee = rest[4].numpy()
    for j in (7, 10):
        expected = knee + rot @ (rest[j].numpy() - knee)
        np.testing.assert_allclose(posed[j].numpy(), expected, atol=1e-5)
    unchanged = [j for j in range(24) if j not in (7, 10)]
    np.testing.assert_allclose(
        posed[unchanged].numpy(), rest[unchanged].numpy(), atol=1e-6)
    # A root rotation with translation rotates everything about the pelvis.
    root = torch.zeros(1, 72)
    root[0, :3] = torch.tensor([0.3, -1.2, 0.5])
    transl = torch.tensor([[0.1, 0.2, 3.0]])
    out = smpl(root, torch.zeros(1, 10), transl)
    rest_out = smpl(torch.zeros(1, 72), torch.zeros(1, 10))
    rot = Rotation.from_rotvec([0.3, -1.2, 0.5]).as_matrix()
    pelvis = rest_out.joints[0, 0].numpy()
    expected = (rest_out.joints[0].numpy() - pelvis) @ rot.T + pelvis + [
        0.1, 0.2, 3.0
    ]
    np.testing.assert_allclose(out.joints[0].numpy(), expected, atol=1e-5)


def test_extra_joints_and_regressors(smpl, standin_body_model_dir):
    rng = np.random.default_rng(1)
    out = smpl(
        torch.tensor(rng.normal(scale=0.3, size=(2, 72)), dtype=torch.float32),
        torch.zeros(2, 10))
    verts = out.vertices.numpy()
    np.testing.assert_array_equal(out.joints[:, 24:29].numpy(),
                                  verts[:, [331, 2802, 6262, 3489, 3990]])
    extra = np.load(osp.join(standin_body_model_dir, 'J_regressor_extra.npy'))
    np.testing.assert_allclose(
        out.joints[:, 29].numpy(),
        verts.transpose(0, 2, 1) @ extra[3],
        atol=1e-5)
    h36m = np.load(
        osp.join(standin_body_model_dir, 'J_regressor_h36m_correct.npy'))
    np.testing.assert_allclose(
        smpl.regress_h36m(out.vertices).numpy(),
        np.einsum('kv,bvc->bkc', h36m, verts),
        atol=1e-5)
    assert smpl.regress_coco(out.vertices).shape == (2, 17, 3)


def test_betas_change_height_monotonically(smpl):
    betas = torch.zeros(7, 10)
    betas[:, 0] = torch.linspace(-3, 3, 7)
    verts = smpl(torch.zeros(7, 72), betas).vertices
    height = verts[..., 1].amax(1) - verts[..., 1].amin(1)
    assert (height.diff() > 0.01).all()
    assert 1.4 < float(height[3]) < 2.0  # a plausible adult at beta = 0


def test_genders_and_registry(standin_body_model_dir):
    male = MODELS.build(
        dict(
            type='SMPL', body_model_dir=standin_body_model_dir, gender='male'))
    female = SMPL(standin_body_model_dir, gender='female')
    zero = (torch.zeros(1, 72), torch.zeros(1, 10))
    v_m, v_f = male(*zero).vertices[0], female(*zero).vertices[0]
    assert float(v_m[:, 1].max() - v_m[:, 1].min()) > float(v_f[:, 1].max() -
                                                            v_f[:, 1].min())
    with pytest.raises(ValueError, match='gender'):
        SMPL(standin_body_model_dir, gender='other')


def test_input_errors(smpl):
    with pytest.raises(ValueError, match='pose'):
        smpl(torch.zeros(2, 69), torch.zeros(2, 10))
    with pytest.raises(ValueError, match='betas'):
        smpl(torch.zeros(2, 72), torch.zeros(2, 11))
    with pytest.raises(ValueError, match='transl'):
        smpl(torch.zeros(2, 72), torch.zeros(2, 10), torch.zeros(2, 2))


def test_missing_files_name_path_and_source(tmp_path, standin_body_model_dir):
    with pytest.raises(FileNotFoundError) as err:
        SMPL(str(tmp_path))
    msg = str(err.value)
    assert 'SMPL_NEUTRAL.pkl' in msg and str(tmp_path) in msg
    assert 'smpl.is.tue.mpg.de' in msg and 'smplify.is.tue.mpg.de' in msg
    # SMPL present, regressor missing.
    os.symlink(osp.join(standin_body_model_dir, 'smpl'), tmp_path / 'smpl')
    with pytest.raises(FileNotFoundError, match='J_regressor_extra.npy'):
        SMPL(str(tmp_path))


def test_regressor_rows_are_checked(tmp_path, standin_body_model_dir):
    for name in os.listdir(standin_body_model_dir):
        os.symlink(osp.join(standin_body_model_dir, name), tmp_path / name)
    os.remove(tmp_path / 'J_regressor_coco_hip_smpl.npy')
    np.save(tmp_path / 'J_regressor_coco_hip_smpl.npy',
            np.full((19, 6890), 1 / 6890))
    with pytest.raises(ValueError, match='19 rows.*coco_17'):
        SMPL(str(tmp_path))
    smpl = SMPL(str(tmp_path), coco_joint_set='coco_19', h36m_regressor=None)
    verts = smpl(torch.zeros(1, 72), torch.zeros(1, 10)).vertices
    assert smpl.regress_coco(verts).shape == (1, 19, 3)
    with pytest.raises(RuntimeError, match='h36m_regressor=None'):
        smpl.regress_h36m(verts)
    with pytest.raises(ValueError, match='joint_set "jotr_30" has 30'):
        SMPL(str(tmp_path), coco_joint_set='coco_19', extra_regressor_rows=())


def test_kinematic_tree_stays_on_the_cpu(smpl):
    """smplx indexes a Python list with ``parents[i]``: on a CUDA tensor a
    host sync per joint. The tree stays a CPU int tensor whatever the
    model's device (checked with the ``meta`` device, which no index can
    be read from) and equals SMPL's 24-joint tree."""
    parents = smpl.parents
    moved = copy.deepcopy(smpl).to('meta')
    assert moved.parents.device.type == 'cpu'
    assert moved.v_template.device.type == 'meta'
    assert torch.equal(moved.parents, parents)
    assert parents.tolist() == [
        -1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18,
        19, 20, 21
    ]
    assert 'parents' not in dict(smpl.named_buffers())
