# Copyright (c) mmjotr contributors. All rights reserved.
import json

import numpy as np

from mmjotr.datasets import OH3DDataset


def test_oh3d_records(tmp_path):
    hrnet = np.arange(51, dtype=float).reshape(17, 3)
    annots = {
        'a/0001.jpg':
        dict(
            pose=[0.1] * 72,
            shape=[0.] * 10,
            trans=[0., 0., 5.],
            scale=1.,
            bbox=[10., 20., 110., 220.],
            hrnet_results=hrnet.tolist()),
        'a/0002.jpg':
        dict(
            pose=[float('nan')] * 72,
            shape=[0.] * 10,
            trans=[0., 0., 5.],
            scale=1.,
            bbox=[10., 20., 110., 220.],
            hrnet_results=hrnet.tolist()),
    }
    (tmp_path / '3doh_test_annots_scale_1.json').write_text(json.dumps(annots))
    ds = OH3DDataset(data_root=str(tmp_path))
    assert len(ds) == 1
    assert ds.skip_counts == {'non-finite SMPL parameters': 1}
    rec = ds.get_data_info(0)
    # xyxy (10, 20, 110, 220) -> width 100, far corner x1 + w - 1
    np.testing.assert_allclose(rec['bbox'], [10., 20., 109., 219.])
    assert rec['img_path'].endswith('images/a/0001.jpg')
    assert rec['smpl_gender'] == 'neutral'
    np.testing.assert_allclose(rec['input_keypoints'], hrnet)
    assert rec['derive_joints'] == ('Pelvis', 'Neck')
