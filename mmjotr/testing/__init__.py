# Copyright (c) mmjotr contributors. All rights reserved.
"""Test support only (like ``mmpose.testing``): synthetic batches,
generated COCO- and 3DPW-layout data, the naive reference losses and the
stand-in config helper. Runtime code never imports this package."""
from .config import build_standin_model, standin_config
from .contrastive_reference import (reference_joint_to_joint_nce,
                                    reference_joint_to_nonjoint_nce)
from .cuda_amp_emulation import emulate_cuda_fp16_autocast, train_with_cuda_amp
from .dist_train import free_port, run_dist_train
from .synthetic_batch import synthetic_batch
from .synthetic_coco import write_synthetic_coco
from .synthetic_pw3d import write_synthetic_pw3d
from .tiny_train_config import write_tiny_coco_train_config

__all__ = [
    'standin_config', 'build_standin_model', 'reference_joint_to_joint_nce',
    'reference_joint_to_nonjoint_nce', 'synthetic_batch',
    'write_synthetic_coco', 'write_synthetic_pw3d',
    'write_tiny_coco_train_config', 'emulate_cuda_fp16_autocast',
    'train_with_cuda_amp', 'free_port', 'run_dist_train'
]
