# Copyright (c) mmjotr contributors. All rights reserved.
"""Generated MSCOCO-layout data (not real data) for tests and benchmarks."""
import json
import os
import os.path as osp
from typing import Sequence

import cv2
import numpy as np


def write_synthetic_coco(root: str,
                         num_images: int = 20,
                         img_size: Sequence[int] = (480, 640),
                         people_per_image: int = 2,
                         seed: int = 0) -> str:
    """Write a small MSCOCO-layout dataset (not real data).

    ``root/images/train2017/*.jpg`` (random-texture JPEGs of ``img_size``
    (h, w)), ``root/annotations/person_keypoints_train2017.json`` and
    ``root/annotations/MSCOCO_train_SMPL_NeuralAnnot.json`` in the real
    schemas; people overlap so the swap error has neighbours, and every
    person has a fit.

    Returns:
        str: ``root``.
    """
    rng = np.random.default_rng(seed)
    h, w = img_size
    img_dir = osp.join(root, 'images', 'train2017')
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    images, anns, fits = [], [], {}
    for i in range(num_images):
        name = f'{i:012d}.jpg'
        noise = rng.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8)
        cv2.imwrite(osp.join(img_dir, name), cv2.resize(noise, (w, h)))
        images.append(dict(id=i, file_name=name, width=w, height=h))
        for p in range(people_per_image):
            aid = i * people_per_image + p + 1
            bw, bh = w * 0.25, h * 0.7
            x0, y0 = w * 0.3 + 0.3 * bw * p, h * 0.15
            kpts = np.zeros((17, 3))
            kpts[:, 0] = x0 + rng.uniform(0, bw, 17)
            kpts[:, 1] = y0 + np.linspace(0, bh, 17)
            kpts[:, 2] = 2
            anns.append(
                dict(
                    id=aid,
                    image_id=i,
                    category_id=1,
                    iscrowd=0,
                    num_keypoints=17,
                    bbox=[x0, y0, bw, bh],
                    keypoints=kpts.reshape(-1).tolist()))
            pose = rng.normal(scale=0.2, size=72)
            pose[:3] = [np.pi, 0., 0.]
            fits[str(aid)] = dict(
                smpl_param=dict(
                    pose=pose.tolist(),
                    shape=rng.normal(scale=0.5, size=10).tolist(),
                    trans=[0.3 * p, 0.2, 6.]),
                cam_param=dict(focal=[1000., 1000.], princpt=[w / 2, h / 2]))
    coco = dict(
        images=images,
        annotations=anns,
        categories=[dict(id=1, name='person')])
    with open(
            osp.join(root, 'annotations', 'person_keypoints_train2017.json'),
            'w') as f:
        json.dump(coco, f)
    with open(
            osp.join(root, 'annotations',
                     'MSCOCO_train_SMPL_NeuralAnnot.json'), 'w') as f:
        json.dump(fits, f)
    return root
