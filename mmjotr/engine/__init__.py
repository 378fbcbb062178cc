# Copyright (c) mmjotr contributors. All rights reserved.
from .hooks import MeshVisualizationHook

__all__ = ['MeshVisualizationHook']
