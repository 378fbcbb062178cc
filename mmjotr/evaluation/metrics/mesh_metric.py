# Copyright (c) mmjotr contributors. All rights reserved.
"""MPJPE / PA-MPJPE / PVE of predicted meshes (mm)."""
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.fileio import dump
from mmengine.logging import print_log

from mmjotr.body_models import H36M_EVAL_INDICES
from mmjotr.registry import METRICS, MODELS
from ..functional import centre_at, mesh_errors, mpjpe, regress_joints


def _numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


@METRICS.register_module()
class MeshMetric(BaseMetric):
    """Mesh-recovery errors in millimetres, one prediction per sample.

    ``mode='mesh'`` (3DPW, 3DPW-OC/PC/Crowd, 3DOH): the ground-truth mesh is
    the gendered SMPL (``gender`` metainfo; male/female files needed) of
    ``gt_smpl_pose``/``gt_smpl_betas``. MPJPE and PA-MPJPE use the 17 H36M
    joints regressed from both meshes (``h36m_regressor_file``, by default
    ``J_regressor_h36m_correct.npy`` of the body model directory),
    pelvis-centred, on the 14 evaluation joints;
    PA aligns with a
    similarity Procrustes. PVE centres both meshes at the SMPL pelvis (the
    neutral model's regressor row, as the reference) and averages the 6890
    vertex distances. Keys: ``MPJPE``, ``PA-MPJPE``, ``PVE``.

    ``mode='joints'`` (CMU-Panoptic): MPJPE of the H36M joints regressed
    from the prediction against ``gt_joints_cam`` (visibility
    ``gt_joints_visible``), both pelvis-centred, per ``sequence`` and the
    mean over sequences. ``joints_protocol='jiang'`` averages the 17
    visibility-weighted joint errors (Jiang et al., CVPR 2020);
    ``'visible'`` averages over the visible evaluation joints. Keys:
    ``MPJPE`` (mean of the sequences) and ``MPJPE_<sequence>``.

    Results from all ranks are gathered before the reduction, so the
    distributed numbers equal the single-process ones (each sample counts
    once). ``dump_file`` writes the per-sample errors (json/pkl).

    Args:
        body_model_dir (str): the body model directory (docs/interfaces.md).
        mode (str): ``'mesh'`` or ``'joints'``.
        joints_protocol (str): ``'jiang'`` or ``'visible'``.
        h36m_regressor_file (str): the (17, V) H36M joint regressor, relative
            to ``body_model_dir`` or absolute. Defaults to
            ``J_regressor_h36m_correct.npy`` (the release's, on every test
            set). The CMU-Panoptic protocol's own code (Jiang et al.) uses
            SPIN's ``J_regressor_h36m.npy``; set it here to follow that.
        dump_file (str, optional): per-sample errors output file.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): key prefix, e.g. ``'3dpw'``.
    """
    default_prefix: Optional[str] = 'mesh'

    def __init__(self,
                 body_model_dir: str,
                 mode: str = 'mesh',
                 joints_protocol: str = 'jiang',
                 h36m_regressor_file: str = 'J_regressor_h36m_correct.npy',
                 dump_file: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if mode not in ('mesh', 'joints'):
            raise ValueError(f'mode must be "mesh" or "joints", got {mode!r}')
        if joints_protocol not in ('jiang', 'visible'):
            raise ValueError('joints_protocol must be "jiang" or "visible", '
                             f'got {joints_protocol!r}')
        self.body_model_dir = body_model_dir
        self.mode = mode
        self.joints_protocol = joints_protocol
        self.h36m_regressor_file = h36m_regressor_file
        self.dump_file = dump_file
        self._body_models: Dict[str, torch.nn.Module] = {}

    def body_model(self, gender: str) -> torch.nn.Module:
        """The SMPL model of ``gender``, built on first use."""
        if gender not in self._body_models:
            self._body_models[gender] = MODELS.build(
                dict(
                    type='SMPL',
                    body_model_dir=self.body_model_dir,
                    gender=gender,
                    h36m_regressor=self.h36m_regressor_file)).eval()
        return self._body_models[gender]

    @property
    def h36m_regressor(self) -> np.ndarray:
        """(17, V) the H36M joint regressor of the body model directory."""
        return _numpy(self.body_model('neutral').h36m_regressor).astype(
            np.float64)

    @property
    def pelvis_regressor(self) -> np.ndarray:
        """(V,) the neutral SMPL regressor row of the pelvis."""
        return _numpy(self.body_model('neutral').J_regressor)[0].astype(
            np.float64)

    def _gt_vertices(self, samples: List[dict]) -> np.ndarray:
        out = np.zeros((len(samples), self.h36m_regressor.shape[1], 3))
        by_gender = defaultdict(list)
        for i, s in enumerate(samples):
            if s.get('gt_smpl_pose') is None:
                raise KeyError(
                    f'MeshMetric: sample {s.get("sample_idx")} '
                    f'({s.get("img_path")}) has no gt_smpl_pose/'
                    'gt_smpl_betas; mode="mesh" needs SMPL ground truth')
            by_gender[s.get('gender', 'neutral')].append(i)
        for gender, idx in by_gender.items():
            pose = torch.as_tensor(
                np.stack([samples[i]['gt_smpl_pose'] for i in idx]),
                dtype=torch.float32)
            betas = torch.as_tensor(
                np.stack([samples[i]['gt_smpl_betas'] for i in idx]),
                dtype=torch.float32)
            with torch.no_grad():
                out[idx] = self.body_model(gender)(pose,
                                                   betas).vertices.numpy()
        return out

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        samples = list(data_samples)
        pred = np.stack([
            _numpy(s['pred_instances']['vertices'])[0] for s in samples
        ]).astype(np.float64)  # (B, V, 3)
        if self.mode == 'mesh':
            errors = mesh_errors(pred, self._gt_vertices(samples),
                                 self.h36m_regressor, self.pelvis_regressor,
                                 H36M_EVAL_INDICES)
        else:
            errors = dict(mpjpe=self._joint_errors(pred, samples))
        for i, s in enumerate(samples):
            result = {k: float(v[i]) for k, v in errors.items()}
            result.update(
                sample_idx=int(s.get('sample_idx', -1)),
                sequence=s.get('sequence', ''))
            self.results.append(result)

    def _joint_errors(self, pred: np.ndarray,
                      samples: List[dict]) -> np.ndarray:
        gt = np.stack([_numpy(s['gt_joints_cam']) for s in samples])
        vis = np.stack([_numpy(s['gt_joints_visible']) for s in samples])
        pred_j = regress_joints(pred, self.h36m_regressor)  # (B, 17, 3)
        pred_j = centre_at(pred_j, pred_j[:, 0])
        gt = centre_at(gt, gt[:, 0])
        if self.joints_protocol == 'jiang':
            return mpjpe(pred_j, gt, vis) * 1000.
        idx = list(H36M_EVAL_INDICES)
        err = np.linalg.norm(pred_j - gt, axis=-1)[:, idx] * vis[:, idx]
        return err.sum(-1) / np.maximum(vis[:, idx].sum(-1), 1) * 1000.

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if self.dump_file:
            dump(
                sorted(results, key=lambda r: r['sample_idx']), self.dump_file)
            print_log(
                f'per-sample errors written to {self.dump_file}',
                logger='current')
        if self.mode == 'mesh':
            return {
                'MPJPE': float(np.mean([r['mpjpe'] for r in results])),
                'PA-MPJPE': float(np.mean([r['pa_mpjpe'] for r in results])),
                'PVE': float(np.mean([r['pve'] for r in results])),
            }
        per_seq = defaultdict(list)
        for r in results:
            per_seq[r['sequence']].append(r['mpjpe'])
        metrics = {
            f'MPJPE_{seq}': float(np.mean(v))
            for seq, v in sorted(per_seq.items())
        }
        metrics['MPJPE'] = float(np.mean(list(metrics.values())))
        return metrics
