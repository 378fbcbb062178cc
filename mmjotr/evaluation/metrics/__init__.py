# Copyright (c) mmjotr contributors. All rights reserved.
from .mesh_metric import MeshMetric

__all__ = ['MeshMetric']
