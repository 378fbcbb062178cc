# Copyright (c) mmjotr contributors. All rights reserved.
from .crop_pose_predictor import CropPosePredictor
from .jotr import JOTR

__all__ = ['JOTR', 'CropPosePredictor']
