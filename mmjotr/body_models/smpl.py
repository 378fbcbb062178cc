# Copyright (c) mmjotr contributors. All rights reserved.
"""SMPL as JOTR uses it: smplx's linear blend skinning plus JOTR's joints."""
import contextlib
import io
import os.path as osp
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import smplx
import torch
from smplx.lbs import lbs
from smplx.utils import Struct
from torch import Tensor, nn

from mmjotr.registry import MODELS
from .assets import (ASSET_FILES, ASSET_SOURCES, find_asset, load_numeric_npy,
                     smpl_model_path)
from .joint_sets import get_joint_set
from .smpl_pickle import load_smpl_arrays

__all__ = ['SMPLOutput', 'SMPL', 'JOINT_SOURCES']

#: Where the 24 SMPL joints come from: ``'mesh'`` applies SMPL's
#: ``J_regressor`` to the posed vertices (the release, I2L-MeshNet and
#: 3DCrowdNet); ``'kinematic'`` takes the posed skeleton of the kinematic
#: chain (``smplx.lbs``).
JOINT_SOURCES = ('mesh', 'kinematic')

#: JOTR's face keypoints: Nose, L_Eye, R_Eye, L_Ear, R_Ear mesh vertices.
JOTR_FACE_VERTICES = (331, 2802, 6262, 3489, 3990)


@dataclass
class SMPLOutput:
    """Posed body.

    Note:
        - B: batch size
        - V: vertices (6890)
        - K: joints of the configured joint set (30 = JOTR-30)

    Attributes:
        vertices (Tensor[B, V, 3]): mesh vertices, metres.
        joints_smpl24 (Tensor[B, 24, 3]): SMPL's 24 joints, from the source
            the module was built with (``joint_source``).
        joints (Tensor[B, K, 3]): SMPL-24, then the extra vertex joints,
            then the extra regressor joints (JOTR-30 by default).
    """
    vertices: Tensor
    joints_smpl24: Tensor
    joints: Tensor


@MODELS.register_module()
class SMPL(nn.Module):
    """SMPL body model (smplx skinning) with JOTR's joint sets.

    The model arrays are read with mmjotr's chumpy-free restricted loader
    (official or converted SMPL pickles, or the stand-in) and skinned with
    ``smplx.lbs.lbs``. All arrays are non-persistent buffers: they never
    enter checkpoints (SMPL's licence forbids redistributing them).

    Args:
        body_model_dir (str): directory in the layout of
            ``mmjotr.body_models.assets``.
        gender (str): ``'neutral'``, ``'male'`` or ``'female'``.
        num_betas (int): shape coefficients used. Defaults to 10.
        extra_vertex_ids (sequence of int): mesh vertices appended as joints
            after SMPL-24. Defaults to JOTR's nose, eyes and ears.
        extra_regressor (str, optional): regressor file (relative to
            ``body_model_dir`` or absolute) whose ``extra_regressor_rows``
            are appended next. Defaults to ``J_regressor_extra.npy``.
        extra_regressor_rows (sequence of int): rows used (3 = head top).
        joint_set (str): name of the resulting joint set, checked against
            the joint count. Defaults to ``'jotr_30'``.
        h36m_regressor (str, optional): Human3.6M regressor file, or None to
            skip it. Defaults to ``J_regressor_h36m_correct.npy``.
        h36m_joint_set (str): joint set of its rows. Defaults to 'h36m_17'.
        coco_regressor (str, optional): COCO regressor file, or None.
            Defaults to ``J_regressor_coco_hip_smpl.npy``.
        coco_joint_set (str): joint set of its rows. Defaults to 'coco_17'.
        joint_source (str): where the 24 SMPL joints come from. ``'mesh'``
            (default, the release): SMPL's ``J_regressor`` applied to the
            POSED vertices, so all 30 joints are regressed from the mesh.
            ``'kinematic'``: the posed joints of the kinematic chain
            (``smplx.lbs``), i.e. the regressor applied to the SHAPED REST
            mesh and then moved rigidly by the bone transforms. They differ
            by about 1 mm on average, more at strongly bent poses.
    """

    def __init__(self,
                 body_model_dir: str,
                 gender: str = 'neutral',
                 num_betas: int = 10,
                 extra_vertex_ids: Sequence[int] = JOTR_FACE_VERTICES,
                 extra_regressor: Optional[str] = 'J_regressor_extra.npy',
                 extra_regressor_rows: Sequence[int] = (3, ),
                 joint_set: str = 'jotr_30',
                 h36m_regressor: Optional[str] = (
                     'J_regressor_h36m_correct.npy'),
                 h36m_joint_set: str = 'h36m_17',
                 coco_regressor: Optional[str] = (
                     'J_regressor_coco_hip_smpl.npy'),
                 coco_joint_set: str = 'coco_17',
                 joint_source: str = 'mesh') -> None:
        super().__init__()
        if joint_source not in JOINT_SOURCES:
            raise ValueError(f'SMPL joint_source must be one of '
                             f'{JOINT_SOURCES}, got {joint_source!r}')
        self.joint_source = joint_source
        self.body_model_dir = body_model_dir
        self.gender = gender
        self.num_betas = num_betas
        path = smpl_model_path(body_model_dir, gender)
        arrays = load_smpl_arrays(path)
        num_shape = arrays['shapedirs'].shape[-1]
        if num_betas > num_shape:
            raise ValueError(f'{path}: num_betas={num_betas} but the model '
                             f'has {num_shape} shape directions')
        # smplx prints a warning (not a log record) for 10-beta models;
        # its extra-joint selector is unused (lbs is called directly), so
        # vertex 0, valid for any mesh, is given for its ids.
        with contextlib.redirect_stdout(io.StringIO()):
            layer = smplx.SMPL(
                model_path=path,
                data_struct=Struct(**arrays),
                num_betas=num_betas,
                create_betas=False,
                create_global_orient=False,
                create_body_pose=False,
                create_transl=False,
                vertex_ids=dict.fromkeys(
                    ('nose', 'reye', 'leye', 'rear', 'lear'), 0),
                use_hands=False,
                use_feet_keypoints=False)
        for name in ('v_template', 'shapedirs', 'posedirs', 'J_regressor',
                     'lbs_weights'):
            self.register_buffer(name, getattr(layer, name), persistent=False)
        # The kinematic tree stays a CPU tensor (not a buffer) when the
        # model moves: smplx's skinning loop indexes a Python list with
        # ``parents[i]``, which on a CUDA tensor is a host sync per joint
        # (23 per forward); a CPU index tensor costs none.
        self.parents = layer.parents.detach().cpu()
        self.register_buffer(
            'faces',
            torch.as_tensor(arrays['f'], dtype=torch.long),
            persistent=False)
        num_verts = self.v_template.shape[0]

        self.extra_vertex_ids = tuple(int(i) for i in extra_vertex_ids)
        if any(not 0 <= i < num_verts for i in self.extra_vertex_ids):
            raise ValueError(f'extra_vertex_ids {self.extra_vertex_ids} '
                             f'outside the {num_verts}-vertex mesh of {path}')
        self.register_buffer(
            'extra_vertex_index',
            torch.tensor(self.extra_vertex_ids, dtype=torch.long),
            persistent=False)
        rows = tuple(int(r) for r in extra_regressor_rows)
        if extra_regressor is None:
            rows = ()
            extra = np.zeros((0, num_verts))
        else:
            extra = self._load_regressor(extra_regressor, None, num_verts)
            if any(not 0 <= r < len(extra) for r in rows):
                raise ValueError(f'extra_regressor_rows {rows} outside the '
                                 f'{len(extra)} rows of {extra_regressor}')
            extra = extra[list(rows)]
        self.register_buffer(
            'extra_regressor',
            torch.as_tensor(extra, dtype=torch.float32),
            persistent=False)
        self.joint_set = get_joint_set(joint_set)
        num_joints = 24 + len(self.extra_vertex_ids) + len(rows)
        if num_joints != self.joint_set.num_joints:
            raise ValueError(
                f'SMPL joints: 24 + {len(self.extra_vertex_ids)} extra '
                f'vertices + {len(rows)} regressor rows = {num_joints}, but '
                f'joint_set "{joint_set}" has {self.joint_set.num_joints}')

        self.h36m_joint_set = get_joint_set(h36m_joint_set)
        self.coco_joint_set = get_joint_set(coco_joint_set)
        for attr, name, joint_set_ in (('h36m_regressor', h36m_regressor,
                                        self.h36m_joint_set),
                                       ('coco_regressor', coco_regressor,
                                        self.coco_joint_set)):
            reg = (None if name is None else torch.as_tensor(
                self._load_regressor(name, joint_set_, num_verts),
                dtype=torch.float32))
            self.register_buffer(attr, reg, persistent=False)

    def _load_regressor(self, name: str, joint_set, num_verts: int):
        """Load a (K, V) regressor and check it against ``joint_set``."""
        known = {v: k for k, v in ASSET_FILES.items()}
        if name in known:
            path = find_asset(self.body_model_dir, known[name])
        else:
            path = osp.join(self.body_model_dir, name)
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'Joint regressor {osp.basename(path)} not found: '
                    f'searched {osp.abspath(path)}. Known regressors come '
                    f'from {ASSET_SOURCES["regressor_h36m"]}.')
        reg = load_numeric_npy(path)
        if reg.ndim != 2 or reg.shape[1] != num_verts:
            raise ValueError(f'{path}: a joint regressor must be (K, '
                             f'{num_verts}), got {reg.shape}')
        if joint_set is not None and len(reg) != joint_set.num_joints:
            raise ValueError(
                f'{path} has {len(reg)} rows but joint set '
                f'"{joint_set.name}" has {joint_set.num_joints} joints; set '
                'the matching *_joint_set in the SMPL config')
        if not np.isfinite(reg).all():
            raise ValueError(f'{path}: non-finite regressor values')
        return reg

    @property
    def joint_names(self):
        return self.joint_set.joint_names

    def forward(self,
                pose: Tensor,
                betas: Tensor,
                transl: Optional[Tensor] = None) -> SMPLOutput:
        """Pose and shape the body.

        Args:
            pose (Tensor[B, 72]): axis-angle pose, root first (also
                accepted as ``Tensor[B, 24, 3]``).
            betas (Tensor[B, num_betas]): shape coefficients.
            transl (Tensor[B, 3], optional): added to every output point.

        Returns:
            SMPLOutput: vertices and joints, metres.
        """
        batch = pose.shape[0]
        if pose.shape[1:] not in ((72, ), (24, 3)):
            raise ValueError('SMPL pose must be (B, 72) or (B, 24, 3), got '
                             f'{tuple(pose.shape)}')
        if betas.shape != (batch, self.num_betas):
            raise ValueError(f'SMPL betas must be ({batch}, {self.num_betas})'
                             f', got {tuple(betas.shape)}')
        pose = pose.reshape(batch, 72)
        vertices, joints24 = lbs(betas, pose, self.v_template, self.shapedirs,
                                 self.posedirs, self.J_regressor, self.parents,
                                 self.lbs_weights)
        if self.joint_source == 'mesh':
            joints24 = torch.einsum('kv,bvc->bkc', self.J_regressor,
                                    vertices)  # (B, 24, 3)
        face = vertices[:, self.extra_vertex_index]  # (B, 5, 3)
        regressed = torch.einsum('kv,bvc->bkc', self.extra_regressor,
                                 vertices)  # (B, 1, 3)
        joints = torch.cat([joints24, face, regressed], dim=1)  # (B, 30, 3)
        if transl is not None:
            if transl.shape != (batch, 3):
                raise ValueError(f'SMPL transl must be ({batch}, 3), got '
                                 f'{tuple(transl.shape)}')
            offset = transl[:, None, :]
            vertices, joints24, joints = (vertices + offset, joints24 + offset,
                                          joints + offset)
        return SMPLOutput(vertices, joints24, joints)

    def _regress(self, regressor: Optional[Tensor], what: str,
                 vertices: Tensor) -> Tensor:
        if regressor is None:
            raise RuntimeError(f'this SMPL module was built with '
                               f'{what}_regressor=None')
        return torch.einsum('kv,bvc->bkc', regressor, vertices)

    def regress_h36m(self, vertices: Tensor) -> Tensor:
        """Human3.6M joints ``Tensor[B, 17, 3]`` from ``Tensor[B, V, 3]``."""
        return self._regress(self.h36m_regressor, 'h36m', vertices)

    def regress_coco(self, vertices: Tensor) -> Tensor:
        """COCO joints ``Tensor[B, 17, 3]`` (rows of the COCO regressor, in
        ``coco_joint_set`` order) from ``Tensor[B, V, 3]``."""
        return self._regress(self.coco_regressor, 'coco', vertices)
