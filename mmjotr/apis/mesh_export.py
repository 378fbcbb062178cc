# Copyright (c) mmjotr contributors. All rights reserved.
"""Write one frame's predictions: ``.json``, ``.npz`` and ``.obj`` files."""
import json
import os
import os.path as osp
from typing import Dict, Optional

import numpy as np
from mmpose.structures import PoseDataSample

__all__ = ['export_frame', 'JSON_FIELDS']

#: ``pred_instances`` field -> JSON key of each person.
JSON_FIELDS = {
    'bboxes': 'bbox',
    'bbox_scores': 'bbox_score',
    'keypoints': 'keypoints',
    'keypoints_3d': 'keypoints_3d',
    'smpl_pose': 'smpl_pose',
    'smpl_betas': 'smpl_betas',
    'cam_t_full': 'cam_t',
    'input_keypoints': 'input_keypoints',
    'input_keypoints_mask': 'input_keypoints_mask',
}


def write_obj(
    path: str,
    vertices: np.ndarray,
    faces: np.ndarray,
    comment: str = 'mmjotr prediction on the stand-in body model (not SMPL)'
) -> None:
    """Write a triangle mesh (V, 3) / (F, 3) as a Wavefront OBJ file."""
    with open(path, 'w') as f:
        f.write(f'# {comment}\n')
        np.savetxt(f, vertices, fmt='v %.6f %.6f %.6f')
        np.savetxt(f, faces + 1, fmt='f %d %d %d')


def export_frame(sample: PoseDataSample,
                 out_dir: str,
                 stem: str,
                 faces: Optional[np.ndarray] = None,
                 with_obj: bool = False) -> Dict[str, str]:
    """Write a frame's persons (from :func:`inference_mesh`) to files.

    ``{stem}.json``: ``img_path``, ``image_size`` (h, w), the full-image
    camera ``focal_length`` and ``principal_point`` (pixels), and a list
    ``persons`` with ``track_id`` (-1 untracked), ``bbox`` (xyxy),
    ``bbox_score``, ``keypoints`` (30 x 2, image pixels), ``keypoints_3d``
    (30 x 3, root-relative metres), ``smpl_pose`` (72), ``smpl_betas``
    (10), ``cam_t`` (3, metres: ``keypoints_3d + cam_t`` projected with
    that camera gives ``keypoints``) and the 2D input actually used.
    ``{stem}.npz``: every ``pred_instances`` array with a leading N, plus
    ``focal_length``, ``principal_point`` and ``track_ids``.
    ``{stem}_{k}.obj`` (``with_obj``): person k's mesh in the camera frame
    (``vertices + cam_t``, OpenCV axes: x right, y down, z forward).

    Args:
        sample (PoseDataSample): one frame's predictions.
        out_dir (str): output folder (created).
        stem (str): file name stem, e.g. the frame's.
        faces (ndarray[F, 3], optional): mesh faces; needed for ``.obj``.
        with_obj (bool): also write one ``.obj`` per person.

    Returns:
        dict: ``'json'``, ``'npz'`` and ``'obj_k'`` paths written.
    """
    os.makedirs(out_dir, exist_ok=True)
    pred = sample.pred_instances
    num = len(pred.bboxes)
    track_ids = (
        np.asarray(pred.track_ids, np.int64)
        if 'track_ids' in pred else np.full(num, -1, np.int64))
    if 'bbox_scores' not in pred:
        pred.bbox_scores = np.ones(num, np.float32)
    persons = []
    for i in range(num):
        person = dict(track_id=int(track_ids[i]))
        for key, name in JSON_FIELDS.items():
            person[name] = np.asarray(pred.get(key)[i]).tolist()
        persons.append(person)
    meta = sample.metainfo
    paths = dict(
        json=osp.join(out_dir, f'{stem}.json'),
        npz=osp.join(out_dir, f'{stem}.npz'))
    with open(paths['json'], 'w') as f:
        json.dump(
            dict(
                img_path=meta.get('img_path'),
                image_size=list(meta['ori_shape']),
                focal_length=float(meta['focal_length']),
                principal_point=list(meta['principal_point']),
                persons=persons), f)
    arrays = {key: np.asarray(value) for key, value in pred.items()}
    arrays.update(
        track_ids=track_ids,
        focal_length=np.float32(meta['focal_length']),
        principal_point=np.asarray(meta['principal_point'], np.float32))
    np.savez(paths['npz'], **arrays)
    if with_obj:
        if faces is None:
            raise ValueError('export_frame: with_obj needs the mesh faces')
        for i in range(num):
            paths[f'obj_{i}'] = osp.join(out_dir, f'{stem}_{i}.obj')
            write_obj(
                paths[f'obj_{i}'],
                pred.vertices[i] + pred.cam_t_full[i],
                faces,
                comment=f'mmjotr mesh of person {i} (track '
                f'{int(track_ids[i])}), camera frame, metres')
    return paths
