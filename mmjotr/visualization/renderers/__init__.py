# Copyright (c) mmjotr contributors. All rights reserved.
from .raster_renderer import RasterRenderer, vertex_normals
from .render_types import PinholeCamera, RenderMesh, RenderOutput

__all__ = [
    'PinholeCamera', 'RenderMesh', 'RenderOutput', 'RasterRenderer',
    'vertex_normals'
]
