# Copyright (c) mmjotr contributors. All rights reserved.
"""The whole chain on the CPU: randomly initialised mmdet RTMDet-tiny and
mmpose ResNet-50 top-down models (configs shipped inside the installed
packages), then the tiny JOTR."""
import json
import os.path as osp

import cv2
import mmdet
import mmpose
import numpy as np
import pytest
import torch
from mesh_test_inputs import TINY_CONFIG, person, smooth_image
from mmengine.config import Config
from test_frame_source import damage_video, write_video

from mmjotr.apis import MeshInferencer
from mmjotr.utils.checkpoint_io import CheckpointMismatchError

DET_CONFIG = osp.join(
    osp.dirname(mmdet.__file__), '.mim', 'configs', 'rtmdet',
    'rtmdet_tiny_8xb32-300e_coco.py')
POSE_CONFIG = osp.join(
    osp.dirname(mmpose.__file__), '.mim', 'configs', 'body_2d_keypoint',
    'topdown_heatmap', 'coco', 'td-hm_res50_8xb64-210e_coco-256x192.py')


@pytest.fixture(scope='module')
def inferencer(standin_body_model_dir):
    det = Config.fromfile(DET_CONFIG)
    det.model.test_cfg.max_per_img = 3  # random weights: keep it small
    torch.manual_seed(0)
    return MeshInferencer(
        TINY_CONFIG,
        pose2d=POSE_CONFIG,
        det_model=det,
        device='cpu',
        renderer='raster',
        body_model_dir=standin_body_model_dir,
        show_progress=False)


def test_image_through_the_whole_chain(inferencer, tmp_path):
    img = smooth_image(240, 320)
    path = str(tmp_path / 'photo.png')
    cv2.imwrite(path, img)
    results = list(
        inferencer(
            path,
            bbox_thr=0.,
            vis_out_dir=str(tmp_path / 'vis'),
            pred_out_dir=str(tmp_path / 'pred'),
            return_vis=True,
            draw_keypoints=True))
    assert len(results) == 1 and results[0]['frame'] == 'photo.png'
    sample = results[0]['predictions'][0]
    pred = sample.pred_instances
    num = len(pred.bboxes)
    assert 1 <= num <= 3  # random detector: some of its 3 best boxes
    assert pred.vertices.shape == (num, 6890, 3)
    assert pred.keypoints.shape == (num, 30, 2)
    assert pred.track_ids.tolist() == list(range(num))
    assert sample.metainfo['img_path'] == path
    assert results[0]['visualization'][0].shape == (240, 320, 3)
    assert cv2.imread(str(tmp_path / 'vis' / 'photo.png')).shape == (240, 320,
                                                                     3)
    with open(tmp_path / 'pred' / 'photo.json') as f:
        assert len(json.load(f)['persons']) == num
    # as a dict of arrays
    out = next(inferencer(img, bbox_thr=0., return_datasamples=False))
    assert out['predictions'][0]['smpl_pose'].shape == (num, 72)


def test_folder_with_an_unreadable_file(inferencer, tmp_path):
    folder = tmp_path / 'frames'
    folder.mkdir()
    for i in range(2):
        cv2.imwrite(str(folder / f'{i}.png'), smooth_image(120, 160, i))
    (folder / '1b.jpg').write_bytes(b'\x89PNG broken')
    names = [
        r['frame'] for r in inferencer(
            str(folder), bbox_thr=0., pred_out_dir=str(tmp_path / 'p'))
    ]
    assert names == ['0.png', '1.png']
    assert inferencer.num_skipped == 1
    assert sorted(p.name for p in (tmp_path / 'p').iterdir()) == [
        '0.json', '0.npz', '1.json', '1.npz'
    ]


def crossing_video(path, num_frames=24):
    """Two persons (drawn as coloured boxes) crossing; returns their true
    boxes per frame (A first)."""
    frames, truth = [], []
    for t in range(num_frames):
        img = np.full((200, 320, 3), 40, np.uint8)
        xa, xb = 20 + 10 * t, 230 - 10 * t
        a, ka = person(xa, 20, 70, 170)
        b, kb = person(xb, 30, 75, 165)
        cv2.rectangle(img, (xb, 30), (xb + 75, 195), (0, 200, 0), -1)
        cv2.rectangle(img, (xa, 20), (xa + 70, 190), (0, 0, 200), -1)
        frames.append(img)
        truth.append((np.stack([a, b]), np.stack([ka, kb])))
    write_video(path, frames, fps=12.)
    return truth


def test_video_tracking_through_a_crossing(inferencer, tmp_path):
    video = str(tmp_path / 'cross.avi')
    truth = crossing_video(video)
    rng = np.random.default_rng(0)
    frame_idx = iter(range(len(truth)))
    orders = []

    def stub_detect(image, *args):
        # a stub detector with known boxes, listing persons in any order
        boxes, kpts = truth[next(frame_idx)]
        order = rng.permutation(2)
        orders.append(order)
        return dict(
            bboxes=boxes[order],
            bbox_scores=np.ones(2, np.float32),
            keypoints=kpts[order],
            keypoint_scores=np.ones((2, 17), np.float32))

    inferencer.detect_2d = stub_detect
    inferencer.smooth = True
    try:
        results = list(
            inferencer(
                video,
                vis_out_dir=str(tmp_path / 'out'),
                pred_out_dir=str(tmp_path / 'pred')))
    finally:
        del inferencer.detect_2d
        inferencer.smooth = False
    assert len(results) == len(truth)
    ids = np.array([
        r['predictions'][0].pred_instances.track_ids[np.argsort(o)]
        for r, o in zip(results, orders)
    ])  # (frames, [A, B])
    assert (ids == ids[0]).all() and ids[0, 0] != ids[0, 1]
    cap = cv2.VideoCapture(str(tmp_path / 'out' / 'cross.mp4'))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == len(truth)
    assert len(list((tmp_path / 'pred').glob('cross_*.json'))) == len(truth)


def test_no_person_and_a_truncated_video(inferencer, tmp_path):
    video = tmp_path / 'clip.avi'
    write_video(video, [smooth_image(96, 128, i) for i in range(10)])
    damage_video(video, 7, truncate=True)
    damage_video(video, 3)
    inferencer.detect_2d = lambda image, *args: dict(
        bboxes=np.zeros((0, 4), np.float32),
        bbox_scores=np.zeros(0, np.float32),
        keypoints=np.zeros((0, 17, 2), np.float32),
        keypoint_scores=np.zeros((0, 17), np.float32))
    try:
        results = list(inferencer(str(video), vis_out_dir=str(tmp_path)))
    finally:
        del inferencer.detect_2d
    assert [r['frame']
            for r in results] == [f'clip_{i:06d}' for i in (0, 1, 2, 4, 5, 6)]
    assert inferencer.num_skipped == 4  # frame 3 and the lost 7, 8, 9
    for r in results:
        assert len(r['predictions'][0].pred_instances.bboxes) == 0
    cap = cv2.VideoCapture(str(tmp_path / 'clip.mp4'))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == len(results)


def test_checkpoint_not_matching_its_config(tmp_path, standin_body_model_dir):
    ckpt = tmp_path / 'other.pth'
    torch.save({'state_dict': {'backbone.conv1.weight': torch.zeros(1)}}, ckpt)
    with pytest.raises(
            CheckpointMismatchError,
            match=f'checkpoint {ckpt} does not match the model built from '
            f'{TINY_CONFIG}'):
        MeshInferencer(
            TINY_CONFIG,
            str(ckpt),
            pose2d=POSE_CONFIG,
            det_model=DET_CONFIG,
            device='cpu',
            body_model_dir=standin_body_model_dir)


def test_frame_where_the_detector_finds_nobody(inferencer, tmp_path):
    """The real detector, made to find nobody (no score reaches its
    threshold): no person, not mmpose's whole-image fallback box; the
    frame is still yielded, drawn (as the bare image) and exported."""
    img = smooth_image(120, 160, 7)
    path = str(tmp_path / 'empty.png')
    cv2.imwrite(path, img)
    detector = inferencer.pose2d.detector
    head_cfg = detector.model.bbox_head.test_cfg
    score_thr = head_cfg.score_thr
    head_cfg.score_thr = 1.01  # scores are probabilities
    try:
        found = detector(img, return_datasamples=True)['predictions'][0]
        assert len(found.pred_instances) == 0
        results = list(
            inferencer(
                path,
                vis_out_dir=str(tmp_path / 'vis'),
                pred_out_dir=str(tmp_path / 'pred'),
                return_vis=True,
                draw_keypoints=True))
        detected = inferencer.detect_2d(img)
    finally:
        head_cfg.score_thr = score_thr
    for key, shape in dict(
            bboxes=(0, 4),
            bbox_scores=(0, ),
            keypoints=(0, 17, 2),
            keypoint_scores=(0, 17)).items():
        assert detected[key].shape == shape, key
    assert len(results) == 1 and results[0]['frame'] == 'empty.png'
    sample = results[0]['predictions'][0]
    pred = sample.pred_instances
    for key, shape in dict(
            bboxes=(4, ),
            bbox_scores=(),
            track_ids=(),
            vertices=(6890, 3),
            smpl_pose=(72, ),
            keypoints=(30, 2),
            cam_t_full=(3, )).items():
        assert pred.get(key).shape == (0, *shape), key
    assert sample.metainfo['img_path'] == path
    # nothing drawn: the visualisation is the input image
    np.testing.assert_array_equal(results[0]['visualization'][0],
                                  img[..., ::-1])
    np.testing.assert_array_equal(
        cv2.imread(str(tmp_path / 'vis' / 'empty.png')), img)
    with open(tmp_path / 'pred' / 'empty.json') as f:
        exported = json.load(f)
    assert exported['persons'] == [] and exported['img_path'] == path
    with np.load(tmp_path / 'pred' / 'empty.npz') as arrays:
        assert arrays['vertices'].shape == (0, 6890, 3)
        assert arrays['track_ids'].shape == (0, )


def two_persons(frame):
    """Detections that depend on the image only (not on its name or
    position in the input), as a detector's do."""
    shift = float(frame.image[:8, :8].mean()) / 8.  # differs per image
    boxes, kpts = zip(
        person(10 + shift, 12, 50, 100), person(90 - shift, 8, 45, 105))
    return dict(
        bboxes=np.stack(boxes),
        bbox_scores=np.array([0.9, 0.8], np.float32),
        keypoints=np.stack(kpts).astype(np.float32),
        keypoint_scores=np.ones((2, 17), np.float32))


def test_list_of_images_equals_one_call_per_image(inferencer, tmp_path):
    """A list of an array and a path: one result per item, in order, each
    the result of the item given alone (the same boxes, meshes, camera and
    metainfo), exported under the item's name."""
    images = [smooth_image(120, 160, seed) for seed in (11, 12)]
    path = str(tmp_path / 'b.png')
    cv2.imwrite(path, images[1])
    inputs = [images[0], path]
    listed = list(
        inferencer(
            inputs, detections=two_persons, pred_out_dir=str(tmp_path / 'p')))
    stems = ['image_000000', 'b']
    assert [r['frame'] for r in listed] == [f'{s}.png' for s in stems]
    fields = ('bboxes', 'bbox_scores', 'smpl_pose', 'smpl_betas', 'vertices',
              'cam_t_full', 'keypoints', 'input_keypoints')
    alone = []
    for item, result in zip(inputs, listed):
        single = next(inferencer(item, detections=two_persons))
        single = single['predictions'][0]
        sample = result['predictions'][0]
        for key in fields:
            np.testing.assert_array_equal(
                sample.pred_instances.get(key),
                single.pred_instances.get(key),
                err_msg=f'{result["frame"]}: {key}')
        for key in ('img_path', 'ori_shape', 'focal_length',
                    'principal_point'):
            assert sample.metainfo[key] == single.metainfo[key], key
        alone.append(single.pred_instances)
    # the items differ, so the order is checked
    assert not np.allclose(alone[0].bboxes, alone[1].bboxes)
    assert not np.allclose(alone[0].vertices, alone[1].vertices)
    for stem, img_path in zip(stems, (None, path)):
        with open(tmp_path / 'p' / f'{stem}.json') as f:
            assert json.load(f)['img_path'] == img_path


def test_fast_path_inferencer_loads_its_checkpoint(tmp_path,
                                                   standin_body_model_dir):
    """With ``model.test_cfg.fast_inference`` the inferencer loads the
    checkpoint first, then folds BatchNorm: the folded conv equals the
    checkpoint's conv and BN combined by hand (it used to fold the random
    initialisation, and the checkpoint was then refused)."""
    from mmjotr.apis import init_model
    model = init_model(
        TINY_CONFIG,
        cfg_options={'model.head.body_model_dir': standin_body_model_dir})
    state = model.state_dict()
    gen = torch.Generator().manual_seed(3)
    for key in ('weight', 'bias', 'running_mean', 'running_var'):
        value = state[f'backbone.bn1.{key}']
        state[f'backbone.bn1.{key}'] = torch.rand(
            value.shape, generator=gen) + 0.5
    ckpt = tmp_path / 'tiny.pth'
    torch.save({'state_dict': state}, ckpt)
    cfg_file = tmp_path / 'tiny_fast.py'
    cfg_file.write_text(f'_base_ = [{TINY_CONFIG!r}]\n'
                        'model = dict(test_cfg=dict(fast_inference=True))\n')
    inferencer = MeshInferencer(
        str(cfg_file),
        str(ckpt),
        device='cpu',
        body_model_dir=standin_body_model_dir,
        show_progress=False)
    fused = inferencer.model.backbone.conv1
    scale = state['backbone.bn1.weight'] / torch.sqrt(
        state['backbone.bn1.running_var'] + 1e-5)
    torch.testing.assert_close(
        fused.weight.float(),
        state['backbone.conv1.weight'] * scale[:, None, None, None],
        rtol=1e-2,
        atol=1e-3)
    torch.testing.assert_close(
        fused.bias.float(),
        state['backbone.bn1.bias'] -
        state['backbone.bn1.running_mean'] * scale,
        rtol=1e-2,
        atol=1e-3)
    for key, value in state.items():  # the rest is the checkpoint's
        if key.startswith('head.decoder.'):
            torch.testing.assert_close(
                inferencer.model.state_dict()[key].float(), value)
