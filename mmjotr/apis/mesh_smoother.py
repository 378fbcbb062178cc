# Copyright (c) mmjotr contributors. All rights reserved.
"""Temporal smoothing of each tracked person's SMPL parameters."""
from typing import Dict, Tuple

import numpy as np
import torch

from mmjotr.geometry import axis_angle_to_quaternion, quaternion_to_axis_angle
from .one_euro_filter import OneEuroFilter

__all__ = ['MeshSmoother']


class MeshSmoother:
    """One-euro filters on pose, shape and camera, one set per track.

    Joint rotations are filtered as unit quaternions (each flipped into
    the hemisphere of the previous output, renormalised after filtering),
    so that axis-angle wrap-around cannot make a rotation jump; betas and
    the camera translation are filtered as they are. A track absent from a
    frame is forgotten (its filters restart when it returns).

    Args:
        min_cutoff (float): see :class:`OneEuroFilter`. Defaults to 1.0.
        beta (float): see :class:`OneEuroFilter`. Defaults to 0.0.
        d_cutoff (float): see :class:`OneEuroFilter`. Defaults to 1.0.
        fps (float): frame rate. Defaults to 30.
    """

    def __init__(self,
                 min_cutoff: float = 1.0,
                 beta: float = 0.0,
                 d_cutoff: float = 1.0,
                 fps: float = 30.) -> None:
        self.kwargs = dict(
            min_cutoff=min_cutoff, beta=beta, d_cutoff=d_cutoff, fps=fps)
        OneEuroFilter(**self.kwargs)  # validate now
        self._tracks: Dict[int, dict] = {}

    def __call__(self, track_ids: np.ndarray, smpl_pose: np.ndarray,
                 smpl_betas: np.ndarray, cam_t: np.ndarray
                 ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Smooth one frame.

        Note:
            - N: persons in the frame

        Args:
            track_ids (ndarray[N]): ids from the tracker.
            smpl_pose (ndarray[N, 72]): axis-angle.
            smpl_betas (ndarray[N, 10]): shape.
            cam_t (ndarray[N, 3]): camera translation.

        Returns:
            tuple: smoothed ``(smpl_pose, smpl_betas, cam_t)``, float32.
        """
        quat = axis_angle_to_quaternion(
            torch.as_tensor(smpl_pose, dtype=torch.float64).reshape(
                len(smpl_pose), -1, 3)).numpy()  # (N, 24, 4)
        out_q = np.empty_like(quat)
        out_b = np.empty(np.shape(smpl_betas), np.float64)
        out_t = np.empty(np.shape(cam_t), np.float64)
        seen = set()
        for i, tid in enumerate(np.asarray(track_ids).tolist()):
            seen.add(tid)
            if tid not in self._tracks:
                self._tracks[tid] = dict(
                    quat=OneEuroFilter(**self.kwargs),
                    betas=OneEuroFilter(**self.kwargs),
                    cam_t=OneEuroFilter(**self.kwargs),
                    last=None)
            track = self._tracks[tid]
            q = quat[i]
            if track['last'] is not None:
                flip = (q * track['last']).sum(-1, keepdims=True) < 0
                q = np.where(flip, -q, q)
            q = track['quat'](q)
            q /= np.linalg.norm(q, axis=-1, keepdims=True)
            track['last'] = q
            out_q[i] = q
            out_b[i] = track['betas'](smpl_betas[i])
            out_t[i] = track['cam_t'](cam_t[i])
        for tid in set(self._tracks) - seen:
            del self._tracks[tid]
        pose = quaternion_to_axis_angle(torch.from_numpy(out_q)).reshape(
            len(out_q), -1).numpy()
        return (pose.astype(np.float32), out_b.astype(np.float32),
                out_t.astype(np.float32))
