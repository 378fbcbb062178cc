# Copyright (c) mmjotr contributors. All rights reserved.
import cv2
import numpy as np
import pytest
import torch
from mesh_test_inputs import TINY_CONFIG, person, smooth_image
from mmengine.config import Config

from mmjotr.apis import inference_mesh, init_model, load_model_checkpoint
from mmjotr.body_models import map_joints
from mmjotr.geometry import default_focal_length
from mmjotr.utils.checkpoint_io import CheckpointMismatchError

SHAPES = dict(
    bboxes=(4, ),
    bboxes_crop=(4, ),
    smpl_pose=(72, ),
    smpl_betas=(10, ),
    keypoints_3d=(30, 3),
    cam_t=(3, ),
    cam_t_full=(3, ),
    keypoints=(30, 2),
    input_keypoints=(30, 2),
    input_keypoints_mask=(30, ))


def three_people():
    img = smooth_image(480, 640)
    people = [
        person(40, 60, 120, 300),
        person(260, 100, 100, 250),
        person(420, 30, 160, 420)
    ]
    return img, np.stack([b for b, _ in people
                          ]), np.stack([k for _, k in people])


def test_fields_shapes_and_full_camera(tiny_mesh_model):
    img, boxes, kpts = three_people()
    sample = inference_mesh(tiny_mesh_model, img, boxes, kpts)
    pred = sample.pred_instances
    num_verts = tiny_mesh_model.head.body_model.v_template.shape[0]
    for key, shape in dict(SHAPES, vertices=(num_verts, 3)).items():
        assert pred.get(key).shape == (3, *shape), key
        assert pred.get(key).dtype == np.float32, key
    meta = sample.metainfo
    assert meta['ori_shape'] == (480, 640)
    assert meta['focal_length'] == pytest.approx(
        default_focal_length(480, 640))
    assert meta['principal_point'] == (320., 240.)
    np.testing.assert_array_equal(pred.bboxes, boxes)
    # the 3D joints through the full-image camera land on the keypoints
    cam = pred.keypoints_3d + pred.cam_t_full[:, None]
    uv = 800. * cam[..., :2] / cam[..., 2:] + [320., 240.]
    assert np.abs(uv - pred.keypoints).max() <= 1e-3
    # the root joint (depth 0) falls where the crop camera put it
    crop_root = pred.cam_t[:, :2] * 5000. / pred.cam_t[:, 2:] + 128.
    side = (pred.bboxes_crop[:, 2] - pred.bboxes_crop[:, 0])[:, None]
    img_root = crop_root * side / 256. + pred.bboxes_crop[:, :2]
    np.testing.assert_allclose(pred.keypoints[:, 0], img_root, atol=0.05)
    # the input poses were mapped to JOTR-30 in image pixels
    ref, present = map_joints(kpts, 'coco_17', 'jotr_30')
    keep = present > 0
    np.testing.assert_allclose(
        pred.input_keypoints[:, keep], ref[:, keep], atol=1e-3)
    # COCO-17 + pelvis and neck derived = 19 joints present
    assert (pred.input_keypoints_mask.sum(1) == 19).all()


def test_one_batch_equals_one_person_at_a_time(tiny_mesh_model):
    img, boxes, kpts = three_people()
    batched = inference_mesh(tiny_mesh_model, img, boxes, kpts).pred_instances
    single = inference_mesh(
        tiny_mesh_model, img, boxes, kpts, batch_size=1).pred_instances
    for key in ('vertices', 'smpl_pose', 'cam_t_full', 'keypoints'):
        np.testing.assert_allclose(
            batched.get(key), single.get(key), rtol=1e-4, atol=1e-4)


def test_moved_person_same_mesh_moved_camera(tiny_mesh_model):
    patch = smooth_image(260, 200, seed=3)
    box, kpts = person(40, 20, 120, 220)

    def place(x0, y0, scale=1):
        canvas = np.zeros((720, 960, 3), np.uint8)
        p = cv2.resize(
            patch, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        canvas[y0:y0 + p.shape[0], x0:x0 + p.shape[1]] = p
        offset = np.array([x0, y0], np.float32)
        return inference_mesh(tiny_mesh_model, canvas,
                              (box * scale + np.tile(offset, 2))[None],
                              (kpts * scale + offset)[None]).pred_instances

    a, b = place(100, 150), place(517, 283)
    # a whole-pixel move gives the very same crop: same mesh and crop
    # camera; the full camera moves by the pixel offset at the same depth
    for key in ('vertices', 'smpl_pose', 'smpl_betas', 'cam_t'):
        np.testing.assert_allclose(a.get(key), b.get(key), atol=1e-5)
    tz = a.cam_t_full[0, 2]
    assert b.cam_t_full[0, 2] == pytest.approx(tz, rel=1e-5)
    np.testing.assert_allclose(
        b.cam_t_full[0, :2] - a.cam_t_full[0, :2],
        np.array([417., 133.]) * tz / 1200.,
        rtol=1e-4)
    np.testing.assert_allclose(
        b.keypoints[0, 0] - a.keypoints[0, 0], [417., 133.], atol=1e-2)
    # twice as large: nearly the same crop, so nearly the same mesh, and
    # the person sits at half the depth
    c = place(100, 150, scale=2)
    assert np.abs(c.vertices - a.vertices).max() < 0.02
    assert c.cam_t_full[0, 2] == pytest.approx(tz / 2, rel=0.02)
    np.testing.assert_allclose(
        c.keypoints[0, 0] - [100., 150.],
        2 * (a.keypoints[0, 0] - [100., 150.]),
        rtol=5e-3)


@pytest.mark.parametrize('fmt,joint_set,present',
                         [('openpose', 'openpose_25', 19),
                          ('h36m', 'h36m_17', 17), ('jotr', 'jotr_30', 30)])
def test_other_keypoint_formats(tiny_mesh_model, fmt, joint_set, present):
    img, boxes, coco = three_people()
    # the same people in another joint set: COCO joints by name, plus the
    # pelvis/neck midpoints where the set has them, else 0 (feet, spine)
    jotr, _ = map_joints(coco, 'coco_17', 'jotr_30')
    jotr[:, 0] = (jotr[:, 1] + jotr[:, 2]) / 2
    jotr[:, 12] = (jotr[:, 16] + jotr[:, 17]) / 2
    kpts, mask = map_joints(jotr, 'jotr_30', joint_set)
    scores = np.tile(mask, (3, 1))
    scores[:, :] *= np.abs(kpts).sum(-1) > 0
    pred = inference_mesh(
        tiny_mesh_model, img, boxes, kpts, scores,
        keypoint_format=fmt).pred_instances
    assert pred.vertices.shape[0] == 3
    assert (pred.input_keypoints_mask.sum(1) <= present).all()
    assert (pred.input_keypoints_mask.sum(1) >= 13).all()


def test_image_kinds_give_the_same_result(tiny_mesh_model):
    img, boxes, kpts = three_people()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    ref = inference_mesh(tiny_mesh_model, cv2.cvtColor(gray,
                                                       cv2.COLOR_GRAY2BGR),
                         boxes, kpts).pred_instances
    rgba = np.concatenate([
        cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR),
        np.full((480, 640, 1), 7, np.uint8)
    ], 2)
    deep = gray.astype(np.uint16) * 257  # 16-bit, same picture
    for image in (gray, gray[..., None], rgba, deep, deep / 65535.):
        out = inference_mesh(tiny_mesh_model, image, boxes,
                             kpts).pred_instances
        np.testing.assert_allclose(out.vertices, ref.vertices, atol=1e-5)


def test_very_large_image(tiny_mesh_model):
    img = np.zeros((4000, 6000, 3), np.uint8)
    box, kpts = person(2500, 1000, 900, 2400)
    sample = inference_mesh(tiny_mesh_model, img, box[None], kpts[None])
    pred = sample.pred_instances
    assert pred.keypoints.shape == (1, 30, 2)
    # the full-image camera: focal = diagonal = sqrt(4000^2 + 6000^2)
    focal = np.sqrt(52e6)
    assert sample.metainfo['focal_length'] == pytest.approx(focal)
    assert sample.metainfo['principal_point'] == (3000., 2000.)
    # the crop box by hand: the keypoints span x 2752..3148 (0.28..0.72
    # of the box) and y 1144..3304 (0.06..0.96); extended 1.2x about the
    # centre (2950, 2224): x1 2712.4, w 475.2, y1 928, h 2592; the far
    # corner at x1 + w - 1 (the reference's convention): centre (2949.5,
    # 2223.5), longer side 2591; square and 1.1x: side 2850.1
    half = 2850.1 / 2.
    np.testing.assert_allclose(
        pred.bboxes_crop[0],
        [2949.5 - half, 2223.5 - half, 2949.5 + half, 2223.5 + half],
        atol=0.01)
    # the crop camera (focal 5000 on the 256-pixel crop) as a camera of
    # the whole image: focal 5000 * side / 256 about the crop centre
    # (depth 0 keeps its pixels), moved to the image's focal and centre
    tx, ty, tz = pred.cam_t[0].astype(np.float64)
    crop_focal = 5000. * 2850.1 / 256.
    depth = tz * focal / crop_focal
    expected_t = [
        tx + (2949.5 - 3000.) * depth / focal,
        ty + (2223.5 - 2000.) * depth / focal, depth
    ]
    np.testing.assert_allclose(pred.cam_t_full[0], expected_t, rtol=1e-5)
    # the image keypoints are the 3D joints seen by that camera
    cam = pred.keypoints_3d[0].astype(np.float64) + expected_t
    uv = focal * cam[:, :2] / cam[:, 2:] + [3000., 2000.]
    np.testing.assert_allclose(pred.keypoints[0], uv, atol=0.02)
    # the root joint (depth 0) lands where the crop camera puts it
    crop_root = 5000. * np.array([tx, ty]) / tz + 128.
    np.testing.assert_allclose(
        pred.keypoints[0, 0],
        crop_root * 2850.1 / 256. + pred.bboxes_crop[0, :2],
        atol=0.02)


def test_no_person_and_bad_inputs(tiny_mesh_model):
    img, boxes, kpts = three_people()
    empty = inference_mesh(tiny_mesh_model, img, np.zeros((0, 4)),
                           np.zeros((0, 17, 2))).pred_instances
    for key, shape in SHAPES.items():
        assert empty.get(key).shape == (0, *shape)
    with pytest.raises(ValueError, match=r'bbox 1 .* is not x1<x2'):
        inference_mesh(tiny_mesh_model, img, [[0, 0, 10, 10], [5, 5, 5, 9]],
                       kpts[:2])
    with pytest.raises(ValueError, match=r'keypoints must be \(3, 17, 2\)'):
        inference_mesh(tiny_mesh_model, img, boxes, kpts[:, :15])
    with pytest.raises(ValueError, match='unknown keypoint_format "mpii"'):
        inference_mesh(tiny_mesh_model, img, boxes, kpts, None, 'mpii')
    with pytest.raises(ValueError, match='no pose_predictor'):
        inference_mesh(tiny_mesh_model, img, boxes)
    with pytest.raises(FileNotFoundError, match='image not found: nope.jpg'):
        inference_mesh(tiny_mesh_model, 'nope.jpg', boxes, kpts)


def test_checkpoint_not_matching_config(tiny_mesh_model, tmp_path,
                                        standin_body_model_dir):
    ckpt = tmp_path / 'tiny.pth'
    torch.save({'state_dict': tiny_mesh_model.state_dict()}, ckpt)
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.model.neck.embed_dims = 48
    cfg.model.head.body_model_dir = standin_body_model_dir
    other = init_model(cfg)
    with pytest.raises(CheckpointMismatchError) as err:
        load_model_checkpoint(other, str(ckpt), config_name='jotr_wide.py')
    assert (f'checkpoint {ckpt} does not match the model built from '
            'jotr_wide.py') in str(err.value)
    assert 'shape mismatch' in str(err.value)
    # the matching pair loads
    load_model_checkpoint(tiny_mesh_model, str(ckpt), config_name=TINY_CONFIG)


def test_missing_body_model_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        init_model(
            TINY_CONFIG,
            cfg_options={'model.head.body_model_dir': str(tmp_path)})
