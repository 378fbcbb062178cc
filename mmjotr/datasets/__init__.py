# Copyright (c) mmjotr contributors. All rights reserved.
from .annotation_pickle import UnsafeAnnotationError, load_annotation_pickle
from .base_mesh_dataset import AnnotationError, BaseMeshDataset
from .coco_smpl import CocoSMPLDataset
from .crowdpose_smpl import CrowdPoseSMPLDataset
from .human36m import Human36MDataset
from .mixed_dataset import MixedMeshDataset
from .muco import MuCoDataset
from .oh3d import OH3DDataset
from .panoptic import PANOPTIC_SEQUENCES, PanopticDataset
from .pw3d import CROWD_SEQUENCES, PW3DDataset
from .synthocc_dataset import SynthOccDataset
from .transforms import *  # noqa: F401,F403

__all__ = [
    'AnnotationError', 'BaseMeshDataset', 'Human36MDataset', 'MuCoDataset',
    'CocoSMPLDataset', 'CrowdPoseSMPLDataset', 'PW3DDataset', 'OH3DDataset',
    'PanopticDataset', 'MixedMeshDataset', 'SynthOccDataset',
    'CROWD_SEQUENCES', 'PANOPTIC_SEQUENCES', 'UnsafeAnnotationError',
    'load_annotation_pickle'
]
