# Copyright (c) mmjotr contributors. All rights reserved.
from .pose_guided_resnet import PoseGuidedResNet

__all__ = ['PoseGuidedResNet']
