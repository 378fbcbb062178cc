# Copyright (c) mmjotr contributors. All rights reserved.
from .fusion_decoder import DecoderOutput, FusionDecoder
from .fusion_head import FusionHead, FusionHeadOutput
from .mesh_targets import MeshTargets

__all__ = [
    'DecoderOutput', 'FusionDecoder', 'FusionHead', 'FusionHeadOutput',
    'MeshTargets'
]
