# Copyright (c) mmjotr contributors. All rights reserved.
import json
import os
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np

SEQUENCE = 'downtown_walk_00'


def write_synthetic_pw3d(root: str,
                         ann_file: str = '3DPW_latest_test.json',
                         genders: Sequence = ('male', ),
                         seed: Optional[int] = None) -> str:
    """Write one 3DPW-layout image with SMPL ground truth (not real data).

    ``root/<ann_file>`` (COCO format as the release's 3DPW files: the image
    with ``sequence`` and ``cam_param``, one annotation per entry of
    ``genders`` with ``bbox``, ``smpl_param`` and an 18-joint
    ``openpose_result``) and ``root/imageFiles/downtown_walk_00/<name>``, a
    640×480 noise JPEG.

    Args:
        root (str): the 3DPW ``data`` directory.
        ann_file (str): annotation file name.
        genders (Sequence): one ``gender`` value per person, written as
            given (a malformed value tests the reader's error).
        seed (int, optional): None: fixed values (pose 0.1, betas 0.2,
            annotation ids from 5, ``image_00000.jpg``); an int: poses,
            betas and keypoint jitter drawn from it, ids from ``10 * seed``
            and ``image_<seed>.jpg``, so that several files can share a
            root.

    Returns:
        str: ``root``.
    """
    rng = np.random.default_rng(0 if seed is None else seed)
    name = f'image_{0 if seed is None else seed:05d}.jpg'
    img_dir = osp.join(root, 'imageFiles', SEQUENCE)
    os.makedirs(img_dir, exist_ok=True)
    cv2.imwrite(
        osp.join(img_dir, name),
        rng.integers(0, 255, (480, 640, 3), dtype=np.uint8))
    anns = []
    for i, gender in enumerate(genders):
        openpose = np.zeros((18, 3))
        openpose[:, 0] = np.linspace(280, 360, 18)
        openpose[:, 1] = np.linspace(120, 380, 18)
        openpose[:, 2] = 0.8
        if seed is None:
            pose, shape, ann_id = [0.1] * 72, [0.2] * 10, 5 + i
        else:
            openpose[:, :2] += rng.normal(0, 5, (18, 2))
            pose = rng.normal(0, 0.2, 72).tolist()
            shape = rng.normal(0, 0.5, 10).tolist()
            ann_id = 10 * seed + i
        anns.append(
            dict(
                id=ann_id,
                image_id=0,
                bbox=[270., 110., 100., 280.],
                smpl_param=dict(
                    pose=pose, shape=shape, trans=[0., 0., 6.], gender=gender),
                openpose_result=openpose.reshape(-1).tolist()))
    coco = dict(
        images=[
            dict(
                id=0,
                file_name=name,
                sequence=SEQUENCE,
                width=640,
                height=480,
                cam_param=dict(focal=[1000., 1000.], princpt=[320., 240.]))
        ],
        annotations=anns)
    with open(osp.join(root, ann_file), 'w') as f:
        json.dump(coco, f)
    return root
