# Copyright (c) mmjotr contributors. All rights reserved.
"""The quick start: the whole model stack on the project's own assets.

Generates (once) the stand-in body model, builds a JOTR model from a config
pointed at it, optimises it for a few steps on a fixed batch in the data
contract of docs/interfaces.md (``demo/quickstart.py`` passes a synthetic
one from ``mmjotr.testing``), then predicts and writes the meshes. It needs
no SMPL licence, no weights, no data set and no GPU.
"""
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List

import numpy as np
import torch
from mmengine.logging import print_log
from mmengine.optim import build_optim_wrapper
from mmengine.runner import save_checkpoint

from mmjotr.body_models.standin import (ensure_standin_body_model,
                                        is_complete_standin)
from .inference import init_model


@dataclass
class QuickstartResult:
    """What the quick start measured and wrote.

    Attributes:
        losses (list[float]): total training loss at every step.
        checkpoint (str): the trained weights.
        predictions (str): ``.npz`` with the predicted SMPL parameters,
            vertices (B, V, 3) and keypoints (B, 30, 2).
        meshes (list[str]): one ``.obj`` per predicted person.
    """
    losses: List[float]
    checkpoint: str
    predictions: str
    meshes: List[str]


def write_obj(
    path: str,
    vertices: np.ndarray,
    faces: np.ndarray,
    comment: str = 'mmjotr prediction on the stand-in body model (not SMPL)'
) -> None:
    """Write a triangle mesh (V, 3) / (F, 3) as a Wavefront OBJ file."""
    with open(path, 'w') as f:
        f.write(f'# {comment}\n')
        np.savetxt(f, vertices, fmt='v %.6f %.6f %.6f')
        np.savetxt(f, faces + 1, fmt='f %d %d %d')


def run_quickstart(config: str,
                   batch: Dict[str, list],
                   body_model_dir: str = 'data/standin/body_models',
                   work_dir: str = 'work_dirs/quickstart',
                   iters: int = 50,
                   seed: int = 0,
                   vposer_steps: int = 3000) -> QuickstartResult:
    """Run the quick start (see the module docstring).

    Args:
        config (str): model config (a tiny one runs in seconds per step).
        batch (dict): the fixed batch as a dataloader yields it
            (``inputs``, ``data_samples``; docs/interfaces.md).
        body_model_dir (str): stand-in body model directory; generated when
            absent or incomplete.
        work_dir (str): where the checkpoint and predictions go.
        iters (int): optimisation steps on the fixed batch.
        seed (int): seeds the stand-in generation and the init.
        vposer_steps (int): VPoser fitting steps for a new stand-in.

    Returns:
        QuickstartResult: losses and written files.
    """
    torch.manual_seed(seed)
    if is_complete_standin(body_model_dir):
        print_log(f'stand-in body model: {body_model_dir}', logger='current')
    else:
        print_log(
            f'generating the stand-in body model in {body_model_dir} (once; '
            f'about 3 min on one CPU thread for {vposer_steps} VPoser '
            'fitting steps)',
            logger='current')
    ensure_standin_body_model(
        body_model_dir, seed=seed, vposer_steps=vposer_steps)
    model = init_model(
        config, cfg_options={'model.head.body_model_dir': body_model_dir})
    optim_wrapper = build_optim_wrapper(model, model.cfg.optim_wrapper)

    model.train()
    losses = []
    for step in range(iters):
        log_vars = model.train_step(batch, optim_wrapper)
        losses.append(float(torch.as_tensor(log_vars['loss']).detach()))
        if step % 5 == 0 or step == iters - 1:
            print_log(
                f'step {step + 1}/{iters}: loss {losses[-1]:.4f}',
                logger='current')

    os.makedirs(work_dir, exist_ok=True)
    checkpoint = osp.join(work_dir, 'quickstart.pth')
    save_checkpoint(
        dict(state_dict=model.state_dict(), meta=dict(config=config)),
        checkpoint)

    model.eval()
    samples = model.test_step(batch)
    preds = [s.pred_instances for s in samples]
    arrays = {
        key: np.concatenate([p.get(key).cpu().numpy() for p in preds])
        for key in ('smpl_pose', 'smpl_betas', 'cam_t', 'vertices',
                    'keypoints_3d', 'keypoints')
    }
    predictions = osp.join(work_dir, 'predictions.npz')
    np.savez(predictions, **arrays)
    faces = model.head.body_model.faces.cpu().numpy()
    meshes = []
    for i, vertices in enumerate(arrays['vertices']):
        meshes.append(osp.join(work_dir, f'person_{i}.obj'))
        write_obj(meshes[-1], vertices, faces)
    print_log(
        f'loss {losses[0]:.4f} -> {losses[-1]:.4f} over {iters} steps; '
        f'wrote {checkpoint}, {predictions} and {len(meshes)} meshes',
        logger='current')
    return QuickstartResult(losses, checkpoint, predictions, meshes)
