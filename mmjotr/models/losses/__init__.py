# Copyright (c) mmjotr contributors. All rights reserved.
from .base_joint_contrastive_loss import (BaseJointContrastiveLoss,
                                          ContrastInputs)
from .contrastive_sampling import (ContrastIndices, nonjoint_voxel_mask,
                                   sample_joint_to_joint,
                                   sample_joint_to_nonjoint)
from .joint_to_joint_loss import (JointToJointContrastiveLoss,
                                  joint_to_joint_nce)
from .joint_to_nonjoint_loss import (JointToNonJointContrastiveLoss,
                                     joint_to_nonjoint_nce)
from .masked_l1_loss import MaskedL1Loss
from .uncertainty_weighting import UncertaintyWeighting

__all__ = [
    'BaseJointContrastiveLoss', 'ContrastInputs', 'ContrastIndices',
    'nonjoint_voxel_mask', 'sample_joint_to_joint', 'sample_joint_to_nonjoint',
    'JointToJointContrastiveLoss', 'joint_to_joint_nce',
    'JointToNonJointContrastiveLoss', 'joint_to_nonjoint_nce', 'MaskedL1Loss',
    'UncertaintyWeighting'
]
