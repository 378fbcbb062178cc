# Copyright (c) mmjotr contributors. All rights reserved.
"""The recorded visibility agrees with the rendered pixels."""
import cv2
import numpy as np
import pytest

from mmjotr.datasets.synthocc import SynthOccGenerator, SynthOccSettings
from mmjotr.datasets.synthocc.procedural import box_mesh
from mmjotr.datasets.synthocc.scene import Occluder, sample_person_params
from mmjotr.datasets.synthocc.visibility import HIDDEN, VISIBLE
from mmjotr.visualization import RasterRenderer, RenderMesh

PELVIS, CHEST = 0, 9


@pytest.fixture(scope='module')
def generator(standin_body_model_dir):
    return SynthOccGenerator(standin_body_model_dir,
                             SynthOccSettings(num_frames=dict(train=1)))


def _flags(annotation):
    return np.asarray(annotation['joints_img'])[:, 2]


def test_occluder_over_a_joint_hides_it(generator):
    rng = np.random.default_rng(3)
    target = generator.sample_target(rng)
    cam = generator.camera
    joints_px = cam.project(target.joints)
    # a 25 cm box 0.6 m in front of the chest, on its line of sight
    depth = target.joints[CHEST, 2] - 0.6
    u, v = joints_px[CHEST]
    centre = np.array([(u - cam.cx) * depth / cam.fx,
                       (v - cam.cy) * depth / cam.fy, depth])
    verts, faces = box_mesh(np.array([0.25, 0.25, 0.1]))
    box = Occluder('box', verts + centre, faces)
    solo, scene = generator.render_scene(rng, target, [box])
    flags = _flags(generator.annotate_person(target, 0, scene))
    assert flags[CHEST] == HIDDEN
    assert scene.instance_id[int(round(v)), int(round(u))] == 1

    # independently: a joint well outside the box's image (convex hull of
    # its projected corners) cannot be hidden by it; one well inside and
    # behind it must be
    hull = cv2.convexHull(cam.project(box.vertices).astype(np.float32))
    box_far = box.vertices[:, 2].max()
    checked = 0
    for k, (x, y) in enumerate(joints_px):
        if not (0 <= x < cam.width and 0 <= y < cam.height):
            continue
        dist = cv2.pointPolygonTest(hull, (float(x), float(y)), True)
        if dist < -1.5:
            assert flags[k] == VISIBLE, k
            checked += 1
        elif dist > 1.5 and target.joints[k, 2] > box_far:
            assert flags[k] == HIDDEN, k
            checked += 1
    assert checked >= 20

    # the two-pass z-buffer equals one rendering of everything
    together = RasterRenderer(cull_back_faces=True).render([
        RenderMesh(target.vertices, generator.faces),
        RenderMesh(box.vertices, box.faces)
    ], cam)
    assert (together.instance_id == scene.instance_id).mean() > 0.999
    # the target's own silhouette is the solo rendering
    hidden_share = 1 - (scene.instance_id[solo.mask] == 0).mean()
    assert 0 < hidden_share < 1


def test_person_behind_another_is_marked(generator):
    rng = np.random.default_rng(5)
    target = generator.sample_target(rng)
    cam = generator.camera
    root_px = cam.project(target.joints[:1])[0]
    params = sample_person_params(rng)
    verts, joints = generator.pose_people([params])
    front = generator.place_person(rng, params, verts[0], joints[0],
                                   (root_px[0] + 10, root_px[1]),
                                   target.joints[0, 2] - 1.5)
    assert front.vertices[:, 2].max() < target.joints[:, 2].min()
    solo, scene = generator.render_scene(rng, target, [front])
    flags = _flags(generator.annotate_person(target, 0, scene))
    front_flags = _flags(generator.annotate_person(front, 1, scene))

    # independently: the front person's own silhouette
    front_mask = RasterRenderer().render(
        [RenderMesh(front.vertices, generator.faces)], cam).mask
    joints_px = np.round(cam.project(target.joints)).astype(int)
    for k, (x, y) in enumerate(joints_px):
        if not (0 <= x < cam.width and 0 <= y < cam.height):
            assert flags[k] == 0
            continue
        assert flags[k] == (HIDDEN if front_mask[y, x] else VISIBLE), k
    assert (flags == HIDDEN).sum() >= 5  # the bodies overlap a lot
    # nothing is in front of the front person
    assert not (front_flags == HIDDEN).any()
