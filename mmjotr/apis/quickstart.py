# Copyright (c) mmjotr contributors. All rights reserved.
"""The quick start: data -> Runner training -> evaluation -> picture.

On a machine with nothing but the installed stack it generates the
stand-in body model and a small SynthOcc copy (if absent), trains the
tiny JOTR with mmengine's Runner, evaluates it on SynthOcc's three test
splits next to the mean-pose baseline, and draws the predicted mesh over
a SynthOcc frame. No SMPL licence, weights, data set or GPU is needed.
"""
import json
import os
import os.path as osp
import time
from dataclasses import asdict, dataclass
from typing import Dict, Optional

import cv2
import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.logging import print_log

from mmjotr.body_models.standin import (ensure_standin_body_model,
                                        is_complete_standin)
from mmjotr.datasets import SynthOccDataset
from mmjotr.datasets.synthocc import SynthOccSettings, ensure_synthocc
from mmjotr.geometry.camera import CROP_SIZE, FOCAL_LENGTH
from mmjotr.visualization import PinholeCamera, RasterRenderer, RenderMesh
from .synthocc_runs import (TEST_SPLITS, DigestRunner,
                            evaluate_synthocc_splits, format_table,
                            mean_pose_baseline, synthocc_train_config)

__all__ = [
    'QuickstartResult', 'run_quickstart', 'render_prediction',
    'QUICKSTART_MARKER'
]

#: Marks a work directory the quick start made (it may reuse only those).
QUICKSTART_MARKER = '.mmjotr_quickstart'


@dataclass
class QuickstartResult:
    """What the quick start measured and wrote.

    Attributes:
        metrics (dict): split -> {MPJPE, PA-MPJPE, PVE} (mm) of the model.
        baseline (dict): the same for the mean-pose baseline.
        table (str): both, as printed.
        checkpoint (str): the trained weights.
        overlay (str): the picture (input frame | predicted mesh over it).
        results_file (str): ``results.json`` with all figures.
        work_dir (str): logs, checkpoint, picture, results.
        data_root (str): the SynthOcc copy.
        body_model_dir (str): the stand-in body model.
        seconds (float): wall time of the whole run.
    """
    metrics: Dict[str, Dict[str, float]]
    baseline: Dict[str, Dict[str, float]]
    table: str
    checkpoint: str
    overlay: str
    results_file: str
    work_dir: str
    data_root: str
    body_model_dir: str
    seconds: float


def _claim_work_dir(work_dir: str) -> None:
    """Create ``work_dir`` or reuse one the quick start made; refuse to
    write into anybody else's non-empty directory."""
    marker = osp.join(work_dir, QUICKSTART_MARKER)
    if osp.isdir(work_dir) and os.listdir(work_dir) and not osp.isfile(marker):
        raise FileExistsError(
            f'{work_dir} exists, is not empty and was not made by the '
            f'quick start (no {QUICKSTART_MARKER}); refusing to write into '
            'it. Pass another --work-dir or remove it.')
    if osp.exists(work_dir) and not osp.isdir(work_dir):
        raise FileExistsError(f'{work_dir} is a file; refusing to replace '
                              'it. Pass another --work-dir.')
    os.makedirs(work_dir, exist_ok=True)
    with open(marker, 'w') as f:
        f.write('made by mmjotr quick start; safe to delete\n')


def _check_body_model_dir(path: str) -> None:
    """The stand-in is generated only into an absent or empty directory
    (``ensure_standin_body_model`` replaces incomplete ones)."""
    if is_complete_standin(path):
        return
    if osp.exists(path) and (not osp.isdir(path) or os.listdir(path)):
        raise FileExistsError(
            f'{path} exists but is not a complete stand-in body model; '
            'refusing to overwrite it. Pass another --body-model-dir (an '
            'empty or absent directory) or remove it.')


def render_prediction(image: np.ndarray, vertices: np.ndarray,
                      cam_t: np.ndarray, crop_to_img: np.ndarray,
                      faces: np.ndarray) -> np.ndarray:
    """Draw one predicted mesh over the frame it was predicted from.

    The mesh is rendered in the model's crop camera (focal
    ``FOCAL_LENGTH``, principal point at the crop centre) and the
    rendering is warped into the frame with the crop's ``crop_to_img``
    affine.

    Args:
        image (ndarray[H, W, 3]): the frame, uint8 BGR.
        vertices (ndarray[V, 3]): predicted vertices (body frame), metres.
        cam_t (ndarray[3]): predicted crop-camera translation, metres.
        crop_to_img (ndarray[2, 3]): crop pixels -> frame pixels.
        faces (ndarray[F, 3]): triangles.

    Returns:
        ndarray[H, W, 3]: uint8 BGR overlay.
    """
    camera = PinholeCamera(FOCAL_LENGTH, FOCAL_LENGTH, CROP_SIZE / 2,
                           CROP_SIZE / 2, CROP_SIZE, CROP_SIZE)
    out = RasterRenderer().render(
        [RenderMesh(vertices + cam_t, faces, np.array([0.55, 0.75, 0.95]))],
        camera)
    h, w = image.shape[:2]
    color = cv2.warpAffine(out.color[..., ::-1], crop_to_img, (w, h))
    mask = cv2.warpAffine(out.mask.astype(np.float32), crop_to_img,
                          (w, h))[..., None]
    blend = image * (1 - 0.8 * mask) + 255 * color * 0.8 * mask
    return np.clip(blend + 0.5, 0, 255).astype(np.uint8)


def _overlay(runner, data_root: str, split: str, index: int,
             out_file: str) -> str:
    """Predict one test person and write ``frame | overlay``."""
    cfg = runner.cfg.test_dataloader.dataset.to_dict()
    cfg.pop('type')
    cfg.update(split=split, data_root=data_root)
    dataset = SynthOccDataset(**cfg)
    model = runner.model
    model.eval()
    with torch.no_grad():
        sample = model.test_step(pseudo_collate([dataset[index]]))[0]
    pred = sample.pred_instances
    image = cv2.imread(dataset.get_data_info(index)['img_path'])
    # predictions live on the model's device (CUDA on a GPU machine)
    drawn = render_prediction(image, pred.vertices[0].cpu().numpy(),
                              pred.cam_t[0].cpu().numpy(),
                              np.asarray(sample.metainfo['crop_to_img']),
                              model.head.body_model.faces.cpu().numpy())
    cv2.imwrite(out_file, np.concatenate([image, drawn], 1))
    return out_file


def run_quickstart(config: str,
                   work_dir: str = 'work_dirs/quickstart',
                   data_root: str = 'data/synthocc_quickstart',
                   body_model_dir: str = 'data/standin/body_models',
                   max_iters: Optional[int] = None,
                   num_train: int = 800,
                   num_test: int = 100,
                   seed: int = 0,
                   vposer_steps: int = 1000) -> QuickstartResult:
    """Run the quick start (see the module docstring).

    Args:
        config (str): the tiny SynthOcc config.
        work_dir (str): logs, checkpoint, results and the picture; must be
            absent, empty or an earlier quick start's.
        data_root (str): SynthOcc copy; generated unless an identical one
            is there; must not be another directory.
        body_model_dir (str): stand-in body model; generated when absent.
        max_iters (int, optional): training iterations (the config's by
            default).
        num_train (int): SynthOcc training frames.
        num_test (int): frames per test split.
        seed (int): seeds the data and the training.
        vposer_steps (int): VPoser fitting steps of a new stand-in.

    Returns:
        QuickstartResult: figures and written files.

    Raises:
        FileExistsError: when a directory holds someone else's files.
    """
    start = time.time()
    _claim_work_dir(work_dir)
    _check_body_model_dir(body_model_dir)
    if not is_complete_standin(body_model_dir):
        print_log(
            f'[1/5] generating the stand-in body model in {body_model_dir} '
            f'(once; {vposer_steps} VPoser fitting steps)',
            logger='current')
    else:
        print_log(
            f'[1/5] stand-in body model: {body_model_dir}', logger='current')
    ensure_standin_body_model(
        body_model_dir, seed=seed, vposer_steps=vposer_steps)

    print_log(
        f'[2/5] SynthOcc in {data_root}: {num_train} training frames, '
        f'{num_test} per test split (generated once)',
        logger='current')
    settings = SynthOccSettings(
        seed=seed,
        num_frames=dict(
            train=num_train, **{split: num_test
                                for split in TEST_SPLITS}))
    ensure_synthocc(
        data_root,
        body_model_dir,
        settings,
        workers=min(os.cpu_count() or 1, 4))

    cfg = synthocc_train_config(config, data_root, body_model_dir, work_dir,
                                max_iters, seed)
    print_log(
        f'[3/5] training {osp.basename(config)} for '
        f'{cfg.train_cfg.max_iters} iterations with mmengine Runner',
        logger='current')
    runner = DigestRunner.from_cfg(cfg)
    runner.train()

    print_log(
        '[4/5] evaluating on the three test splits and the mean-pose '
        'baseline',
        logger='current')
    metrics = evaluate_synthocc_splits(runner)
    baseline = mean_pose_baseline(data_root, body_model_dir)
    table = format_table({
        f'tiny JOTR ({cfg.train_cfg.max_iters} it)': metrics,
        'mean-pose baseline': baseline
    })
    print_log(
        'SynthOcc (stand-in bodies), mm, lower is better:\n' + table,
        logger='current')

    print_log('[5/5] drawing the prediction on a frame', logger='current')
    overlay = _overlay(runner, data_root, 'test_person_occluded', 0,
                       osp.join(work_dir, 'overlay_person_occluded_0.jpg'))
    checkpoint = osp.join(work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    results_file = osp.join(work_dir, 'results.json')
    result = QuickstartResult(metrics, baseline, table, checkpoint, overlay,
                              results_file, work_dir, data_root,
                              body_model_dir,
                              time.time() - start)
    with open(results_file, 'w') as f:
        json.dump(asdict(result), f, indent=2)
    print_log(
        f'done in {result.seconds / 60:.1f} min. Written:\n'
        f'  body model (stand-in, NOT SMPL): {body_model_dir}\n'
        f'  SynthOcc data:                   {data_root}\n'
        f'  training log:                    {runner.log_dir}\n'
        f'  checkpoint:                      {checkpoint}\n'
        f'  figures:                         {results_file}\n'
        f'  picture (frame | prediction):    {overlay}',
        logger='current')
    return result
