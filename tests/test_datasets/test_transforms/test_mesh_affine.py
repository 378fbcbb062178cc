# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np

from mmjotr.datasets.transforms import RandomMeshAffine, crop_affine
from mmjotr.geometry import apply_affine


def test_crop_affine_hand_values():
    box = np.array([100., 50., 300., 250.])  # centre (200, 150), side 200
    mat = crop_affine(box, 256, 1.0, 0., False)
    pts = np.array([[200., 150.], [100., 50.], [300., 250.]])
    np.testing.assert_allclose(
        apply_affine(pts, mat), [[128., 128.], [0., 0.], [256., 256.]],
        atol=1e-4)
    # zoom out by 2, flip: the left edge goes right
    mat = crop_affine(box, 256, 2.0, 0., True)
    np.testing.assert_allclose(
        apply_affine(np.array([[100., 150.]]), mat), [[192., 128.]], atol=1e-4)
    # 90 degrees: a point right of the centre goes below it (y down)
    mat = crop_affine(box, 256, 1.0, 90., False)
    np.testing.assert_allclose(
        apply_affine(np.array([[250., 150.]]), mat), [[128., 192.]], atol=1e-4)


def test_crop_affine_flip_and_rotation_hand_values():
    """``q = k R F (p - c) + size / 2``: mirror first, then rotate."""
    box = np.array([100., 50., 300., 250.])  # centre (200, 150), side 200
    # 90 degrees and flip: k R F = 1.28 [[0, -1], [1, 0]] diag(-1, 1)
    # = [[0, -1.28], [-1.28, 0]]; translation 128 - k R F c = (320, 384)
    mat = crop_affine(box, 256, 1.0, 90., True)
    np.testing.assert_allclose(
        mat, [[0., -1.28, 320.], [-1.28, 0., 384.]], atol=1e-4)
    # right of the centre: mirrored to the left (-50, 0), turned to
    # (0, -50), i.e. above the crop centre (rotating first would put it
    # below); below the centre: stays below, turned to the left
    np.testing.assert_allclose(
        apply_affine(np.array([[250., 150.], [200., 200.]]), mat),
        [[128., 64.], [64., 128.]],
        atol=1e-4)
    # 30 degrees, flip, zoom out 1.25: k = 256 / 250; the right edge's
    # midpoint (100, 0) from the centre -> (-100, 0) -> (-100 cos 30,
    # -100 sin 30)
    mat = crop_affine(box, 256, 1.25, 30., True)
    c, s, k = np.sqrt(3.) / 2., 0.5, 1.024
    np.testing.assert_allclose(
        mat[:, :2], [[-k * c, -k * s], [-k * s, k * c]], atol=1e-6)
    np.testing.assert_allclose(
        apply_affine(np.array([[300., 150.]]), mat),
        [[128. - k * 100. * c, 128. - k * 100. * s]],
        atol=1e-4)
    # R(a) F = F R(-a): the flipped crop rotated by +a mirrors (about the
    # crop's centre column) the unflipped crop rotated by -a
    pts = np.array([[130., 70.], [260., 240.], [210., 140.]])
    plain = apply_affine(pts, crop_affine(box, 256, 1.25, -30., False))
    np.testing.assert_allclose(
        apply_affine(pts, mat), plain * [-1., 1.] + [256., 0.], atol=1e-4)


def test_random_mesh_affine_warps_image_like_points():
    img = np.zeros((480, 640, 3), np.uint8)
    img[200:203, 300:303] = 255  # a bright 3x3 dot around (301, 201)
    np.random.seed(3)
    t = RandomMeshAffine(rot_prob=1., flip_prob=1., color_range=(1., 1.))
    res = t(dict(img=img, bbox_crop=np.array([200., 100., 440., 340.])))
    assert res['img'].shape == (256, 256, 3) and res['img'].dtype == np.uint8
    assert res['flip'] and res['rot_deg'] != 0.
    expected = apply_affine(np.array([[301., 201.]]), res['img_to_crop'])
    ys, xs = np.nonzero(res['img'][..., 0] > 0)
    weights = res['img'][ys, xs, 0].astype(float)
    centre = [np.average(xs, weights=weights), np.average(ys, weights=weights)]
    np.testing.assert_allclose(centre, expected[0], atol=1.0)
    back = apply_affine(expected, res['crop_to_img'])
    np.testing.assert_allclose(back, [[301., 201.]], atol=1e-3)


def test_random_mesh_affine_ranges_and_test_mode():
    img = np.full((100, 100, 3), 100, np.uint8)
    t = RandomMeshAffine()
    np.random.seed(0)
    scales, rots, flips, gains = [], [], [], []
    for _ in range(400):
        res = t(dict(img=img, bbox_crop=np.array([0., 0., 99., 99.])))
        scales.append(res['aug_scale'])
        rots.append(res['rot_deg'])
        flips.append(res['flip'])
        gains.append(res['img'][128, 128] / 100.)
    assert 0.75 <= min(scales) and max(scales) <= 1.25
    assert max(np.abs(rots)) <= 60.
    assert 0.3 < np.mean(np.array(rots) == 0.) < 0.5  # rotation prob 0.6
    assert 0.4 < np.mean(flips) < 0.6
    assert np.min(gains) >= 0.79 and np.max(gains) <= 1.21
    res = RandomMeshAffine(test_mode=True)(
        dict(img=img, bbox_crop=np.array([0., 0., 99., 99.])))
    assert not res['flip'] and res['rot_deg'] == 0. and \
        res['aug_scale'] == 1.
    assert (res['img'][128, 128] == 100).all()
