# Copyright (c) mmjotr contributors. All rights reserved.
"""The stand-in body model generator (NOT SMPL): skeleton, mesh, SMPL-format
arrays, a joint-limit pose prior, the VPoser fit and the directory writer.

Not imported by ``mmjotr.body_models``: building ``SMPL`` does not load the
generator (it fits VPoser with a training loop).
"""
from .arrays import STANDIN_NOTE, build_standin_arrays
from .pose_prior import BODY_JOINT_LIMITS, sample_body_poses
from .vposer_fit import (VPoserFitReport, fit_vposer,
                         vposer_reconstruction_error)
from .writer import (STANDIN_INFO, STANDIN_VERSION, ensure_standin_body_model,
                     is_complete_standin, standin_fingerprint,
                     write_standin_body_model)

__all__ = [
    'STANDIN_NOTE', 'build_standin_arrays', 'BODY_JOINT_LIMITS',
    'sample_body_poses', 'VPoserFitReport', 'fit_vposer',
    'vposer_reconstruction_error', 'STANDIN_INFO', 'STANDIN_VERSION',
    'ensure_standin_body_model', 'is_complete_standin', 'standin_fingerprint',
    'write_standin_body_model'
]
