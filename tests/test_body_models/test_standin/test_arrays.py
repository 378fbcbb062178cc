# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest

from mmjotr.body_models.standin import STANDIN_NOTE, build_standin_arrays


@pytest.fixture(scope='module')
def built():
    return build_standin_arrays(seed=0)


def test_smpl_array_names_and_shapes(built):
    models, regressors = built
    assert set(models) == {'neutral', 'male', 'female'}
    shapes = {
        'v_template': (6890, 3),
        'f': (13776, 3),
        'shapedirs': (6890, 3, 10),
        'posedirs': (6890, 3, 207),
        'J_regressor': (24, 6890),
        'weights': (6890, 24),
        'kintree_table': (2, 24),
        'J': (24, 3)
    }
    for model in models.values():
        for key, shape in shapes.items():
            assert model[key].shape == shape, key
        assert model['standin_note'] == STANDIN_NOTE
    assert models['neutral']['kintree_table'][0].tolist() == [
        -1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18,
        19, 20, 21
    ]
    assert {
        k: v.shape
        for k, v in regressors.items()
    } == {
        'J_regressor_extra.npy': (9, 6890),
        'J_regressor_h36m_correct.npy': (17, 6890),
        'J_regressor_coco_hip_smpl.npy': (17, 6890)
    }


def test_mesh_is_one_closed_oriented_genus0_surface(built):
    faces = built[0]['neutral']['f']
    verts = built[0]['neutral']['v_template']
    edges = np.concatenate(
        [faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    directed = set(map(tuple, edges))
    assert len(directed) == len(edges)  # no directed edge twice
    assert all((b, a) in directed for a, b in directed)  # closed, oriented
    num_edges = len(edges) // 2
    assert 6890 - num_edges + 13776 == 2  # Euler characteristic: genus 0
    assert len(np.unique(faces)) == 6890
    tri = verts[faces]
    volume = np.einsum('ij,ij->i', tri[:, 0], np.cross(tri[:, 1],
                                                       tri[:, 2])).sum() / 6
    assert 0.04 < volume < 0.12  # outward normals; adult volume in m^3
    area = np.linalg.norm(
        np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    assert area.min() > 0


def test_skeleton_weights_and_regressors(built):
    model = built[0]['neutral']
    weights = model['weights']
    assert weights.min() >= 0
    np.testing.assert_allclose(weights.sum(1), 1, atol=1e-12)
    assert (weights.max(0) > 0.99).sum() >= 22  # (almost) every joint owns
    for reg in [model['J_regressor'], *built[1].values()]:
        np.testing.assert_allclose(reg.sum(1), 1, atol=1e-9)
    joints = model['J']
    assert joints[15, 1] > joints[12, 1] > joints[9, 1] > joints[0, 1]
    assert joints[7, 1] < joints[4, 1] < joints[1, 1]
    assert joints[16, 0] > 0 > joints[17, 0]  # left is +x
    np.testing.assert_allclose(joints[1] * [-1, 1, 1], joints[2], atol=1e-9)


def test_face_landmarks_and_head_top(built):
    verts = built[0]['neutral']['v_template']
    nose, l_eye, r_eye, l_ear, r_ear = verts[[331, 2802, 6262, 3489, 3990]]
    head_top = built[1]['J_regressor_extra.npy'][3] @ verts
    assert abs(nose[0]) < 1e-9 and nose[2] > max(l_eye[2], l_ear[2])
    assert l_eye[0] > 0 > r_eye[0] and l_ear[0] > l_eye[0]
    np.testing.assert_allclose(l_eye * [-1, 1, 1], r_eye, atol=1e-9)
    assert head_top[1] == pytest.approx(verts[:, 1].max())
    assert l_eye[1] > nose[1]


def test_deterministic_and_seeded():
    a, _ = build_standin_arrays(seed=0)
    b, _ = build_standin_arrays(seed=0)
    c, _ = build_standin_arrays(seed=1)
    for key in ('v_template', 'posedirs', 'f', 'weights'):
        assert np.array_equal(a['male'][key], b['male'][key])
    assert np.array_equal(a['male']['v_template'], c['male']['v_template'])
    assert not np.array_equal(a['male']['posedirs'], c['male']['posedirs'])
