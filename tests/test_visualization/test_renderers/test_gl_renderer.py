# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
from test_raster_renderer import uv_sphere  # same folder (rootdir import)

from mmjotr.visualization.renderers import (GLRenderer, PinholeCamera,
                                            RasterRenderer, RenderMesh,
                                            build_renderer)
from mmjotr.visualization.renderers import builder as builder_module
from mmjotr.visualization.renderers import gl_unavailable_reason

GL_REASON = gl_unavailable_reason()
needs_gl = pytest.mark.skipif(
    GL_REASON is not None,
    reason=f'no offscreen GL on this machine: {GL_REASON}')


def two_spheres():
    # the red sphere is nearer and overlaps the green one in the image
    cam = PinholeCamera(300., 300., 95.5, 80., 192, 160)
    near = RenderMesh(*uv_sphere((-0.2, 0.0, 3.0), 0.5), color=[1., 0, 0])
    far = RenderMesh(*uv_sphere((0.3, 0.1, 4.0), 0.7), color=[0, 1., 0])
    return cam, near, far


@needs_gl
def test_gl_and_raster_agree_on_masks_and_depth_order():
    cam, near, far = two_spheres()
    for meshes in ([near, far], [far, near]):
        gl = GLRenderer().render(meshes, cam)
        ref = RasterRenderer().render(meshes, cam)
        assert gl.color.shape == (160, 192, 3) and gl.face_id is None
        for i in range(2):
            a, b = gl.instance_id == i, ref.instance_id == i
            assert (a & b).sum() / (a | b).sum() >= 0.95
        both = gl.mask & ref.mask
        # the same mesh is in front wherever both drew something
        assert (gl.instance_id[both] == ref.instance_id[both]).mean() > 0.99
        # where the silhouettes overlap, the near sphere is the visible one
        idx_near = [m is near for m in meshes].index(True)
        cover_far = np.hypot(
            *np.mgrid[:160, :192][::-1] -
            np.array(cam.project(far.vertices).mean(0))[:, None, None]) < 40
        overlap = cover_far & (ref.instance_id == idx_near)
        assert overlap.sum() > 200
        assert (gl.instance_id[overlap] == idx_near).mean() > 0.99
        # depths agree to the quarter-pixel multisample offset
        err = np.abs(gl.depth[both] - ref.depth[both])
        assert np.median(err) < 0.01
        # shading is lit and coloured like the mesh (edge pixels blend
        # with what is behind: multisampling)
        red = gl.color[gl.instance_id == idx_near]
        assert red[:, 0].mean() > 0.2 and (red[:, 1:] < 0.02).mean() > 0.95


@needs_gl
def test_gl_empty_scene_and_auto_choice():
    cam, _, _ = two_spheres()
    out = GLRenderer().render([], cam)
    assert not out.mask.any() and np.isinf(out.depth).all()
    assert isinstance(build_renderer('auto'), GLRenderer)
    assert isinstance(build_renderer('gl'), GLRenderer)


def test_build_renderer_falls_back_with_a_reason(monkeypatch, capsys):
    assert isinstance(build_renderer('raster'), RasterRenderer)
    with pytest.raises(ValueError, match='unknown backend "vulkan"'):
        build_renderer('vulkan')

    class Broken:

        def __init__(self, **kwargs):
            raise RuntimeError('eglInitialize failed')

    monkeypatch.setattr(builder_module, 'GLRenderer', Broken)
    monkeypatch.setattr(builder_module, '_GL_FAILURE', None)
    with pytest.raises(RuntimeError, match='eglInitialize failed.*raster'):
        build_renderer('gl')
    monkeypatch.setattr(builder_module, '_GL_FAILURE', None)
    renderer = build_renderer('auto', ambient=0.5)
    assert isinstance(renderer, RasterRenderer) and renderer.ambient == 0.5
    assert 'eglInitialize failed' in builder_module._GL_FAILURE
