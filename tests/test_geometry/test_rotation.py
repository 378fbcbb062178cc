# Copyright (c) mmjotr contributors. All rights reserved.
import math

import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from mmjotr.geometry import (axis_angle_to_quaternion, axis_angle_to_rotmat,
                             batch_rodrigues, quaternion_to_axis_angle,
                             quaternion_to_rotmat, rot6d_to_rotmat,
                             rotmat_to_axis_angle, rotmat_to_quaternion)


def _edge_axis_angles() -> torch.Tensor:
    """Angles 0, tiny, pi and just below pi about several axes."""
    axes = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1],
                     [-0.3, 0.8, -0.5]],
                    dtype=np.float64)
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    angles = [0.0, 1e-9, 1e-6, 1e-3, math.pi / 2, math.pi - 1e-4, math.pi]
    return torch.tensor(
        np.concatenate([axes * a for a in angles]), dtype=torch.float32)


def _random_axis_angles(n: int = 256, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    rotvec = Rotation.random(n, random_state=seed).as_rotvec()
    rotvec *= rng.uniform(0.0, 1.0, (n, 1))**0.5  # spread over [0, pi)
    return torch.tensor(rotvec, dtype=torch.float32)


def _same_rotation_axis_angle(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Axis-angles equal, allowing the (axis, pi) == (-axis, pi) ambiguity."""
    close = (a - b).norm(dim=-1) < 1e-5
    at_pi = (a.norm(dim=-1) - math.pi).abs() < 1e-3
    flipped = (a + b).norm(dim=-1) < 1e-5
    return bool((close | (at_pi & flipped)).all())


@pytest.mark.parametrize('make', [_edge_axis_angles, _random_axis_angles])
def test_axis_angle_rotmat_matches_scipy_and_round_trips(make):
    rotvec = make()
    rotmat = axis_angle_to_rotmat(rotvec)
    expected = Rotation.from_rotvec(rotvec.double().numpy()).as_matrix()
    np.testing.assert_allclose(rotmat.numpy(), expected, atol=1e-6)
    assert _same_rotation_axis_angle(rotmat_to_axis_angle(rotmat), rotvec)
    assert torch.equal(batch_rodrigues(rotvec), rotmat)


@pytest.mark.parametrize('make', [_edge_axis_angles, _random_axis_angles])
def test_quaternions_are_wxyz_and_round_trip(make):
    rotvec = make()
    quat = axis_angle_to_quaternion(rotvec)
    xyzw = Rotation.from_rotvec(rotvec.double().numpy()).as_quat()
    expected = np.concatenate([xyzw[:, 3:], xyzw[:, :3]], axis=1)
    expected *= np.where(expected[:, :1] < 0, -1.0, 1.0)
    assert (quat[:, 0] >= 0).all()
    # At angle pi, w = 0 and the sign of the quaternion is free.
    sign = np.where(np.abs(expected - quat.numpy()).max(1) < 1e-3, 1, -1)
    np.testing.assert_allclose(
        quat.numpy(), expected * sign[:, None], atol=1e-6)
    assert _same_rotation_axis_angle(quaternion_to_axis_angle(quat), rotvec)
    rotmat = axis_angle_to_rotmat(rotvec)
    np.testing.assert_allclose(
        quaternion_to_rotmat(quat).numpy(), rotmat.numpy(), atol=1e-6)
    quat_from_mat = rotmat_to_quaternion(rotmat)
    np.testing.assert_allclose(
        quaternion_to_rotmat(quat_from_mat).numpy(), rotmat.numpy(), atol=1e-5)


def test_quaternion_inputs_are_normalised():
    quat = torch.tensor([[2.0, 0.0, 0.0, 2.0]])  # 90 deg about z, norm 2.83
    np.testing.assert_allclose(
        quaternion_to_axis_angle(quat).numpy(), [[0, 0, math.pi / 2]],
        atol=1e-6)
    np.testing.assert_allclose(
        quaternion_to_rotmat(quat).numpy(),
        [[[0, -1, 0], [1, 0, 0], [0, 0, 1]]],
        atol=1e-6)


def test_rot6d_is_gram_schmidt_on_columns():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 6)).astype(np.float32)
    rotmat = rot6d_to_rotmat(torch.from_numpy(x)).numpy()
    # Naive per-sample Gram-Schmidt on the columns of x.reshape(3, 2).
    for xi, ri in zip(x.astype(np.float64), rotmat):
        a1, a2 = xi.reshape(3, 2)[:, 0], xi.reshape(3, 2)[:, 1]
        b1 = a1 / np.linalg.norm(a1)
        b2 = a2 - b1.dot(a2) * b1
        b2 /= np.linalg.norm(b2)
        expected = np.stack([b1, b2, np.cross(b1, b2)], axis=1)
        np.testing.assert_allclose(ri, expected, atol=1e-5)
    # A rotation's own first two columns give the rotation back.
    rot = axis_angle_to_rotmat(_random_axis_angles(32))
    six = rot[..., :2].reshape(32, 6)
    np.testing.assert_allclose(
        rot6d_to_rotmat(six).numpy(), rot.numpy(), atol=1e-6)
    # Leading dimensions are kept; degenerate input stays finite.
    assert rot6d_to_rotmat(torch.zeros(2, 5, 6)).shape == (2, 5, 3, 3)
    assert torch.isfinite(rot6d_to_rotmat(torch.zeros(1, 6))).all()


def test_gradients_are_finite_at_zero_and_pi():
    rotvec = _edge_axis_angles().double().requires_grad_(True)
    out = rotmat_to_axis_angle(axis_angle_to_rotmat(rotvec))
    quat = axis_angle_to_quaternion(rotvec)
    loss = (out * torch.linspace(-1, 1, 3, dtype=torch.float64)).sum()
    loss = loss + quaternion_to_axis_angle(quat).sum()
    loss = loss + quaternion_to_rotmat(quat).sum()
    loss = loss + rotmat_to_quaternion(axis_angle_to_rotmat(rotvec)).sum()
    loss.backward()
    assert torch.isfinite(rotvec.grad).all()
    six = torch.randn(4, 6, requires_grad=True)
    rot6d_to_rotmat(six).sum().backward()
    assert torch.isfinite(six.grad).all()


def test_gradient_of_rodrigues_matches_finite_differences():
    rotvec = torch.tensor([[0.3, -0.2, 0.5], [0.0, 0.0, 0.0]],
                          dtype=torch.float64,
                          requires_grad=True)
    assert torch.autograd.gradcheck(axis_angle_to_rotmat, (rotvec, ))


@pytest.mark.parametrize('fn,shape', [(rot6d_to_rotmat, (2, 5)),
                                      (axis_angle_to_rotmat, (2, 4)),
                                      (rotmat_to_axis_angle, (2, 3, 2)),
                                      (quaternion_to_rotmat, (2, 3))])
def test_wrong_shapes_are_refused(fn, shape):
    with pytest.raises(ValueError, match=fn.__name__):
        fn(torch.zeros(shape))
