# Copyright (c) mmjotr contributors. All rights reserved.
from .mesh_data_preprocessor import MeshDataPreprocessor

__all__ = ['MeshDataPreprocessor']
