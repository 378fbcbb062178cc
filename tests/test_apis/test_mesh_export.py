# Copyright (c) mmjotr contributors. All rights reserved.
import json

import numpy as np
import pytest
from mesh_test_inputs import person, smooth_image

from mmjotr.apis import export_frame, inference_mesh


def _read_obj(path):
    """Vertices and 0-based faces of a Wavefront OBJ file, read naively."""
    verts, faces = [], []
    with open(path) as f:
        for line in f:
            if line.startswith('v '):
                verts.append([float(x) for x in line.split()[1:]])
            elif line.startswith('f '):
                faces.append([int(x) - 1 for x in line.split()[1:]])
    return np.array(verts), np.array(faces)


@pytest.fixture(scope='module')
def two_people(tiny_mesh_model):
    people = [person(30, 40, 120, 300), person(300, 60, 140, 330)]
    sample = inference_mesh(tiny_mesh_model, smooth_image(400, 520),
                            np.stack([b for b, _ in people]),
                            np.stack([k for _, k in people]))
    sample.pred_instances.track_ids = np.array([4, 9])
    sample.pred_instances.bbox_scores = np.array([0.9, 0.7], np.float32)
    return sample


def test_json_npz_obj_round_trip(two_people, tiny_mesh_model, tmp_path):
    faces = tiny_mesh_model.head.body_model.faces.numpy()
    paths = export_frame(
        two_people, str(tmp_path), 'frame_000003', faces, with_obj=True)
    assert sorted(paths) == ['json', 'npz', 'obj_0', 'obj_1']
    pred = two_people.pred_instances

    with open(paths['json']) as f:
        data = json.load(f)
    assert data['image_size'] == [400, 520]
    assert [p['track_id'] for p in data['persons']] == [4, 9]
    for i, p in enumerate(data['persons']):
        np.testing.assert_allclose(p['bbox'], pred.bboxes[i])
        assert p['bbox_score'] == pytest.approx([0.9, 0.7][i])
        np.testing.assert_allclose(p['smpl_pose'], pred.smpl_pose[i])
        np.testing.assert_allclose(p['smpl_betas'], pred.smpl_betas[i])
        # the exported camera projects the exported 3D joints onto the
        # exported 2D keypoints
        cam = np.asarray(p['keypoints_3d']) + p['cam_t']
        uv = data['focal_length'] * cam[:, :2] / cam[:, 2:] + data[
            'principal_point']
        assert np.abs(uv - np.asarray(p['keypoints'])).max() <= 1.

    arrays = np.load(paths['npz'])
    for key, value in pred.items():
        np.testing.assert_array_equal(arrays[key], np.asarray(value))
    assert float(arrays['focal_length']) == pytest.approx(
        two_people.metainfo['focal_length'])

    for i in range(2):
        verts, obj_faces = _read_obj(paths[f'obj_{i}'])
        np.testing.assert_array_equal(obj_faces, faces)
        np.testing.assert_allclose(
            verts, pred.vertices[i] + pred.cam_t_full[i], atol=1e-6)


def test_export_of_an_empty_frame(tiny_mesh_model, tmp_path):
    sample = inference_mesh(tiny_mesh_model, smooth_image(100, 120),
                            np.zeros((0, 4)), np.zeros((0, 17, 2)))
    paths = export_frame(sample, str(tmp_path), 'empty')
    with open(paths['json']) as f:
        assert json.load(f)['persons'] == []
    assert np.load(paths['npz'])['vertices'].shape[0] == 0
    with pytest.raises(ValueError, match='needs the mesh faces'):
        export_frame(sample, str(tmp_path), 'empty', with_obj=True)
