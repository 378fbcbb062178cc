# Copyright (c) mmjotr contributors. All rights reserved.
"""Fast numpy SMPL joints for the data pipeline (a vertex subset only)."""
from typing import Optional, Tuple

import cv2
import numpy as np
import torch


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().double().numpy()


class SMPLJoints:
    """JOTR-30 (and H36M-17) joints of an :class:`~mmjotr.body_models.SMPL`.

    The data pipeline needs joints, not meshes: the joints regressed from
    the posed mesh (the 24 SMPL joints with the module's default
    ``joint_source='mesh'``, the head top, the H36M-17) and the face
    joints use only the vertices their regressor rows touch. Skinning only
    that vertex subset (with the model's own arrays, linear blend skinning
    as in SMPL) gives the same numbers as the full forward pass (float64
    here) at a fraction of the cost. With ``joint_source='kinematic'`` the
    24 joints come from the shaped rest joints and the kinematic chain.

    Args:
        body_model (torch.nn.Module): an ``SMPL`` module (its buffers
            ``v_template``, ``shapedirs``, ``posedirs``, ``J_regressor``,
            ``parents``, ``lbs_weights``, ``extra_vertex_index``,
            ``extra_regressor`` and ``h36m_regressor`` and its
            ``joint_source`` are read once).
        with_h36m (bool): also prepare the H36M-17 regressor.
    """

    def __init__(self,
                 body_model: torch.nn.Module,
                 with_h36m: bool = True) -> None:
        template = _np(body_model.v_template)  # (V, 3)
        num_verts = len(template)
        shapedirs = _np(body_model.shapedirs)  # (V, 3, B)
        j_reg = _np(body_model.J_regressor)  # (24, V)
        self.rest_joints = j_reg @ template  # (24, 3)
        self.joint_shapedirs = np.einsum('jv,vcb->jcb', j_reg, shapedirs)
        self.parents = body_model.parents.cpu().numpy().astype(np.int64)
        face = body_model.extra_vertex_index.cpu().numpy()
        extra = _np(body_model.extra_regressor)  # (E, V)
        h36m = _np(body_model.h36m_regressor) if with_h36m else np.zeros(
            (0, num_verts))
        self.from_mesh = body_model.joint_source == 'mesh'
        smpl24 = j_reg if self.from_mesh else np.zeros((0, num_verts))
        used = np.unique(
            np.concatenate([
                face,
                np.nonzero(smpl24.any(0))[0],
                np.nonzero(extra.any(0))[0],
                np.nonzero(h36m.any(0))[0]
            ])).astype(np.int64)
        self.template = template[used]  # (U, 3)
        self.shapedirs = shapedirs[used]  # (U, 3, B)
        posedirs = _np(body_model.posedirs).reshape(-1, num_verts, 3)
        self.posedirs = posedirs[:, used].reshape(len(posedirs),
                                                  -1)  # (207, U*3)
        self.weights = _np(body_model.lbs_weights)[used]  # (U, 24)
        position = {v: i for i, v in enumerate(used)}
        self.face = np.array([position[v] for v in face], np.int64)
        self.smpl24 = j_reg[:, used] if self.from_mesh else None  # (24, U)
        self.extra = extra[:, used]  # (E, U)
        self.h36m = h36m[:, used] if with_h36m else None  # (17, U)

    def __call__(self, pose: np.ndarray,
                 betas: np.ndarray) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """Joints of one body, no translation.

        Args:
            pose (np.ndarray): (72,) axis-angle pose.
            betas (np.ndarray): (B,) shape coefficients.

        Returns:
            tuple: (30, 3) JOTR-30 joints and (17, 3) H36M joints (None
            without ``with_h36m``), metres.
        """
        betas = np.asarray(betas, np.float64)
        rots = np.stack([
            cv2.Rodrigues(np.asarray(aa, np.float64))[0]
            for aa in np.reshape(pose, (24, 3))
        ])  # (24, 3, 3)
        rest = self.rest_joints + self.joint_shapedirs @ betas  # (24, 3)
        world = np.zeros((24, 4, 4))
        for j, parent in enumerate(self.parents):
            local = np.eye(4)
            local[:3, :3] = rots[j]
            local[:3, 3] = rest[j] - (rest[parent] if j else 0.)
            world[j] = local if j == 0 else world[parent] @ local
        joints = world[:, :3, 3].copy()  # (24, 3) posed joints
        # skinning matrices: remove the rest joint location first
        world[:, :3, 3] -= np.einsum('jab,jb->ja', world[:, :3, :3], rest)
        pose_feature = (rots[1:] - np.eye(3)).reshape(-1)  # (207,)
        verts = (self.template + self.shapedirs @ betas +
                 (pose_feature @ self.posedirs).reshape(-1, 3))  # (U, 3)
        blend = (self.weights @ world.reshape(24, 16)).reshape(-1, 4, 4)
        verts = (blend[:, :3, :3] @ verts[:, :, None])[:, :, 0] + \
            blend[:, :3, 3]  # (U, 3)
        if self.from_mesh:
            joints = self.smpl24 @ verts  # (24, 3) from the posed mesh
        out = np.concatenate([joints, verts[self.face], self.extra @ verts])
        h36m = None if self.h36m is None else self.h36m @ verts
        return out, h36m
