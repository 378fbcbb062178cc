# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch

from mmjotr.geometry import (CAMERA_DEPTH_SCALE, apply_affine,
                             cam_param_to_translation, crop_to_full_camera,
                             default_focal_length, perspective_projection)


def test_cam_param_to_translation_hand_values():
    # k = sqrt(5000^2 * 2.5^2 / 256^2) = 5000 * 2.5 / 256 = 48.828125
    assert CAMERA_DEPTH_SCALE == pytest.approx(48.828125)
    cam = torch.tensor([[0.1, -0.2, 0.0], [0.0, 0.0, 2.0]])
    transl = cam_param_to_translation(cam)
    sig2 = 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose(
        transl.numpy(),
        [[0.1, -0.2, 24.4140625], [0.0, 0.0, 48.828125 * sig2]],
        rtol=1e-6)


def test_perspective_projection_matches_numpy():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(3, 7, 3)).astype(np.float32) * 0.5
    transl = np.array([[0.1, 0.2, 20.0], [0, 0, 30.0], [-0.3, 0.1, 10.0]],
                      dtype=np.float32)
    out = perspective_projection(
        torch.from_numpy(points), torch.from_numpy(transl)).numpy()
    cam = points.astype(np.float64) + transl[:, None]
    expected = 5000 * cam[..., :2] / (cam[..., 2:] + 1e-4) + 128
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-3)
    # A custom camera, and a point on the optical axis hits the centre.
    out = perspective_projection(
        torch.zeros(1, 1, 3),
        torch.tensor([[0., 0., 5.]]),
        focal=100.,
        princpt=(10., 20.))
    np.testing.assert_allclose(out.numpy(), [[[10., 20.]]])


def test_perspective_projection_shape_errors():
    with pytest.raises(ValueError, match='transl'):
        perspective_projection(torch.zeros(2, 4, 3), torch.zeros(3, 3))
    with pytest.raises(ValueError, match='points'):
        perspective_projection(torch.zeros(2, 4, 2), torch.zeros(2, 3))


def test_apply_affine_matches_homogeneous_numpy():
    rng = np.random.default_rng(1)
    mat = rng.normal(size=(4, 2, 3))
    xy = rng.normal(size=(4, 30, 2))
    homog = np.concatenate([xy, np.ones((4, 30, 1))], axis=-1)
    expected = np.einsum('bij,bkj->bki', mat, homog)
    np.testing.assert_allclose(apply_affine(xy, mat), expected, atol=1e-12)
    out = apply_affine(torch.from_numpy(xy), torch.from_numpy(mat))
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-12)
    # One matrix for all points of one sample.
    np.testing.assert_allclose(
        apply_affine(xy[0], mat[0]), expected[0], atol=1e-12)
    with pytest.raises(ValueError, match='apply_affine'):
        apply_affine(xy, mat[..., :2])


def _crop_affine(centre, side):
    """crop px -> image px for a square box of ``side`` about ``centre``."""
    s = side / 256.
    return np.array([[s, 0, centre[0] - 128 * s], [0, s, centre[1] - 128 * s]])


def test_crop_to_full_camera_hand_values():
    # box of side 512 centred at (700, 300): s = 2; image 1000 x 600,
    # focal 1000, principal point (500, 300); crop t = (0.1, -0.2, 40)
    mat = _crop_affine((700., 300.), 512.)[None]
    out = crop_to_full_camera(
        np.array([[0.1, -0.2, 40.]]), mat, 1000., (500., 300.))
    tz = 40. * 1000. / (2. * 5000.)  # 4 m
    np.testing.assert_allclose(
        out, [[0.1 + 200. * tz / 1000., -0.2, tz]], rtol=1e-6)
    assert default_focal_length(600, 800) == pytest.approx(1000.)


def test_crop_to_full_camera_matches_crop_projection_at_root_depth():
    # Points of the body frame at depth 0 project to the same image pixel
    # through the crop camera (+ crop_to_img) and the full-image camera.
    rng = np.random.default_rng(1)
    n = 4
    cam_t = np.stack(
        [rng.normal(0, .1, n),
         rng.normal(0, .1, n),
         rng.uniform(20, 60, n)], 1)
    mats = np.stack([
        _crop_affine(rng.uniform(100, 900, 2), rng.uniform(50, 600))
        for _ in range(n)
    ])
    focal, princpt = 1200., (640., 360.)
    full = crop_to_full_camera(
        torch.tensor(cam_t), torch.tensor(mats), focal, princpt)
    assert isinstance(full, torch.Tensor)
    pts = rng.normal(0, .5, (n, 9, 3))
    pts[..., 2] = 0.
    crop_uv = perspective_projection(torch.tensor(pts),
                                     torch.tensor(cam_t)).numpy()
    img_uv = apply_affine(crop_uv, mats)
    cam_pts = pts + full.double().numpy()[:, None]
    full_uv = focal * cam_pts[..., :2] / cam_pts[..., 2:] + princpt
    np.testing.assert_allclose(full_uv, img_uv, atol=1e-2)


def test_crop_to_full_camera_rejects_rotated_crops():
    mat = _crop_affine((100., 100.), 200.)
    mat[0, 1] = 0.3
    with pytest.raises(ValueError, match='no rotation'):
        crop_to_full_camera(np.zeros((1, 3)), mat[None], 1000., (0., 0.))
    with pytest.raises(ValueError, match=r'cam_t \(N, 3\)'):
        crop_to_full_camera(np.zeros((2, 3)), mat[None], 1000., (0., 0.))
