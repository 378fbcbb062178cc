# Copyright (c) mmjotr contributors. All rights reserved.
import cv2
import numpy as np
from benchmark_data import time_pipeline

from mmjotr.datasets import CocoSMPLDataset
from mmjotr.testing import write_synthetic_coco
from mmjotr.utils import register_all_modules


def test_generated_coco_loads_and_times(tmp_path):
    register_all_modules()
    root = write_synthetic_coco(
        str(tmp_path), num_images=2, img_size=(120, 160), people_per_image=2)
    ds = CocoSMPLDataset(data_root=root)
    assert len(ds) == 4
    rec = ds.get_data_info(1)
    assert rec['smpl_valid'] and rec['near_keypoints'].shape == (1, 17, 3)
    assert cv2.imread(rec['img_path']).shape == (120, 160, 3)
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    pipeline = [
        dict(type='mmpose.LoadImage'),
        dict(type='GetMeshBBox'),
        dict(type='RandomMeshAffine')
    ]
    out = time_pipeline(infos, pipeline, num_samples=6, warmup=1)
    assert set(out) == {
        'samples_per_s', 'ms_per_sample', 'ms_LoadImage', 'ms_GetMeshBBox',
        'ms_RandomMeshAffine'
    }
    parts = sum(v for k, v in out.items()
                if k.startswith('ms_') and k != 'ms_per_sample')
    assert np.isclose(parts, out['ms_per_sample'])
    assert np.isclose(out['samples_per_s'], 1000. / out['ms_per_sample'])
