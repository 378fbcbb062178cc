# Copyright (c) mmjotr contributors. All rights reserved.
import json
from types import SimpleNamespace

import numpy as np
import pytest

from mmjotr.apis import (KeypointFileDetections, load_coco_keypoints,
                         load_openpose_keypoints)


def coco_ann(image_id, x, y, score=0.9, **extra):
    kpts = np.stack([
        np.linspace(x, x + 40, 17),
        np.linspace(y, y + 90, 17),
        np.full(17, 2.)
    ], 1)
    return dict(
        image_id=image_id,
        bbox=[x, y, 40, 90],
        keypoints=kpts.reshape(-1).tolist(),
        score=score,
        **extra)


def test_coco_dataset_file_and_results_list(tmp_path):
    path = tmp_path / 'coco.json'
    path.write_text(
        json.dumps(
            dict(
                images=[
                    dict(id=3, file_name='sub/a.jpg'),
                    dict(id=4, file_name='b.jpg')
                ],
                annotations=[
                    coco_ann(3, 10, 20),
                    coco_ann(3, 100, 20, category_id=2),  # not a person
                    coco_ann(3, 60, 30, iscrowd=1)  # crowd region
                ])))
    out = load_coco_keypoints(str(path))
    assert list(out) == ['sub/a.jpg', 'b.jpg']
    a = out['sub/a.jpg']
    np.testing.assert_allclose(a['bboxes'], [[10, 20, 50, 110]])
    assert a['keypoints'].shape == (1, 17, 2)
    np.testing.assert_allclose(a['keypoint_scores'], 2.)
    assert a['keypoint_format'] == 'coco' and len(out['b.jpg']['bboxes']) == 0

    results = tmp_path / 'results.json'
    results.write_text(json.dumps([coco_ann(0, 1, 2), coco_ann(0, 5, 6)]))
    assert load_coco_keypoints(str(results))[0]['bboxes'].shape == (2, 4)
    det = KeypointFileDetections(coco_json=str(results))
    frame = SimpleNamespace(name='clip_000000', index=0)
    assert len(det(frame)['bboxes']) == 2
    assert len(det(SimpleNamespace(name='x', index=5))['bboxes']) == 0
    assert det.num_missing == 1


def test_coco_errors_name_the_file_and_index(tmp_path):
    path = tmp_path / 'bad.json'
    ann = coco_ann(0, 1, 2)
    ann['keypoints'] = ann['keypoints'][:48]
    path.write_text(json.dumps([coco_ann(0, 1, 2), ann]))
    with pytest.raises(
            ValueError,
            match=r'bad.json: results\[1\]: keypoints '
            'must have 51 values'):
        load_coco_keypoints(str(path))
    path.write_text(
        json.dumps(dict(images=[], annotations=[coco_ann(7, 1, 2)])))
    with pytest.raises(ValueError, match=r'annotations\[0\]: image_id 7'):
        load_coco_keypoints(str(path))
    path.write_text('{not json')
    with pytest.raises(ValueError, match='bad.json: not valid JSON'):
        load_coco_keypoints(str(path))
    with pytest.raises(FileNotFoundError, match='keypoint file not found'):
        load_coco_keypoints(str(tmp_path / 'none.json'))


def test_openpose_frames(tmp_path):
    body25 = np.zeros((25, 3))
    body25[:, 0] = np.arange(25) * 4 + 100
    body25[:, 1] = np.arange(25) * 8 + 50
    body25[:, 2] = 0.8
    lonely = np.zeros((25, 3))
    lonely[0] = [10, 10, 0.9]  # one confident keypoint: no box
    folder = tmp_path / 'op'
    folder.mkdir()
    (folder / 'walk_000000000000_keypoints.json').write_text(
        json.dumps(
            dict(people=[
                dict(pose_keypoints_2d=body25.reshape(-1).tolist()),
                dict(pose_keypoints_2d=lonely.reshape(-1).tolist())
            ])))
    out = load_openpose_keypoints(
        str(folder / 'walk_000000000000_keypoints.json'))
    assert out['keypoint_format'] == 'openpose'
    assert out['keypoints'].shape == (1, 25, 2)  # the lonely one skipped
    # the box of the keypoints, x 1.2 about its centre
    np.testing.assert_allclose(
        out['bboxes'][0], [100 - 9.6, 50 - 19.2, 196 + 9.6, 242 + 19.2],
        atol=1e-3)
    assert out['bbox_scores'][0] == pytest.approx(0.8)
    det = KeypointFileDetections(openpose_dir=str(folder))
    assert len(det(SimpleNamespace(name='walk_000000',
                                   index=0))['bboxes']) == 1
    body18 = np.ones((18, 3))
    (folder / 'x_keypoints.json').write_text(
        json.dumps(dict(people=[dict(pose_keypoints_2d=[1.] * 50)])))
    with pytest.raises(
            ValueError, match=r'people\[0\].pose_keypoints_2d must '
            'have 75'):
        load_openpose_keypoints(str(folder / 'x_keypoints.json'))
    (folder / 'x_keypoints.json').write_text(
        json.dumps(
            dict(people=[
                dict(
                    pose_keypoints_2d=(body18 *
                                       [[5, 9, 1]]).reshape(-1).tolist())
            ])))
    assert load_openpose_keypoints(str(
        folder / 'x_keypoints.json'))['keypoint_format'] == 'openpose_18'
    with pytest.raises(ValueError, match='give one of'):
        KeypointFileDetections()
