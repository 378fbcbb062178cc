# Copyright (c) mmjotr contributors. All rights reserved.
from .mesh_inferencer import MeshInferencer, refresh_geometry

__all__ = ['MeshInferencer', 'refresh_geometry']
