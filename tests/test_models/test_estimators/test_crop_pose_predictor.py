# Copyright (c) mmjotr contributors. All rights reserved.
"""JOTR with the optional pose predictor: a frozen mmpose top-down model
(ResNet-50 heatmaps, random weights, config from the installed mmpose)
that turns person crops into the 2D pose input."""
import os.path as osp

import mmpose
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmjotr.apis import inference_mesh, init_model
from mmjotr.models.estimators import CropPosePredictor

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
TINY_CONFIG = osp.join(ROOT, 'configs', 'jotr',
                       'jotr_tiny_1xb4_standin-256x256.py')
POSE_CONFIG = osp.join(
    osp.dirname(mmpose.__file__), '.mim', 'configs', 'body_2d_keypoint',
    'topdown_heatmap', 'coco', 'td-hm_res50_8xb64-210e_coco-256x192.py')


@pytest.fixture(scope='module')
def pose_cfg():
    return Config.fromfile(POSE_CONFIG).model


@pytest.fixture(scope='module')
def model_with_predictor(standin_body_model_dir, pose_cfg, tmp_path_factory):
    from mmengine.registry import DefaultScope
    from mmpose.registry import MODELS as MMPOSE_MODELS
    torch.manual_seed(1)
    with DefaultScope.overwrite_default_scope('mmpose'):
        pose = MMPOSE_MODELS.build(pose_cfg)
    # random heatmaps peak below 0, which mmpose decodes as "no keypoint";
    # lift them so that every keypoint has a maximum
    pose.head.final_layer.bias.data += 10.
    pose.eval()
    ckpt = tmp_path_factory.mktemp('pose') / 'pose.pth'
    torch.save({'state_dict': pose.state_dict()}, ckpt)
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.model.head.body_model_dir = standin_body_model_dir
    cfg.model.pose_predictor = dict(
        type='CropPosePredictor',
        pose_model=dict(pose_cfg, _scope_='mmpose'),
        checkpoint=str(ckpt),
        score_thr=0.)
    torch.manual_seed(0)
    return init_model(cfg), pose


def test_predictor_reproduces_the_pose_model(model_with_predictor):
    model, pose = model_with_predictor
    predictor = model.pose_predictor
    assert isinstance(predictor, CropPosePredictor)
    # the checkpoint was loaded: same weights as the saved model
    for (k, a), b in zip(pose.state_dict().items(),
                         predictor.pose_model.state_dict().values()):
        torch.testing.assert_close(a, b, msg=k)
    crops = torch.rand(2, 3, 256, 256)
    xy, mask = predictor(crops)
    assert xy.shape == (2, 30, 2) and mask.shape == (2, 30)
    # reference: the pose model on the central 192 columns, normalised by
    # its own preprocessor, argmax of each heatmap (x 4 to input pixels)
    x = crops[..., 32:224] * 255.
    mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)
    with torch.no_grad():
        heatmaps = pose._forward((x - mean) / std)  # (2, 17, 64, 48)
    flat = heatmaps.flatten(2).argmax(-1)
    ref = torch.stack([flat % 48, flat // 48], -1).float() * 4.
    ref[..., 0] += 32  # back to the 256 px crop
    ref = ref / 4.  # heatmap (64 px) frame of JOTR
    # COCO -> JOTR-30: nose is joint 24, left shoulder 16, right hip 2
    for coco, jotr in ((0, 24), (5, 16), (12, 2)):
        # the codec refines the argmax by a quarter heatmap pixel at most
        assert (xy[:, jotr] - ref[:, coco]).abs().max() <= 0.25 + 1e-4
    hips = (xy[:, 1] + xy[:, 2]) / 2
    torch.testing.assert_close(xy[:, 0], hips)  # pelvis derived


def test_a_box_is_enough(model_with_predictor):
    model, _ = model_with_predictor
    img = np.random.default_rng(0).integers(
        0, 255, (240, 320, 3), dtype=np.uint8)
    sample = inference_mesh(model, img, [[40., 20., 200., 230.]])
    pred = sample.pred_instances
    assert pred.vertices.shape[0] == 1
    # the predicted pose became the input: 19 of 30 joints (COCO + pelvis
    # + neck), all valid at threshold 0 unless outside the crop
    assert 1 <= pred.input_keypoints_mask.sum() <= 19
    # given keypoints win over the predictor
    kpts = np.tile([[100., 100.]], (17, 1)) + np.arange(17)[:, None]
    given = inference_mesh(model, img, [[40., 20., 200., 230.]], kpts[None])
    np.testing.assert_allclose(
        given.pred_instances.input_keypoints[0, 24], [100., 100.], atol=1e-3)


def test_frozen_and_out_of_the_state_dict(model_with_predictor):
    model, _ = model_with_predictor
    assert not any(k.startswith('pose_predictor') for k in model.state_dict())
    assert not any('pose_predictor' in n for n, _ in model.named_parameters())
    model.train()
    assert not model.pose_predictor.pose_model.training
    model.eval()
    assert all(not p.requires_grad
               for p in model.pose_predictor.pose_model.parameters())
