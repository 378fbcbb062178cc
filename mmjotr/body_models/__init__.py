# Copyright (c) mmjotr contributors. All rights reserved.
from .assets import (ASSET_FILES, ASSET_SOURCES, SMPL_GENDERS, find_asset,
                     smpl_model_path)
from .joint_sets import (H36M_EVAL_INDICES, JOINT_SETS, JointSet,
                         get_joint_set, joint_indices, map_joints)
from .smpl import JOTR_FACE_VERTICES, SMPL, SMPLOutput
from .smpl_pickle import (SMPL_ARRAY_KEYS, UnsafePickleError,
                          convert_smpl_pickle, load_smpl_arrays,
                          restricted_pickle_load, save_smpl_arrays)
from .vposer import VPoserV1, extract_vposer_state_dict, load_vposer_weights

# The stand-in generator is the subpackage ``mmjotr.body_models.standin``,
# imported explicitly where needed (not here).
__all__ = [
    'ASSET_FILES', 'ASSET_SOURCES', 'SMPL_GENDERS', 'find_asset',
    'smpl_model_path', 'JointSet', 'JOINT_SETS', 'H36M_EVAL_INDICES',
    'get_joint_set', 'joint_indices', 'map_joints', 'JOTR_FACE_VERTICES',
    'SMPL', 'SMPLOutput', 'SMPL_ARRAY_KEYS', 'UnsafePickleError',
    'convert_smpl_pickle', 'load_smpl_arrays', 'restricted_pickle_load',
    'save_smpl_arrays', 'VPoserV1', 'extract_vposer_state_dict',
    'load_vposer_weights'
]
