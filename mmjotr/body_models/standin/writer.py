# Copyright (c) mmjotr contributors. All rights reserved.
"""Write a complete stand-in body model directory (NOT SMPL)."""
import hashlib
import json
import os
import os.path as osp
import shutil
import tempfile
from dataclasses import asdict
from typing import Optional

import numpy as np
import torch

from mmjotr.body_models.assets import ASSET_FILES, SMPL_GENDERS
from mmjotr.body_models.smpl_pickle import save_smpl_arrays
from .arrays import STANDIN_NOTE, build_standin_arrays
from .vposer_fit import fit_vposer

__all__ = [
    'STANDIN_VERSION', 'STANDIN_INFO', 'standin_fingerprint',
    'write_standin_body_model', 'is_complete_standin',
    'ensure_standin_body_model'
]

#: Bump when the generated files change, so caches regenerate.
STANDIN_VERSION = 1
#: Written last; its presence marks a complete directory.
STANDIN_INFO = 'standin_info.json'

_README = f"""{STANDIN_NOTE}

Layout (same as a real body model directory, see docs/body_models.md):
  smpl/SMPL_{{NEUTRAL,MALE,FEMALE}}.pkl  plain-array pickles, SMPL's fields
  J_regressor_extra.npy, J_regressor_h36m_correct.npy,
  J_regressor_coco_hip_smpl.npy           joint regressors (K, 6890)
  vposer_v1_0/snapshots/TR00_E096.pt     VPoser v1 state dict fitted to
                                          mmjotr's joint-limit pose prior
The .npy files cannot hold a note: this file marks them as stand-ins.
"""


def standin_fingerprint() -> str:
    """Short hash of the generator's source, for cache directory names."""
    from mmjotr.body_models import smpl_pickle, vposer
    from . import arrays, mesh, pose_prior, skeleton, vposer_fit
    digest = hashlib.sha1()
    for module in (arrays, mesh, pose_prior, skeleton, smpl_pickle, vposer,
                   vposer_fit):
        with open(module.__file__, 'rb') as f:
            digest.update(f.read())
    return digest.hexdigest()[:10]


def write_standin_body_model(out_dir: str,
                             seed: int = 0,
                             vposer_steps: int = 3000,
                             vposer_batch_size: int = 256) -> dict:
    """Generate the stand-in body model files into ``out_dir``.

    Args:
        out_dir (str): target directory (created; files are overwritten).
        seed (int): seeds the pose correctives and the VPoser fit.
        vposer_steps (int): VPoser training steps (the held-out error is
            reported in ``standin_info.json``).
        vposer_batch_size (int): poses per VPoser step.

    Returns:
        dict: the content of ``standin_info.json``.
    """
    models, regressors = build_standin_arrays(seed)
    for gender, name in SMPL_GENDERS.items():
        save_smpl_arrays(models[gender], osp.join(out_dir, 'smpl', name))
    for name, reg in regressors.items():
        np.save(osp.join(out_dir, name), reg)
    vposer, report = fit_vposer(
        steps=vposer_steps, batch_size=vposer_batch_size, seed=seed)
    vposer_path = osp.join(out_dir, ASSET_FILES['vposer'])
    os.makedirs(osp.dirname(vposer_path), exist_ok=True)
    state = dict(vposer.state_dict())
    state['mmjotr_standin_note'] = STANDIN_NOTE
    torch.save(state, vposer_path)
    for sub in ('', 'smpl', osp.dirname(ASSET_FILES['vposer'])):
        with open(osp.join(out_dir, sub, 'STANDIN_README.txt'), 'w') as f:
            f.write(_README)
    info = {
        'note': STANDIN_NOTE,
        'version': STANDIN_VERSION,
        'seed': seed,
        'files': sorted(ASSET_FILES.values()),
        'vposer_fit': asdict(report),
    }
    with open(osp.join(out_dir, STANDIN_INFO), 'w') as f:
        json.dump(info, f, indent=2)
    return info


def is_complete_standin(path: str) -> bool:
    """True when ``path`` holds every file of a finished generation."""
    info_path = osp.join(path, STANDIN_INFO)
    if not osp.isfile(info_path):
        return False
    try:
        with open(info_path) as f:
            info = json.load(f)
    except (OSError, ValueError):
        return False
    return info.get('version') == STANDIN_VERSION and all(
        osp.isfile(osp.join(path, name)) for name in ASSET_FILES.values())


def ensure_standin_body_model(path: str,
                              seed: int = 0,
                              vposer_steps: int = 3000,
                              vposer_batch_size: int = 256,
                              tmp_root: Optional[str] = None) -> str:
    """Return ``path``, generating the stand-in there if incomplete.

    Generation happens in a temporary sibling directory that is renamed
    into place, so concurrent callers never see a half-written directory.

    Args:
        path (str): where the complete directory should be.
        seed, vposer_steps, vposer_batch_size: see
            :func:`write_standin_body_model`.
        tmp_root (str, optional): where to build; defaults to the parent
            of ``path`` (same file system, so the rename is atomic).

    Returns:
        str: ``path``.
    """
    if is_complete_standin(path):
        return path
    parent = osp.dirname(osp.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.standin-', dir=tmp_root or parent)
    try:
        write_standin_body_model(tmp, seed, vposer_steps, vposer_batch_size)
        if osp.isdir(path) and not is_complete_standin(path):
            shutil.rmtree(path, ignore_errors=True)
        try:
            os.rename(tmp, path)
        except OSError:
            if not is_complete_standin(path):  # nobody else finished it
                raise
    finally:
        if osp.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    return path
