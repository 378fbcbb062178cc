# Copyright (c) mmjotr contributors. All rights reserved.
"""SynthOcc, the procedural occluded-human benchmark (see generator)."""
from .detector_noise import DetectorNoise
from .generator import (SPLITS, SYNTHOCC_INFO, SYNTHOCC_VERSION,
                        SynthOccGenerator, SynthOccSettings, ensure_synthocc,
                        is_complete_synthocc, write_synthocc)
from .visibility import joint_visibility, occlusion_ratio

__all__ = [
    'DetectorNoise', 'SPLITS', 'SYNTHOCC_INFO', 'SYNTHOCC_VERSION',
    'SynthOccGenerator', 'SynthOccSettings', 'ensure_synthocc',
    'is_complete_synthocc', 'write_synthocc', 'joint_visibility',
    'occlusion_ratio'
]
