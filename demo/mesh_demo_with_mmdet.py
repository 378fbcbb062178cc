# Copyright (c) mmjotr contributors. All rights reserved.
"""Meshes of the persons in an image, folder or video: mmdet -> mmpose ->
mmjotr (the pattern of mmpose's topdown_demo_with_mmdet.py).

    python demo/mesh_demo_with_mmdet.py DET_CONFIG DET_CKPT POSE_CONFIG \\
        POSE_CKPT MESH_CONFIG MESH_CKPT --input IMG|DIR|VIDEO|webcam \\
        [--output-root vis_results] [--save-predictions] [--save-obj] \\
        [--show] [--device cpu] [--bbox-thr 0.3] [--nms-thr 0.3] \\
        [--kpt-thr 0.3] [--side-view] [--draw-keypoints] [--smooth] \\
        [--renderer auto|gl|raster]

A checkpoint given as ``none`` leaves that model randomly initialised (for
trying the pipeline; the results are then meaningless).
"""
import argparse

from mmengine.logging import print_log

from mmjotr.apis import MeshInferencer
from mmjotr.utils import register_all_modules


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('det_config', help='mmdet config')
    parser.add_argument('det_checkpoint', help='mmdet checkpoint or none')
    parser.add_argument('pose_config', help='mmpose top-down config')
    parser.add_argument('pose_checkpoint', help='mmpose checkpoint or none')
    parser.add_argument('mesh_config', help='mmjotr config')
    parser.add_argument('mesh_checkpoint', help='mmjotr checkpoint or none')
    parser.add_argument(
        '--input',
        required=True,
        help='image, folder of images, video file or "webcam"')
    parser.add_argument('--output-root', default='', help='drawn frames/video')
    parser.add_argument(
        '--save-predictions',
        action='store_true',
        help='write .json/.npz per frame under OUTPUT_ROOT/predictions')
    parser.add_argument(
        '--save-obj', action='store_true', help='also write .obj meshes')
    parser.add_argument('--show', action='store_true')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--det-cat-id', type=int, default=0)
    parser.add_argument('--bbox-thr', type=float, default=0.3)
    parser.add_argument('--nms-thr', type=float, default=0.3)
    parser.add_argument('--kpt-thr', type=float, default=0.3)
    parser.add_argument('--max-persons', type=int, default=None)
    parser.add_argument('--focal-length', type=float, default=None)
    parser.add_argument('--side-view', action='store_true')
    parser.add_argument('--draw-keypoints', action='store_true')
    parser.add_argument('--no-track', action='store_true')
    parser.add_argument(
        '--smooth',
        action='store_true',
        help='one-euro smoothing of tracked persons')
    parser.add_argument(
        '--renderer', default='auto', choices=['auto', 'gl', 'raster'])
    parser.add_argument('--body-model-dir', default=None)
    return parser.parse_args()


def weights(path):
    return None if path.lower() == 'none' else path


def main():
    args = parse_args()
    if not (args.output_root or args.show):
        raise SystemExit('nothing to do: give --output-root and/or --show')
    register_all_modules()
    inferencer = MeshInferencer(
        args.mesh_config,
        weights(args.mesh_checkpoint),
        pose2d=args.pose_config,
        pose2d_weights=weights(args.pose_checkpoint),
        det_model=args.det_config,
        det_weights=weights(args.det_checkpoint),
        det_cat_ids=args.det_cat_id,
        device=args.device,
        renderer=args.renderer,
        track=not args.no_track,
        smooth=args.smooth,
        focal_length=args.focal_length,
        body_model_dir=args.body_model_dir)
    pred_dir = (f'{args.output_root}/predictions'
                if args.output_root and args.save_predictions else None)
    count = 0
    for _ in inferencer(
            args.input,
            bbox_thr=args.bbox_thr,
            nms_thr=args.nms_thr,
            max_persons=args.max_persons,
            keypoint_score_thr=args.kpt_thr,
            show=args.show,
            side_view=args.side_view,
            draw_keypoints=args.draw_keypoints,
            vis_out_dir=args.output_root or None,
            pred_out_dir=pred_dir,
            save_obj=args.save_obj):
        count += 1
    print_log(
        f'{count} frame(s) done; outputs in {args.output_root}',
        logger='current')


if __name__ == '__main__':
    main()
