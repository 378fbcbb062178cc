# Copyright (c) mmjotr contributors. All rights reserved.
from .builder import build_renderer, gl_unavailable_reason
from .gl_renderer import GLRenderer
from .raster_renderer import RasterRenderer, vertex_normals
from .render_types import PinholeCamera, RenderMesh, RenderOutput

__all__ = [
    'PinholeCamera', 'RenderMesh', 'RenderOutput', 'RasterRenderer',
    'GLRenderer', 'build_renderer', 'gl_unavailable_reason', 'vertex_normals'
]
