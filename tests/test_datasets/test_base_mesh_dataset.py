# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest

from mmjotr.datasets import AnnotationError, BaseMeshDataset
from mmjotr.datasets.base_mesh_dataset import (RECORD_DEFAULTS, as_array,
                                               check_file, field, finite,
                                               load_json, smpl_params)


class TwoPeople(BaseMeshDataset):
    """Two annotated people, one of them with an empty box."""
    METAINFO = dict(dataset_name='two_people')

    def load_data_list(self):
        records = []
        for i, box in enumerate(([10., 20., 30., 40.], [5., 5., 0., 10.])):
            bbox = self.tight_bbox(box, 100., 80.)
            if bbox is not None:
                records.append(
                    self.make_record(
                        img_path=self.image_path(f'{i}.jpg'), bbox=bbox))
        return records


def test_records_skips_and_defaults(tmp_path):
    ds = TwoPeople(data_root=str(tmp_path), data_prefix=dict(img='images'))
    assert len(ds) == 1
    assert ds.skip_counts == {'zero-area boxes': 1}
    rec = ds.get_data_info(0)
    assert rec['dataset_name'] == 'two_people'
    assert rec['img_path'] == str(tmp_path / 'images' / '0.jpg')
    for key, value in RECORD_DEFAULTS.items():
        if key not in ('img_path', 'bbox'):
            assert rec[key] == value, key
    with pytest.raises(KeyError, match='unknown record fields'):
        ds.make_record(joints_img=None)


def test_no_usable_record_names_the_reasons(tmp_path):

    class NoPeople(TwoPeople):

        def load_data_list(self):
            self.tight_bbox([0., 0., 0., 0.], 10., 10.)
            return []

    with pytest.raises(ValueError, match='skipped: 1 zero-area boxes'):
        NoPeople(data_root=str(tmp_path))


def test_field_and_array_helpers_name_the_place(tmp_path):
    where = 'ann.json annotation 3'
    assert field(dict(a=1), 'a', where) == 1
    with pytest.raises(AnnotationError, match='annotation 3: missing .*"b"'):
        field(dict(a=1), 'b', where)
    flat = as_array(list(range(6)), (2, 3), 'kpts', where)
    assert flat.dtype == np.float32 and flat[1, 2] == 5
    with pytest.raises(AnnotationError, match='"kpts" has shape'):
        as_array([1, 2, 3], (2, 2), 'kpts', where)
    with pytest.raises(AnnotationError, match='not numeric'):
        as_array(['x'], (1, ), 'kpts', where)
    pose, shape, trans = smpl_params(
        dict(pose=[0.] * 72, shape=[1.] * 10, trans=[0., 0., 5.]), where)
    assert pose.shape == (72, ) and shape.sum() == 10 and trans[2] == 5
    with pytest.raises(AnnotationError, match='"trans"'):
        smpl_params(dict(pose=[0.] * 72, shape=[1.] * 10), where)
    assert finite(np.zeros(2), None) and not finite(np.array([np.nan]))
    with pytest.raises(FileNotFoundError, match='the labels not found'):
        check_file(str(tmp_path / 'missing.json'), 'the labels')
    bad = tmp_path / 'bad.json'
    bad.write_text('{not json')
    with pytest.raises(AnnotationError, match='bad.json: not valid JSON'):
        load_json(str(bad), 'the labels')


def test_load_coco_is_quiet_and_complete(tmp_path, capsys):
    from mmjotr.datasets.base_mesh_dataset import load_coco
    from mmjotr.testing import write_synthetic_coco
    root = write_synthetic_coco(
        str(tmp_path), num_images=3, img_size=(32, 32), people_per_image=2)
    capsys.readouterr()
    db = load_coco(f'{root}/annotations/person_keypoints_train2017.json',
                   'COCO keypoints')
    assert capsys.readouterr().out == ''
    assert len(db.imgs) == 3 and len(db.anns) == 6
    (tmp_path / 'broken.json').write_text('{"images": 3}')
    with pytest.raises(AnnotationError, match='broken.json'):
        load_coco(str(tmp_path / 'broken.json'), 'COCO keypoints')


def test_smpl_fit_fields_keeps_the_person_without_a_bad_fit(tmp_path):
    ds = TwoPeople(data_root=str(tmp_path), data_prefix=dict(img='images'))
    fit = dict(pose=[0.1] * 72, shape=[0.2] * 10, trans=[0., 0., 5.])
    fields = ds.smpl_fit_fields(fit, 'fits.json [7]', smpl_fit_thr=25.)
    assert fields['smpl_valid'] and fields['smpl_fit_thr'] == 25.
    np.testing.assert_allclose(fields['smpl_pose'], [0.1] * 72, rtol=1e-6)
    np.testing.assert_allclose(fields['smpl_transl'], [0., 0., 5.])
    assert ds.smpl_fit_fields(None, 'fits.json [8]') == dict(smpl_valid=False)
    huge = dict(fit, trans=[0., 0., 3e38])
    assert ds.smpl_fit_fields(huge, 'fits.json [9]') == dict(smpl_valid=False)
    assert ds.skip_counts[
        'out-of-range SMPL fits (|value| > 1e+06) (kept without fit)'] == 1
    with pytest.raises(AnnotationError, match=r'fits.json \[10\]'):
        ds.smpl_fit_fields(dict(pose=[0.1] * 72), 'fits.json [10]')
