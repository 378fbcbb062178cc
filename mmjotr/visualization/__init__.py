# Copyright (c) mmjotr contributors. All rights reserved.
from .renderers import (PinholeCamera, RasterRenderer, RenderMesh,
                        RenderOutput)

__all__ = ['PinholeCamera', 'RasterRenderer', 'RenderMesh', 'RenderOutput']
