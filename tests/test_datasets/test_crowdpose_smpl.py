# Copyright (c) mmjotr contributors. All rights reserved.
import json

import numpy as np
import pytest

from mmjotr.datasets import CrowdPoseSMPLDataset


def write_crowdpose(root):
    (root / 'annotations').mkdir()
    anns = []
    for i, (x, err) in enumerate(((600., 2.0), (10., 9.0), (300., 1.0))):
        kpts = np.ones((14, 3))
        kpts[:, 0] = x + np.arange(14)
        anns.append(
            dict(
                id=i + 1,
                image_id=7,
                bbox=[x, 20., 60., 300.],
                keypoints=kpts.reshape(-1).tolist(),
                iscrowd=0,
                category_id=1))
    anns.append(
        dict(
            id=9,
            image_id=7,
            bbox=[5., 5., 10., 10.],
            keypoints=[0] * 42,
            iscrowd=0,
            category_id=1))
    # the train file stores width and height swapped (true size 700 x 400)
    coco = dict(
        images=[dict(id=7, file_name='100000.jpg', width=400, height=700)],
        annotations=anns,
        categories=[dict(id=1, name='person')])
    (root / 'annotations' /
     'crowdpose_train.json').write_text(json.dumps(coco))
    fits = {
        str(i + 1):
        dict(
            smpl_param=dict(
                pose=[0.] * 72, shape=[0.] * 10, trans=[0., 0., 4.]),
            cam_param=dict(focal=[5000., 5000.], princpt=[350., 200.]),
            fit_err=err)
        for i, err in enumerate((2.0, 9.0, 1.0))
    }
    (root / 'annotations' /
     'CrowdPose_train_SMPL_NeuralAnnot.json').write_text(json.dumps(fits))


@pytest.mark.parametrize('fit_filter,valid', [('release', [0, 1, 0]),
                                              ('fixed', [1, 0, 1])])
def test_crowdpose_fit_filter(tmp_path, fit_filter, valid):
    write_crowdpose(tmp_path)
    ds = CrowdPoseSMPLDataset(data_root=str(tmp_path), fit_filter=fit_filter)
    assert len(ds) == 3
    assert [int(ds.get_data_info(i)['smpl_valid']) for i in range(3)] == valid
    assert ds.skip_counts['people without keypoints'] == 1


def test_crowdpose_width_height_swap(tmp_path):
    write_crowdpose(tmp_path)
    rec = CrowdPoseSMPLDataset(data_root=str(tmp_path)).get_data_info(0)
    # true width 700: the box at x = 600 keeps x2 = 600 + 59
    assert rec['ori_shape'] == (400, 700)
    np.testing.assert_allclose(rec['bbox'], [600., 20., 659., 319.])
    assert rec['joint_set'] == 'crowdpose_14'
    # read as stored, the image is 400 wide and the first box falls outside
    ds = CrowdPoseSMPLDataset(data_root=str(tmp_path), swap_wh=False)
    assert len(ds) == 2 and ds.skip_counts['zero-area boxes'] == 1
