# Copyright (c) mmjotr contributors. All rights reserved.
"""Detections and 2D poses that users already have, as files.

The release's users ran their own detector and pose estimator and fed the
results in; two layouts are read here:

- COCO-style JSON: a dataset file (``images`` + ``annotations``) or a
  results list (``[{image_id, bbox, keypoints, score}, ...]``), COCO-17
  keypoints as ``[x, y, v] * 17``, boxes ``[x, y, w, h]``;
- OpenPose JSON, one file per frame (``{"people": [{"pose_keypoints_2d":
  [x, y, c] * 25 (BODY_25) or * 18 (COCO-18)}]}``); the box is that of the
  keypoints with a positive confidence.

Both return per-image dicts that :func:`inference_mesh` takes directly.
"""
import json
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional, Union

import numpy as np
from mmengine.logging import print_log

from mmjotr.datasets.bbox_utils import keypoints_bbox

__all__ = [
    'load_coco_keypoints', 'load_openpose_keypoints', 'KeypointFileDetections'
]


def _read_json(path: str):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(f'keypoint file not found: {path}') from None
    except json.JSONDecodeError as exc:
        raise ValueError(f'{path}: not valid JSON ({exc})') from None


def _empty(num_joints: int, fmt: str) -> dict:
    return dict(
        bboxes=np.zeros((0, 4), np.float32),
        bbox_scores=np.zeros(0, np.float32),
        keypoints=np.zeros((0, num_joints, 2), np.float32),
        keypoint_scores=np.zeros((0, num_joints), np.float32),
        keypoint_format=fmt)


def _stack(persons: list, num_joints: int, fmt: str) -> dict:
    if not persons:
        return _empty(num_joints, fmt)
    kpts = np.stack([p[1] for p in persons]).astype(np.float32)
    return dict(
        bboxes=np.stack([p[0] for p in persons]).astype(np.float32),
        bbox_scores=np.array([p[2] for p in persons], np.float32),
        keypoints=kpts[..., :2],
        keypoint_scores=kpts[..., 2],
        keypoint_format=fmt)


def load_coco_keypoints(path: str) -> Dict[Union[int, str], dict]:
    """Read COCO-style person boxes and COCO-17 keypoints.

    Args:
        path (str): a COCO dataset JSON or a results list.

    Returns:
        dict: image key (``file_name`` for a dataset file, ``image_id`` for
        a results list) -> ``bboxes`` (N, 4) xyxy, ``bbox_scores`` (N,),
        ``keypoints`` (N, 17, 2), ``keypoint_scores`` (N, 17) and
        ``keypoint_format='coco'``. Images of a dataset file without
        persons map to empty arrays.
    """
    data = _read_json(path)
    if isinstance(data, dict):
        if 'annotations' not in data or 'images' not in data:
            raise ValueError(f'{path}: a COCO dataset file needs "images" '
                             'and "annotations"')
        names = OrderedDict(
            (img['id'], img['file_name']) for img in data['images'])
        anns, where = data['annotations'], 'annotations'
    elif isinstance(data, list):
        names, anns, where = None, data, 'results'
    else:
        raise ValueError(f'{path}: expected a COCO dict or a results list')
    persons = OrderedDict((key, []) for key in (names or {}).values())
    for i, ann in enumerate(anns):
        try:
            image_id = ann['image_id']
            x, y, w, h = (float(v) for v in ann['bbox'])
            kpts = np.asarray(ann['keypoints'], np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f'{path}: {where}[{i}]: needs image_id, bbox '
                             f'[x, y, w, h] and keypoints ({exc})') from None
        if kpts.size != 51:
            raise ValueError(f'{path}: {where}[{i}]: keypoints must have 51 '
                             f'values (17 x [x, y, v]), got {kpts.size}')
        if names is not None and image_id not in names:
            raise ValueError(f'{path}: {where}[{i}]: image_id {image_id} is '
                             'not in "images"')
        if ann.get('category_id', 1) != 1 or ann.get('iscrowd', 0):
            continue
        key = names[image_id] if names is not None else image_id
        persons.setdefault(key, []).append(
            (np.array([x, y, x + w,
                       y + h]), kpts.reshape(17,
                                             3), float(ann.get('score', 1.))))
    return OrderedDict(
        (key, _stack(p, 17, 'coco')) for key, p in persons.items())


def load_openpose_keypoints(path: str) -> dict:
    """Read one OpenPose frame file.

    Persons with fewer than two keypoints of positive confidence have no
    box and are skipped (logged with their count).

    Args:
        path (str): ``*_keypoints.json``.

    Returns:
        dict: ``bboxes`` (N, 4) xyxy of the confident keypoints (x 1.2),
        ``bbox_scores`` (N,) their mean confidence, ``keypoints``
        (N, K, 2), ``keypoint_scores`` (N, K) and ``keypoint_format``
        (``'openpose'`` for BODY_25, ``'openpose_18'``).
    """
    data = _read_json(path)
    people = data.get('people') if isinstance(data, dict) else None
    if people is None:
        raise ValueError(f'{path}: an OpenPose file needs a "people" list')
    persons, fmt, num, skipped = [], 'openpose', 25, 0
    for i, person in enumerate(people):
        kpts = np.asarray(person.get('pose_keypoints_2d', []), np.float32)
        if kpts.size not in (75, 54):
            raise ValueError(f'{path}: people[{i}].pose_keypoints_2d must '
                             'have 75 (BODY_25) or 54 (COCO-18) values, got '
                             f'{kpts.size}')
        fmt, num = ('openpose', 25) if kpts.size == 75 else ('openpose_18', 18)
        kpts = kpts.reshape(num, 3)
        box = keypoints_bbox(kpts[:, :2], kpts[:, 2] > 0)
        if box is None:
            skipped += 1
            continue
        persons.append((box, kpts, float(kpts[kpts[:, 2] > 0, 2].mean())))
    if skipped:
        print_log(
            f'{path}: {skipped} person(s) with fewer than 2 confident '
            'keypoints skipped',
            logger='current',
            level=30)
    return _stack(persons, num, fmt)


class KeypointFileDetections:
    """Per-frame detections from existing keypoint files.

    Pass as ``detections=`` to :class:`MeshInferencer`. A COCO-style file
    is matched to frames by image file name (its basename; dataset
    files) or by frame index (results lists, whose ``image_id`` is then
    the 0-based frame index); OpenPose files (``*_keypoints.json`` in a
    folder) by the frame's stem for images and by sorted order for videos.
    A frame without an entry has no persons (counted in
    :attr:`num_missing`).

    Args:
        coco_json (str, optional): COCO-style file.
        openpose_dir (str, optional): folder of OpenPose frame files.
    """

    def __init__(self,
                 coco_json: Optional[str] = None,
                 openpose_dir: Optional[str] = None) -> None:
        if (coco_json is None) == (openpose_dir is None):
            raise ValueError('KeypointFileDetections: give one of coco_json '
                             'and openpose_dir')
        self.num_missing = 0
        self.coco = None
        if coco_json is not None:
            self.coco = {
                osp.basename(k) if isinstance(k, str) else k: v
                for k, v in load_coco_keypoints(coco_json).items()
            }
            return
        if not osp.isdir(openpose_dir):
            raise FileNotFoundError(f'OpenPose folder not found: '
                                    f'{openpose_dir}')
        self.openpose_files = sorted(
            osp.join(openpose_dir, f) for f in os.listdir(openpose_dir)
            if f.endswith('_keypoints.json'))
        if not self.openpose_files:
            raise ValueError(f'{openpose_dir} holds no *_keypoints.json')
        self.by_stem = {
            osp.basename(f)[:-len('_keypoints.json')]: f
            for f in self.openpose_files
        }

    def __call__(self, frame) -> dict:
        stem = osp.splitext(frame.name)[0]
        if self.coco is not None:
            found = self.coco.get(frame.name, self.coco.get(frame.index))
        else:
            path = self.by_stem.get(stem)
            if path is None and frame.index < len(self.openpose_files) and (
                    frame.name == stem):  # video frames: by order
                path = self.openpose_files[frame.index]
            found = None if path is None else load_openpose_keypoints(path)
        if found is None:
            self.num_missing += 1
            return _empty(17, 'coco')
        return found
