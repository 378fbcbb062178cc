# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample

from mmjotr.body_models import SMPL
from mmjotr.registry import VISUALIZERS
from mmjotr.visualization import PALETTE, MeshVisualizer, RasterRenderer


@pytest.fixture(scope='module')
def body(standin_body_model_dir):
    smpl = SMPL(standin_body_model_dir)
    with torch.no_grad():
        out = smpl(torch.zeros(1, 72), torch.zeros(1, 10))
    verts = (out.vertices - out.joints[:, :1])[0].numpy()
    return verts, smpl.faces.numpy()


def scene(verts, cam_ts, height=240, width=320, focal=400.):
    sample = PoseDataSample(
        metainfo=dict(
            focal_length=focal, principal_point=(width / 2., height / 2.)))
    pred = InstanceData()
    pred.cam_t_full = np.asarray(cam_ts, np.float32)
    pred.vertices = np.repeat(verts[None], len(cam_ts), 0)
    cam = np.zeros((len(cam_ts), 1, 3), np.float32) + pred.cam_t_full[:, None]
    pred.keypoints = (
        focal * cam[..., :2] / cam[..., 2:] + [width / 2., height / 2.])
    sample.pred_instances = pred
    return sample


def test_registered_and_depth_order_between_people(body):
    verts, faces = body
    vis = VISUALIZERS.build(
        dict(
            type='MeshVisualizer',
            name='depth_order_test',
            renderer='raster',
            alpha=1.))
    assert isinstance(vis, MeshVisualizer)
    vis.set_faces(faces)
    image = np.zeros((240, 320, 3), np.uint8)
    near, far = [-0.1, 0., 4.], [0.1, 0.05, 6.]
    both = vis.draw_meshes(image, scene(verts, [near, far]), faces)
    alone_near = vis.draw_meshes(image, scene(verts, [near]), faces)
    only_far = scene(verts, [far])
    only_far.pred_instances.track_ids = np.array([1])  # far's colour
    alone_far = vis.draw_meshes(image, only_far, faces)
    overlap = (alone_near.any(-1)) & (alone_far.any(-1))
    assert overlap.sum() > 300
    # where the two persons overlap, the nearer one is drawn, whichever
    # order they come in
    np.testing.assert_array_equal(both[overlap], alone_near[overlap])
    swapped = scene(verts, [far, near])
    swapped.pred_instances.track_ids = np.array([1, 0])
    np.testing.assert_array_equal(
        vis.draw_meshes(image, swapped, faces)[overlap], alone_near[overlap])
    # colours follow the palette: the near person is bluish (PALETTE[0])
    mean = alone_near[alone_near.any(-1)].mean(0)
    assert np.argmax(mean) == np.argmax(PALETTE[0])


def test_side_view_keypoints_and_downscaling(body, tmp_path):
    verts, faces = body
    vis = MeshVisualizer(renderer='raster', save_dir=str(tmp_path))
    vis.set_faces(faces)
    sample = scene(verts, [[0., 0., 4.]])
    image = np.full((240, 320, 3), 30, np.uint8)
    plain = vis.add_datasample(
        'a', image, sample, out_file=str(tmp_path / 'a.png'))
    assert (tmp_path / 'a.png').exists()
    side = vis.add_datasample(
        'b', image, sample, side_view=True, out_file=str(tmp_path / 'b.png'))
    assert side.shape == (240, 640, 3)
    np.testing.assert_array_equal(side[:, :320], plain)
    assert (side[:, 320:] != 255).any(-1).sum() > 500  # the side view
    dots = vis.draw_meshes(image, sample, faces, draw_keypoints=True)
    u, v = np.round(sample.pred_instances.keypoints[0, 0]).astype(int)
    assert (dots[v, u] != plain[v, u]).any()
    vis.max_render_size = 160
    small = vis.draw_meshes(image, sample, faces)
    assert small.shape == (120, 160, 3)
    # the same person, drawn at half the size
    big_mask = plain.astype(int).sum(-1) != 90
    small_mask = small.astype(int).sum(-1) != 90
    assert small_mask.sum() == pytest.approx(big_mask.sum() / 4, rel=0.1)


def test_crop_samples_and_errors(body):
    verts, faces = body
    vis = MeshVisualizer(renderer='raster')
    sample = PoseDataSample()
    pred = InstanceData()
    pred.cam_t = torch.tensor([[0., 0., 30.]])
    pred.vertices = torch.from_numpy(verts[None])
    sample.pred_instances = pred
    with pytest.raises(ValueError, match='no mesh faces'):
        vis.add_datasample('x', np.zeros((256, 256, 3), np.uint8), sample)
    drawn = vis.draw_meshes(np.zeros((256, 256, 3), np.uint8), sample, faces)
    # crop camera: focal 5000 at 30 m, centred on the crop centre
    assert drawn[128, 128].any() and not drawn[2, 2].any()
    with pytest.raises(ValueError, match='256 px input crop'):
        vis.draw_meshes(np.zeros((100, 100, 3), np.uint8), sample, faces)
    with pytest.raises(ValueError, match='draw_gt'):
        vis.add_datasample(
            'x',
            np.zeros((256, 256, 3), np.uint8),
            sample,
            faces,
            draw_gt=True)
    assert isinstance(vis.renderer, RasterRenderer)
