# Copyright (c) mmjotr contributors. All rights reserved.
from .mesh_visualizer import PALETTE, MeshVisualizer
from .renderers import (GLRenderer, PinholeCamera, RasterRenderer, RenderMesh,
                        RenderOutput, build_renderer)

__all__ = [
    'MeshVisualizer', 'PALETTE', 'PinholeCamera', 'RasterRenderer',
    'GLRenderer', 'RenderMesh', 'RenderOutput', 'build_renderer'
]
