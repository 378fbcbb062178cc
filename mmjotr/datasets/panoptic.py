# Copyright (c) mmjotr contributors. All rights reserved.
"""CMU-Panoptic test sequences under the Jiang et al. (CVPR 2020) protocol."""
import os.path as osp
from typing import List, Sequence

import numpy as np

from mmjotr.registry import DATASETS
from .annotation_pickle import load_annotation_pickle
from .base_mesh_dataset import (AnnotationError, BaseMeshDataset, as_array,
                                check_file, field, number, text)

PANOPTIC_SEQUENCES = ('160422_haggling1', '160422_mafia2', '160422_ultimatum1',
                      '160906_pizza1')

# The 15 filled joints of the "J24" layout written by the protocol's
# preprocessing (panoptic-toolbox joints19 re-ordered; J24 13 holds the
# toolbox's nose). Index -> (H36M-17 name or None, JOTR-30 name).
J24_JOINTS = {
    0: ('R_Ankle', 'R_Ankle'),
    1: ('R_Knee', 'R_Knee'),
    2: ('R_Hip', 'R_Hip'),
    3: ('L_Hip', 'L_Hip'),
    4: ('L_Knee', 'L_Knee'),
    5: ('L_Ankle', 'L_Ankle'),
    6: ('R_Wrist', 'R_Wrist'),
    7: ('R_Elbow', 'R_Elbow'),
    8: ('R_Shoulder', 'R_Shoulder'),
    9: ('L_Shoulder', 'L_Shoulder'),
    10: ('L_Elbow', 'L_Elbow'),
    11: ('L_Wrist', 'L_Wrist'),
    12: ('Neck', 'Neck'),
    13: (None, 'Nose'),
    14: ('Pelvis', 'Pelvis'),
}


@DATASETS.register_module()
class PanopticDataset(BaseMeshDataset):
    """CMU-Panoptic Haggling, Mafia, Ultimatum and Pizza (MPJPE only).

    The protocol of Jiang et al., "Coherent Reconstruction of Multiple
    Humans from a Single Image" (CVPR 2020), followed by JOTR: HD cameras
    00_16 and 00_30 of 160422_haggling1, 160422_mafia2, 160422_ultimatum1
    and 160906_pizza1, frames rescaled and padded to 832 x 512, one pickle
    per sequence, ``processed/annotations/<sequence>.pkl`` under
    ``data_root`` (``data/Panoptic``). Each pickle is a list of frames:
    ``{filename (relative to data_root), width, height, bboxes (N, 4 xyxy),
    kpts2d (N, 24, 3), kpts3d (N, 24, 4: camera-frame metres + validity)}``
    built from the panoptic toolbox's ``hdPose3d_stage1_coco19`` joints.
    The pickles are read with a restricted unpickler
    (:func:`~mmjotr.datasets.annotation_pickle.load_annotation_pickle`):
    anything but containers, numbers, strings and numpy arrays is refused,
    so no code from the file runs.
    The error is computed on H36M-17 joints regressed from the predicted
    mesh against these joints (matched by name), pelvis-centred, per
    sequence, then averaged over the sequences.

    Every person is a sample with its box. The 2D pose input is the
    protocol's projected ground-truth 2D joints (15 joints, the toolbox has
    no detector output); JOTR's paper does not state its Panoptic input.

    Args:
        sequences (Sequence[str]): sequences to load.
        ann_dir (str): pickle folder relative to ``data_root``.
        **kwargs: see :class:`BaseMeshDataset`.
    """
    METAINFO = dict(dataset_name='panoptic')

    def __init__(self,
                 sequences: Sequence[str] = PANOPTIC_SEQUENCES,
                 ann_dir: str = 'processed/annotations',
                 data_prefix: dict = dict(img=''),
                 test_mode: bool = True,
                 **kwargs) -> None:
        self.sequences = tuple(sequences)
        self.ann_dir = ann_dir
        super().__init__(
            data_prefix=data_prefix, test_mode=test_mode, **kwargs)

    def load_data_list(self) -> List[dict]:
        from mmjotr.body_models import get_joint_set
        h36m_names = get_joint_set('h36m_17').joint_names
        jotr_names = get_joint_set('jotr_30').joint_names
        to_h36m = [(j, h36m_names.index(h))
                   for j, (h, _) in J24_JOINTS.items() if h is not None]
        to_jotr = [(j, jotr_names.index(n))
                   for j, (_, n) in J24_JOINTS.items()]
        records = []
        for sequence in self.sequences:
            path = check_file(
                osp.join(self.data_root, self.ann_dir, f'{sequence}.pkl'),
                f'Panoptic {sequence} annotations')
            frames = load_annotation_pickle(path)
            if not isinstance(frames, list):
                raise AnnotationError(f'{path}: expected a list of frames, '
                                      f'got {type(frames).__name__}')
            for i, frame in enumerate(frames):
                where = f'{path} [frame {i}]'
                boxes = field(frame, 'bboxes', where)
                if not isinstance(boxes, (list, tuple, np.ndarray)):
                    raise AnnotationError(
                        f'{where}: field "bboxes" must be a list of boxes, '
                        f'got {type(boxes).__name__}')
                num = len(boxes)
                boxes = as_array(boxes,
                                 (num,
                                  4), 'bboxes', where) if num else np.zeros(
                                      (0, 4))
                file_name = text(
                    field(frame, 'filename', where), 'filename', where)
                width = number(field(frame, 'width', where), 'width', where)
                height = number(field(frame, 'height', where), 'height', where)
                kpts2d = as_array(
                    field(frame, 'kpts2d', where),
                    (num, 24, 3), 'kpts2d', where) if num else np.zeros(
                        (0, 24, 3), np.float32)
                kpts3d = as_array(
                    field(frame, 'kpts3d', where),
                    (num, 24, 4), 'kpts3d', where) if num else np.zeros(
                        (0, 24, 4), np.float32)
                for p in range(num):
                    bbox = self.tight_bbox(
                        (boxes[p, 0], boxes[p, 1], boxes[p, 2] - boxes[p, 0],
                         boxes[p, 3] - boxes[p, 1]), width, height)
                    if bbox is None:
                        continue
                    if not self.usable('joints', kpts3d[p], kpts2d[p]):
                        continue
                    gt = np.zeros((17, 3), np.float32)
                    gt_vis = np.zeros(17, np.float32)
                    for j, h in to_h36m:
                        gt[h] = kpts3d[p, j, :3]
                        gt_vis[h] = kpts3d[p, j, 3] > 0
                    inputs = np.zeros((30, 3), np.float32)
                    for j, k in to_jotr:
                        inputs[k] = kpts2d[p, j]
                    records.append(
                        self.make_record(
                            img_path=self.image_path(file_name),
                            img_id=i,
                            ori_shape=(int(height), int(width)),
                            bbox=bbox,
                            input_keypoints=inputs,
                            input_joint_set='jotr_30',
                            input_score_thr=0.,
                            gt_joints_cam=gt,
                            gt_joints_visible=gt_vis,
                            sequence=sequence))
        return records
