# Copyright (c) mmjotr contributors. All rights reserved.
from .frame_source import Frame, FrameSource
from .image_io import load_image, to_bgr_uint8
from .inference import (KEYPOINT_FORMATS, inference_mesh, init_model,
                        load_model_checkpoint)
from .inferencers import MeshInferencer, refresh_geometry
from .iou_tracker import IoUTracker, box_iou_matrix
from .keypoint_files import (KeypointFileDetections, load_coco_keypoints,
                             load_openpose_keypoints)
from .mesh_export import export_frame
from .mesh_smoother import MeshSmoother
from .one_euro_filter import OneEuroFilter
from .quickstart import QuickstartResult, render_prediction, run_quickstart
from .synthocc_runs import (DigestRunner, evaluate_synthocc_splits,
                            format_table, mean_pose_baseline,
                            synthocc_train_config)

__all__ = [
    'init_model', 'inference_mesh', 'load_model_checkpoint',
    'KEYPOINT_FORMATS', 'MeshInferencer', 'refresh_geometry', 'Frame',
    'FrameSource', 'load_image', 'to_bgr_uint8', 'IoUTracker',
    'box_iou_matrix', 'OneEuroFilter', 'MeshSmoother', 'export_frame',
    'KeypointFileDetections', 'load_coco_keypoints', 'load_openpose_keypoints',
    'run_quickstart', 'QuickstartResult', 'render_prediction', 'DigestRunner',
    'evaluate_synthocc_splits', 'format_table', 'mean_pose_baseline',
    'synthocc_train_config'
]
