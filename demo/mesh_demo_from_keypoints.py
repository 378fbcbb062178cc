# Copyright (c) mmjotr contributors. All rights reserved.
"""Meshes from detections and 2D poses you already have (COCO-style JSON,
or OpenPose JSON per frame), as the JOTR release was run.

    python demo/mesh_demo_from_keypoints.py MESH_CONFIG MESH_CKPT \\
        --input IMG|DIR|VIDEO (--coco-json FILE | --openpose-dir DIR) \\
        [--output-root vis_results] [--save-predictions] [--save-obj] \\
        [--side-view] [--draw-keypoints] [--smooth] [--renderer auto]
"""
import argparse

from mmengine.logging import print_log

from mmjotr.apis import KeypointFileDetections, MeshInferencer
from mmjotr.utils import register_all_modules


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('mesh_config')
    parser.add_argument('mesh_checkpoint', help='checkpoint or none')
    parser.add_argument('--input', required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--coco-json')
    source.add_argument('--openpose-dir')
    parser.add_argument('--output-root', required=True)
    parser.add_argument('--save-predictions', action='store_true')
    parser.add_argument('--save-obj', action='store_true')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--kpt-thr', type=float, default=0.3)
    parser.add_argument('--focal-length', type=float, default=None)
    parser.add_argument('--side-view', action='store_true')
    parser.add_argument('--draw-keypoints', action='store_true')
    parser.add_argument('--smooth', action='store_true')
    parser.add_argument(
        '--renderer', default='auto', choices=['auto', 'gl', 'raster'])
    parser.add_argument('--body-model-dir', default=None)
    return parser.parse_args()


def main():
    args = parse_args()
    register_all_modules()
    detections = KeypointFileDetections(args.coco_json, args.openpose_dir)
    inferencer = MeshInferencer(
        args.mesh_config,
        None
        if args.mesh_checkpoint.lower() == 'none' else args.mesh_checkpoint,
        device=args.device,
        renderer=args.renderer,
        smooth=args.smooth,
        focal_length=args.focal_length,
        body_model_dir=args.body_model_dir)
    count = sum(1 for _ in inferencer(
        args.input,
        detections=detections,
        keypoint_score_thr=args.kpt_thr,
        side_view=args.side_view,
        draw_keypoints=args.draw_keypoints,
        vis_out_dir=args.output_root,
        pred_out_dir=(f'{args.output_root}/predictions' if args.
                      save_predictions else None),
        save_obj=args.save_obj))
    print_log(
        f'{count} frame(s) done ({detections.num_missing} without an entry '
        f'in the keypoint files); outputs in {args.output_root}',
        logger='current')


if __name__ == '__main__':
    main()
