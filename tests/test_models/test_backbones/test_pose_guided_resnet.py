# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch
from mmpose.models.backbones import ResNet

from mmjotr.models.backbones import PoseGuidedResNet


def tiny(**kwargs):
    return PoseGuidedResNet(
        depth=18, stem_channels=8, base_channels=8, num_joints=4, **kwargs)


def test_heatmaps_and_joint_drop():
    torch.manual_seed(0)
    net = tiny().eval()
    kps = torch.tensor([[[10.5, 3.], [60., 60.], [0., 0.], [33., 20.]]])
    mask = torch.tensor([[1., 1., 0., 1.]])
    hm = net.render_heatmaps(kps, mask).numpy()
    yy, xx = np.mgrid[0:64, 0:64]
    expected = np.exp(-((xx - 10.5)**2 + (yy - 3.)**2) / (2 * 2.5**2))
    np.testing.assert_allclose(hm[0, 0], expected, rtol=1e-5, atol=1e-7)
    assert hm[0, 2].max() == 0
    # eval: no drop; train: drop probability 1 removes every joint
    net.joint_drop_prob = 1.0
    assert net.render_heatmaps(kps, mask).sum() > 0
    net.train()
    assert net.render_heatmaps(kps, mask).sum() == 0
    # 10 % drop: about 10 % of the present joints vanish (tiny heatmaps)
    net = PoseGuidedResNet(
        depth=18,
        stem_channels=8,
        base_channels=8,
        num_joints=30,
        heatmap_size=4).train()
    kps = torch.full((4000, 30, 2), 2.)
    kept = net.render_heatmaps(kps, torch.ones(4000, 30)).amax((2, 3))
    assert abs(1 - kept.mean().item() - 0.1) < 0.006


def test_forward_fuses_heatmaps():
    torch.manual_seed(1)
    net = tiny().eval()
    img = torch.rand(2, 3, 256, 256)
    kps = torch.rand(2, 4, 2) * 63
    out = net(img, kps, torch.ones(2, 4))
    assert out.shape == (2, 64, 8, 8)
    # the heatmaps change the output; the conv sees 8 + 4 channels
    assert net.pose2feat[0].weight.shape == (8, 12, 3, 3)
    out2 = net(img, kps + 5, torch.ones(2, 4))
    assert not torch.allclose(out, out2)
    with pytest.raises(ValueError, match=r'\(B, 4, 2\)'):
        net(img, torch.rand(2, 5, 2), torch.ones(2, 5))


def test_key_names_load_mmpose_checkpoint(tmp_path):
    # a SimpleBaseline-style checkpoint: mmpose ResNet under 'backbone.'
    torch.manual_seed(2)
    src = ResNet(18, stem_channels=8, base_channels=8)
    state = {f'backbone.{k}': v for k, v in src.state_dict().items()}
    state['head.final_layer.weight'] = torch.zeros(17, 64, 1, 1)
    path = tmp_path / 'td-hm_res18.pth'
    torch.save(dict(state_dict=state), path)
    net = tiny(
        init_cfg=dict(
            type='Pretrained', prefix='backbone.', checkpoint=str(path)))
    net.init_weights()
    loaded = net.state_dict()
    for key, value in src.state_dict().items():
        torch.testing.assert_close(loaded[key], value)
    assert 'pose2feat.0.weight' in loaded


def test_full_size_parameter_count():
    net = PoseGuidedResNet()
    count = sum(p.numel() for p in net.parameters())
    # torchvision ResNet-50 without fc: 23 508 032; Pose2Feat: 54 208
    assert count == 23508032 + 94 * 64 * 9 + 64 + 128
    assert len([k for k in net.state_dict() if k.startswith('layer')]) == 312


@pytest.mark.parametrize('pretrained', [False, True])
def test_pose2feat_release_initialisation(tmp_path, pretrained):
    init_cfg = None
    if pretrained:
        path = tmp_path / 'resnet.pth'
        src = ResNet(18, stem_channels=8, base_channels=8)
        torch.save(
            dict(state_dict={
                f'backbone.{k}': v
                for k, v in src.state_dict().items()
            }), path)
        init_cfg = dict(
            type='Pretrained', prefix='backbone.', checkpoint=str(path))
    torch.manual_seed(3)
    net = tiny(init_cfg=init_cfg)
    net.init_weights()
    conv, bn = net.pose2feat[0], net.pose2feat[1]
    weight = conv.weight.detach().numpy().ravel()  # 8 x 12 x 9 = 864
    # N(0, 0.001): the sample std within 10% (4 standard errors), the
    # mean within 3 standard errors of 0
    assert abs(weight.std() / 1e-3 - 1) < 0.1
    assert abs(weight.mean()) < 1e-4
    assert (conv.bias == 0).all()
    assert (bn.weight == 1).all() and (bn.bias == 0).all()
    # the switch: the ResNet's own initialisation (much larger weights)
    torch.manual_seed(3)
    other = tiny(init_cfg=init_cfg, pose2feat_std=None)
    other.init_weights()
    assert other.pose2feat[0].weight.std() > 0.01


def test_pose2feat_heatmap_weights_have_their_own_std():
    torch.manual_seed(4)
    net = tiny(pose2feat_heatmap_std=0.1)
    net.init_weights()
    weight = net.pose2feat[0].weight.detach().numpy()
    image, heatmaps = weight[:, :net.stem_channels], weight[:,
                                                            net.stem_channels:]
    # each block's sample std within 15% of its N(0, std) (>= 288 draws)
    assert abs(image.std() / 1e-3 - 1) < 0.15
    assert abs(heatmaps.std() / 0.1 - 1) < 0.15
