# Copyright (c) mmjotr contributors. All rights reserved.
"""Where the files of a body model directory live and where they come from.

Real (licensed) files and the project's stand-in share one layout::

    <body_model_dir>/
      smpl/SMPL_NEUTRAL.pkl  SMPL_MALE.pkl  SMPL_FEMALE.pkl
      J_regressor_extra.npy
      J_regressor_h36m_correct.npy
      J_regressor_coco_hip_smpl.npy
      vposer_v1_0/snapshots/TR00_E096.pt
"""
import os.path as osp
from typing import Dict

import numpy as np

__all__ = [
    'SMPL_GENDERS', 'ASSET_FILES', 'ASSET_SOURCES', 'smpl_model_path',
    'find_asset', 'load_numeric_npy'
]

#: Gender name -> file name inside ``<body_model_dir>/smpl``.
SMPL_GENDERS: Dict[str, str] = {
    'neutral': 'SMPL_NEUTRAL.pkl',
    'male': 'SMPL_MALE.pkl',
    'female': 'SMPL_FEMALE.pkl',
}

#: Asset key -> path relative to the body model directory.
ASSET_FILES: Dict[str, str] = {
    'smpl_neutral': 'smpl/SMPL_NEUTRAL.pkl',
    'smpl_male': 'smpl/SMPL_MALE.pkl',
    'smpl_female': 'smpl/SMPL_FEMALE.pkl',
    'regressor_extra': 'J_regressor_extra.npy',
    'regressor_h36m': 'J_regressor_h36m_correct.npy',
    'regressor_coco': 'J_regressor_coco_hip_smpl.npy',
    'vposer': 'vposer_v1_0/snapshots/TR00_E096.pt',
}

_SMPL_SOURCE = (
    'the SMPL project page https://smpl.is.tue.mpg.de (SMPL v1.0.0 for '
    'Python: basicModel_{m,f}_lbs_10_207_0_v1.0.0.pkl) and, for the neutral '
    'model, the SMPLify project page https://smplify.is.tue.mpg.de '
    '(basicModel_neutral_lbs_10_207_0_v1.0.0.pkl); convert each with '
    '`python tools/misc/convert_smpl_pkl.py IN.pkl OUT.pkl` and save it '
    'under the name shown')
_REGRESSOR_SOURCE = (
    'the data downloads of I2L-MeshNet '
    '(https://github.com/mks0601/I2L-MeshNet_RELEASE) / 3DCrowdNet '
    '(https://github.com/hongsukchoi/3DCrowdNet_RELEASE), which JOTR uses')

#: Asset key -> human-readable origin, quoted in missing-file errors.
ASSET_SOURCES: Dict[str, str] = {
    'smpl_neutral':
    _SMPL_SOURCE,
    'smpl_male':
    _SMPL_SOURCE,
    'smpl_female':
    _SMPL_SOURCE,
    'regressor_extra':
    ('the SPIN data archive (https://github.com/nkolot/SPIN, '
     'fetch_data.sh), also shipped with I2L-MeshNet / 3DCrowdNet'),
    'regressor_h36m':
    _REGRESSOR_SOURCE + ' (Human36M folder)',
    'regressor_coco':
    _REGRESSOR_SOURCE + ' (MSCOCO folder)',
    'vposer':
    ('the SMPL-X project page https://smpl-x.is.tue.mpg.de (download '
     '"VPoser v1.0", unzip to vposer_v1_0/); a JOTR checkpoint also '
     'contains these weights (vposer.vposer.* keys)'),
}

_STANDIN_HINT = ('For tests and the quick start, generate the stand-in body '
                 'model instead: `python tools/misc/make_standin_body_model.py'
                 ' --out-dir data/standin/body_models`.')


def smpl_model_path(body_model_dir: str, gender: str) -> str:
    """Return the existing SMPL file of ``gender`` (see :func:`find_asset`).

    Args:
        body_model_dir (str): the body model directory.
        gender (str): ``'neutral'``, ``'male'`` or ``'female'``.

    Returns:
        str: path of the pickle.
    """
    if gender not in SMPL_GENDERS:
        raise ValueError(f'unknown SMPL gender "{gender}"; expected one of '
                         f'{sorted(SMPL_GENDERS)}')
    return find_asset(body_model_dir, f'smpl_{gender}')


def find_asset(body_model_dir: str, key: str) -> str:
    """Resolve an asset of a body model directory, failing helpfully.

    Args:
        body_model_dir (str): the body model directory.
        key (str): a key of :data:`ASSET_FILES`.

    Returns:
        str: the path of the file, which exists.

    Raises:
        FileNotFoundError: naming the file, the path searched and where the
            file comes from.
    """
    if key not in ASSET_FILES:
        raise KeyError(f'unknown body model asset "{key}"; known: '
                       f'{sorted(ASSET_FILES)}')
    path = osp.join(body_model_dir, ASSET_FILES[key])
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Body model file {osp.basename(path)} not found: searched '
            f'{osp.abspath(path)} (body_model_dir={body_model_dir!r}). It '
            f'comes from {ASSET_SOURCES[key]}. {_STANDIN_HINT}')
    return path


def load_numeric_npy(path: str) -> np.ndarray:
    """Read a ``.npy`` file of numbers, never unpickling objects.

    Args:
        path (str): the file (e.g. a joint regressor).

    Returns:
        np.ndarray: its array (a number dtype).

    Raises:
        ValueError: naming the file when it holds pickled objects or is no
            readable ``.npy`` file (no code from it runs).
    """
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as err:
        raise ValueError(
            f'{path}: not a numeric .npy array ({err}); body model arrays '
            'must be saved with numbers only, pickled objects are refused'
        ) from err
    except (OSError, EOFError) as err:
        raise ValueError(f'{path}: not a readable .npy file ({err})') from err
    if not isinstance(array, np.ndarray) or array.dtype.kind not in 'biuf':
        raise ValueError(f'{path}: expected a numeric .npy array, got '
                         f'{type(array).__name__} '
                         f'{getattr(array, "dtype", "")}')
    return array
