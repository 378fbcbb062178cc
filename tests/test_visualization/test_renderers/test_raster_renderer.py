# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest

from mmjotr.visualization.renderers import (PinholeCamera, RasterRenderer,
                                            RenderMesh)


def uv_sphere(center, radius, rings=48, segments=96):
    """Closed UV sphere (poles + rings), outward winding."""
    theta = np.linspace(0, np.pi, rings + 1)[1:-1]
    phi = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    t, p = np.meshgrid(theta, phi, indexing='ij')
    ring = np.stack([np.sin(t) * np.cos(p),
                     np.sin(t) * np.sin(p),
                     np.cos(t)],
                    axis=-1).reshape(-1, 3)
    verts = np.concatenate([[[0, 0, 1]], ring, [[0, 0, -1]]])
    faces = []
    n = segments
    for j in range(n):
        faces.append([0, 1 + j, 1 + (j + 1) % n])
    for i in range(rings - 2):
        for j in range(n):
            a = 1 + i * n + j
            b = 1 + i * n + (j + 1) % n
            faces += [[a, a + n, b], [b, a + n, b + n]]
    last = len(verts) - 1
    base = 1 + (rings - 2) * n
    for j in range(n):
        faces.append([base + j, last, base + (j + 1) % n])
    return verts * radius + np.asarray(center), np.asarray(faces)


def naive_coverage(tri_uv, height, width):
    """Pixel centres inside a 2D triangle, one pixel at a time."""
    (x0, y0), (x1, y1), (x2, y2) = tri_uv
    area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    mask = np.zeros((height, width), bool)
    for v in range(height):
        for u in range(width):
            w0 = ((x1 - u) * (y2 - v) - (x2 - u) * (y1 - v)) / area
            w1 = ((x2 - u) * (y0 - v) - (x0 - u) * (y2 - v)) / area
            w2 = 1 - w0 - w1
            mask[v, u] = min(w0, w1, w2) >= -1e-9
    return mask


def test_triangle_coverage_and_planar_depth():
    cam = PinholeCamera(fx=100., fy=100., cx=20., cy=15., width=40, height=30)
    # a triangle on the tilted plane z = 2 + 0.5 x (either winding)
    xy = np.array([[-0.15, -0.1], [0.17, -0.05], [0.02, 0.12]])
    verts = np.concatenate([xy, (2 + 0.5 * xy[:, :1])], axis=1)
    for faces in ([[0, 1, 2]], [[0, 2, 1]]):
        out = RasterRenderer().render([RenderMesh(verts, faces)], cam)
        expected = naive_coverage(cam.project(verts), 30, 40)
        np.testing.assert_array_equal(out.mask, expected)
        # depth of the ray through each covered pixel centre hitting the
        # plane: z = 2 + 0.5 * x, x = z * (u - cx) / fx
        v, u = np.nonzero(expected)
        ray_x = (u - cam.cx) / cam.fx
        z = 2 / (1 - 0.5 * ray_x)
        np.testing.assert_allclose(out.depth[v, u], z, rtol=1e-5)
        assert np.isinf(out.depth[~expected]).all()
        assert (out.face_id[expected] == 0).all()


def test_sphere_silhouette_depth_and_shading():
    cam = PinholeCamera(
        fx=300., fy=300., cx=64., cy=64., width=128, height=128)
    radius, dist = 0.5, 4.0
    verts, faces = uv_sphere([0, 0, dist], radius)
    out = RasterRenderer().render([RenderMesh(verts, faces)], cam)
    # exact silhouette of a sphere: a disc of angular radius asin(R / d)
    r_px = cam.fx * np.tan(np.arcsin(radius / dist))
    v, u = np.mgrid[:128, :128]
    dist_px = np.hypot(u - cam.cx, v - cam.cy)
    inside, outside = dist_px < r_px - 1.5, dist_px > r_px + 0.5
    assert out.mask[inside].all() and not out.mask[outside].any()
    assert abs(out.mask.sum() / (np.pi * r_px**2) - 1) < 0.03
    # the nearest point of the sphere sits at the image centre
    assert abs(out.depth[64, 64] - (dist - radius)) < 2e-3
    assert out.depth[out.mask].min() >= dist - radius - 1e-6
    # lit from the camera's side: the centre is brighter than the rim
    centre = out.color[64, 64].mean()
    rim = out.color[64, int(64 + r_px - 3)].mean()
    assert centre > rim > 0


def test_nearer_mesh_wins_and_ids():
    cam = PinholeCamera(
        fx=200., fy=200., cx=50., cy=50., width=100, height=100)
    near_sphere = uv_sphere([0.1, 0, 3.0], 0.4)
    far_sphere = uv_sphere([-0.1, 0, 5.0], 0.8)
    meshes = [
        RenderMesh(*far_sphere, color=[1, 0, 0]),
        RenderMesh(*near_sphere, color=[0, 0, 1])
    ]
    out = RasterRenderer().render(meshes, cam)
    # where both project, the near (index 1) sphere is seen
    alone_near = RasterRenderer().render(meshes[1:], cam)
    assert (out.instance_id[alone_near.mask] == 1).all()
    assert ((out.instance_id == 0) & ~alone_near.mask).sum() > 100
    assert out.color[out.instance_id == 1][:, 2].min() > 0
    assert out.color[out.instance_id == 1][:, 0].max() == 0
    assert out.face_id[out.mask].max() < len(near_sphere[1])
    # the order of the list does not matter
    swapped = RasterRenderer().render(meshes[::-1], cam)
    np.testing.assert_array_equal(swapped.mask, out.mask)
    np.testing.assert_array_equal(swapped.depth, out.depth)


def test_behind_camera_empty_and_bad_input():
    cam = PinholeCamera(fx=100., fy=100., cx=16., cy=16., width=32, height=32)
    verts, faces = uv_sphere([0, 0, -3.0], 0.5)
    out = RasterRenderer().render([RenderMesh(verts, faces)], cam)
    assert not out.mask.any()
    assert not RasterRenderer().render([], cam).mask.any()
    with pytest.raises(ValueError, match='face indices'):
        RenderMesh(verts, faces + len(verts))
    with pytest.raises(ValueError, match='NaN'):
        RenderMesh(np.full((3, 3), np.nan), [[0, 1, 2]])
    with pytest.raises(ValueError, match='image size'):
        PinholeCamera(100., 100., 0., 0., 0, 10)


def test_composite_blends_only_covered_pixels():
    cam = PinholeCamera(fx=100., fy=100., cx=16., cy=16., width=32, height=32)
    verts, faces = uv_sphere([0, 0, 2.0], 0.2)
    out = RasterRenderer().render([RenderMesh(verts, faces)], cam)
    img = np.full((32, 32, 3), 100, np.uint8)
    blended = out.composite(img, alpha=0.5)
    np.testing.assert_array_equal(blended[~out.mask], img[~out.mask])
    expect = np.clip(50 + 0.5 * 255 * out.color[out.mask] + 0.5, 0, 255)
    np.testing.assert_array_equal(blended[out.mask], expect.astype(np.uint8))


def test_back_face_culling_keeps_closed_mesh_image():
    cam = PinholeCamera(
        fx=300., fy=300., cx=64., cy=64., width=128, height=128)
    verts, faces = uv_sphere([0.2, -0.1, 4.0], 0.7)
    mesh = RenderMesh(verts, faces)
    full = RasterRenderer().render([mesh], cam)
    culled = RasterRenderer(cull_back_faces=True).render([mesh], cam)
    np.testing.assert_array_equal(culled.face_id, full.face_id)
    np.testing.assert_allclose(culled.color, full.color)
    # inside-out winding: the part facing the camera is culled and the far
    # side is seen, beyond the silhouette's tangent points at d - R^2 / d
    verts, faces = uv_sphere([0, 0, 4.0], 0.7)
    flipped = RenderMesh(verts, faces[:, ::-1])
    inside_out = RasterRenderer(cull_back_faces=True).render([flipped], cam)
    seen = inside_out.depth[inside_out.mask]
    assert seen.min() > 4.0 - 0.7**2 / 4.0 - 0.02  # tessellation slack
    assert seen.mean() > 4.0 > full.depth[full.mask].mean()
