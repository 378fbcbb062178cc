# Copyright (c) mmjotr contributors. All rights reserved.
from .assets import (ASSET_FILES, ASSET_SOURCES, SMPL_GENDERS, find_asset,
                     smpl_model_path)
from .joint_sets import (H36M_EVAL_INDICES, JOINT_SETS, JointSet,
                         get_joint_set, joint_indices, map_joints)
from .pose_prior import BODY_JOINT_LIMITS, sample_body_poses
from .smpl import JOTR_FACE_VERTICES, SMPL, SMPLOutput
from .smpl_pickle import (SMPL_ARRAY_KEYS, UnsafePickleError,
                          convert_smpl_pickle, load_smpl_arrays,
                          restricted_pickle_load, save_smpl_arrays)
from .standin import (STANDIN_VERSION, ensure_standin_body_model,
                      is_complete_standin, write_standin_body_model)
from .toy import STANDIN_NOTE, build_standin_arrays
from .vposer import VPoserV1, extract_vposer_state_dict, load_vposer_weights
from .vposer_fit import (VPoserFitReport, fit_vposer,
                         vposer_reconstruction_error)

__all__ = [
    'ASSET_FILES', 'ASSET_SOURCES', 'SMPL_GENDERS', 'find_asset',
    'smpl_model_path', 'JointSet', 'JOINT_SETS', 'H36M_EVAL_INDICES',
    'get_joint_set', 'joint_indices', 'map_joints', 'BODY_JOINT_LIMITS',
    'sample_body_poses', 'JOTR_FACE_VERTICES', 'SMPL', 'SMPLOutput',
    'SMPL_ARRAY_KEYS', 'UnsafePickleError', 'convert_smpl_pickle',
    'load_smpl_arrays', 'restricted_pickle_load', 'save_smpl_arrays',
    'STANDIN_VERSION', 'ensure_standin_body_model', 'is_complete_standin',
    'write_standin_body_model', 'STANDIN_NOTE', 'build_standin_arrays',
    'VPoserV1', 'extract_vposer_state_dict', 'load_vposer_weights',
    'VPoserFitReport', 'fit_vposer', 'vposer_reconstruction_error'
]
