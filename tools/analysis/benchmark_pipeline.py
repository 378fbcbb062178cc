# Copyright (c) mmjotr contributors. All rights reserved.
"""Per-frame time of the demo pipeline, split into its stages.

Detection (mmdet), 2D pose (mmpose top-down), mesh recovery (mmjotr,
all persons of the frame in one batch) and rendering (each back end), for
frames with 1 and 8 persons, plus the mesh stage with the persons one at a
time (the batching ratio). Weights are random (timing does not depend on
them) and the body model is the stand-in. Medians of ``--repeats`` runs
after one warm-up. Example::

    python tools/analysis/benchmark_pipeline.py --threads 2
"""
import argparse
import os
import os.path as osp
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--mesh-config',
        default='configs/jotr/jotr_res50_8xb32-18e_mix-256x256.py')
    parser.add_argument(
        '--det-config',
        default='rtmdet/rtmdet_tiny_8xb32-300e_coco.py',
        help='relative to mmdet/.mim/configs, or a path')
    parser.add_argument(
        '--pose-config',
        default='body_2d_keypoint/topdown_heatmap/coco/'
        'td-hm_res50_8xb64-210e_coco-256x192.py',
        help='relative to mmpose/.mim/configs, or a path')
    parser.add_argument('--body-model-dir', default='data/standin/body_models')
    parser.add_argument('--persons', type=int, nargs='+', default=[1, 8])
    parser.add_argument(
        '--image-size',
        type=int,
        nargs=2,
        default=[480, 640],
        metavar=('H', 'W'))
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    return parser.parse_args()


def median_ms(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return 1000. * times[len(times) // 2]


def package_config(package, path):
    if osp.isfile(path):
        return path
    return osp.join(osp.dirname(package.__file__), '.mim', 'configs', path)


def people(num, height, width):
    """Boxes and COCO-17 keypoints of ``num`` persons side by side."""
    import numpy as np
    template = np.array([[.50, .08], [.53, .06], [.47, .06], [.56, .08],
                         [.44, .08], [.64, .22], [.36, .22], [.70, .38],
                         [.30, .38], [.72, .52], [.28, .52], [.58, .55],
                         [.42, .55], [.60, .76], [.40, .76], [.60, .96],
                         [.40, .96]])
    box_w = width / max(num, 1)
    boxes, kpts = [], []
    for i in range(num):
        x1, y1, bw, bh = i * box_w, 0.1 * height, box_w, 0.8 * height
        boxes.append([x1, y1, x1 + bw, y1 + bh])
        kpts.append(template * [bw, bh] + [x1, y1])
    return np.array(boxes, np.float32), np.array(kpts, np.float32)


def main():
    args = parse_args()
    os.environ['OMP_NUM_THREADS'] = str(args.threads)
    import cv2
    import mmdet
    import mmpose
    import numpy as np
    import torch
    from mmdet.apis import inference_detector, init_detector
    from mmengine.config import Config
    from mmengine.logging import print_log
    from mmengine.registry import DefaultScope
    from mmpose.apis import inference_topdown
    from mmpose.apis import init_model as init_pose_model

    from mmjotr.apis import inference_mesh, init_model
    from mmjotr.body_models.standin import ensure_standin_body_model
    from mmjotr.visualization import MeshVisualizer
    from mmjotr.visualization.renderers import gl_unavailable_reason

    torch.set_num_threads(args.threads)
    height, width = args.image_size
    rng = np.random.default_rng(0)
    image = cv2.GaussianBlur(
        rng.integers(0, 255, (height, width, 3), dtype=np.uint8), (0, 0), 3)
    det = init_detector(
        package_config(mmdet, args.det_config), None, device='cpu')
    pose = init_pose_model(
        package_config(mmpose, args.pose_config), None, device='cpu')
    ensure_standin_body_model(args.body_model_dir)
    cfg = Config.fromfile(args.mesh_config)
    cfg.model.head.body_model_dir = args.body_model_dir
    cfg.model.backbone.pop('init_cfg', None)  # no ImageNet download
    cfg.model.backbone.norm_cfg = dict(type='BN', requires_grad=True)
    mesh = init_model(cfg)
    faces = mesh.head.body_model.faces.numpy()
    backends = ['raster'] + ([] if gl_unavailable_reason() else ['gl'])

    def detect():
        with DefaultScope.overwrite_default_scope('mmdet'):
            return inference_detector(det, image)

    rows = []
    det_ms = median_ms(detect, args.repeats)
    for num in args.persons:
        boxes, kpts = people(num, height, width)

        def estimate_pose():
            with DefaultScope.overwrite_default_scope('mmpose'):
                return inference_topdown(pose, image, boxes)

        pose_ms = median_ms(estimate_pose, args.repeats)
        mesh_ms = median_ms(lambda: inference_mesh(mesh, image, boxes, kpts),
                            args.repeats)
        single_ms = median_ms(
            lambda: inference_mesh(mesh, image, boxes, kpts, batch_size=1),
            args.repeats)
        sample = inference_mesh(mesh, image, boxes, kpts)
        render_ms = {}
        for backend in backends:
            vis = MeshVisualizer(
                name=f'bench_{backend}_{num}', renderer=backend)
            render_ms[backend] = median_ms(
                lambda: vis.draw_meshes(image[..., ::-1], sample, faces),
                args.repeats)
        total = det_ms + pose_ms + mesh_ms + render_ms['raster']
        rows.append(
            (num, det_ms, pose_ms, mesh_ms, single_ms, render_ms, total))

    print_log(
        f'pipeline on {height}x{width} frames, {args.threads} threads, '
        f'mesh config {osp.basename(args.mesh_config)}, median of '
        f'{args.repeats}',
        logger='current')
    for num, det_ms, pose_ms, mesh_ms, single_ms, render_ms, total in rows:
        stages = dict(detection=det_ms, pose_2d=pose_ms, mesh=mesh_ms)
        stages.update({f'render_{k}': v for k, v in render_ms.items()})
        text = ', '.join(f'{k} {v:.0f} ms ({v / total:.0%})'
                         for k, v in stages.items())
        print_log(
            f'{num} person(s): {text}; frame {total:.0f} ms '
            f'({1000. / total:.2f} fps, raster rendering)',
            logger='current')
        print_log(
            f'{num} person(s): mesh per person {mesh_ms / num:.1f} ms in one '
            f'batch vs {single_ms / num:.1f} ms one at a time (ratio '
            f'{mesh_ms / single_ms:.2f})',
            logger='current')


if __name__ == '__main__':
    main()
