# Copyright (c) mmjotr contributors. All rights reserved.
"""Render a test frame of stand-in bodies and write their COCO keypoints.

Two stand-in bodies (not SMPL) in poses drawn from the project's joint-limit
prior, one partly hiding the other, rendered over a gradient background;
the COCO-17 keypoints (the body model's COCO regressor, projected) and
boxes go to a COCO-style JSON that demo/mesh_demo_from_keypoints.py reads.

    python demo/make_demo_frame.py --out-dir work_dirs/demo_frame \\
        [--body-model-dir data/standin/body_models] [--seed 3]
"""
import argparse
import json
import os
import os.path as osp

import cv2
import numpy as np
import torch

from mmjotr.body_models import SMPL
from mmjotr.body_models.standin.pose_prior import sample_body_poses
from mmjotr.visualization import PinholeCamera, RasterRenderer, RenderMesh


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out-dir', default='work_dirs/demo_frame')
    parser.add_argument('--body-model-dir', default='data/standin/body_models')
    parser.add_argument('--seed', type=int, default=3)
    parser.add_argument('--width', type=int, default=480)
    parser.add_argument('--height', type=int, default=360)
    return parser.parse_args()


def main():
    args = parse_args()
    rng = np.random.default_rng(args.seed)
    smpl = SMPL(args.body_model_dir)
    pose = np.zeros((2, 24, 3), np.float32)
    pose[:, 0] = [np.pi, 0., 0.]  # SMPL's y up -> camera y down
    pose[:, 1:22] = sample_body_poses(2, rng) * 0.5
    with torch.no_grad():
        out = smpl(torch.from_numpy(pose.reshape(2, 72)), torch.zeros(2, 10))
        coco = smpl.regress_coco(out.vertices).numpy()
    root = out.joints[:, :1].numpy()
    transl = np.array([[-0.45, 0.1, 5.0], [0.35, 0.2, 6.5]], np.float32)
    verts = out.vertices.numpy() - root + transl[:, None]
    coco = coco - root + transl[:, None]
    w, h = args.width, args.height
    focal = float(np.hypot(w, h))
    cam = PinholeCamera(focal, focal, w / 2., h / 2., w, h)
    colors = ([0.62, 0.6, 0.55], [0.5, 0.5, 0.5])  # greys: overlays stand out
    meshes = [
        RenderMesh(v, smpl.faces.numpy(), c) for v, c in zip(verts, colors)
    ]
    ramp = np.linspace(60, 200, h, dtype=np.float32)[:, None, None]
    background = np.broadcast_to(ramp * [0.9, 1.0, 0.8], (h, w, 3))
    frame = RasterRenderer().render(meshes, cam).composite(
        background.astype(np.uint8))
    os.makedirs(args.out_dir, exist_ok=True)
    cv2.imwrite(osp.join(args.out_dir, 'frame.png'), frame[..., ::-1])
    annotations = []
    for i in range(2):
        uv = cam.project(coco[i])
        box = cam.project(verts[i])
        x1, y1 = box.min(0)
        x2, y2 = box.max(0)
        kpts = np.concatenate([uv, np.full((17, 1), 2.)], 1)
        annotations.append(
            dict(
                id=i,
                image_id=0,
                category_id=1,
                bbox=[float(x1),
                      float(y1),
                      float(x2 - x1),
                      float(y2 - y1)],
                keypoints=kpts.reshape(-1).round(2).tolist(),
                score=1.0))
    with open(osp.join(args.out_dir, 'keypoints.json'), 'w') as f:
        json.dump(
            dict(
                images=[dict(id=0, file_name='frame.png', width=w, height=h)],
                annotations=annotations,
                categories=[dict(id=1, name='person')]), f)
    print(f'wrote {args.out_dir}/frame.png and keypoints.json')


if __name__ == '__main__':
    main()
