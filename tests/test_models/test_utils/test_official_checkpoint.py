# Copyright (c) mmjotr contributors. All rights reserved.
import os.path as osp
import zlib

import numpy as np
import pytest
import torch

from mmjotr.models.utils import (convert_official_checkpoint,
                                 convert_official_state_dict)
from mmjotr.structures import MeshTargets
from mmjotr.testing import synthetic_batch

SAVED_OUTPUTS = osp.join(
    osp.dirname(__file__), 'official_checkpoint_outputs.npz')

# mmjotr prefix -> reference prefix (the release's key names), written
# independently of the converter's rules; the first match wins.
TO_REFERENCE = [
    ('backbone.pose2feat.', 'pose2feat.conv.'),
    ('backbone.', 'backbone.'),
    ('head.smpl_regressor.vposer.', 'vposer.vposer.'),
    ('head.input_proj.', 'down_linear.'),
    ('head.decoder.smpl_query_content', 'transformer.smpl_tgt'),
    ('head.decoder.joint_query_content', 'transformer.kp_tgt'),
    ('head.decoder.smpl_query_pos', 'spose_shape_cam_param'),
    ('head.decoder.joint_query_pos.weight', 'query.weight'),
    ('head.decoder.joint_regress.', 'transformer.decoder.joint_img_regress.'),
    ('head.encoder.', 'transformer.encoder.'),
    ('head.decoder.', 'transformer.decoder.'),
    ('head.smpl_regressor.cascade_root_pose.layers.',
     'cascade_root_pose_out.'),
    ('head.smpl_regressor.cascade_pose.layers.', 'cascade_pose_out.'),
    ('head.smpl_regressor.cascade_shape.layers.', 'cascade_shaoe_out.'),
    ('head.smpl_regressor.cascade_cam.layers.', 'cascade_cam_out.'),
    ('neck.volume_encoder.pos_embed.pos_table', 'pos_embed_1d.pos_table'),
    ('neck.conv2d_to_3d.', 'conv2d_to_3d.'),
    ('neck.depth_exponent', 'exponent'),
    ('neck.conv_3d_coord.', 'conv_3d_coord.0.'),
    ('neck.volume_encoder.encoder.', 'refine_3d.'),
]


def reference_layout(model):
    gen = torch.Generator().manual_seed(0)
    ref = {}
    for key, value in model.state_dict().items():
        if key.startswith('head.uncertainty_weighting.'):
            continue  # not part of the reference layout
        for ours, theirs in TO_REFERENCE:
            if key.startswith(ours):
                ref['module.' + theirs + key[len(ours):]] = torch.randn(
                    value.shape, generator=gen).to(value.dtype)
                break
        else:
            raise AssertionError(f'no reference name for {key}')
    ref['module.human_model_layer.th_v_template'] = torch.zeros(6890, 3)
    ref['module.human_model_layer.th_faces'] = torch.zeros(13776, 3)
    return ref


def test_convert_loads_strictly_and_keeps_values(tiny_jotr, tmp_path):
    ref = reference_layout(tiny_jotr)
    src = tmp_path / 'snapshot_9.pth.tar'
    torch.save(dict(network=ref, epoch=9), src)
    dst = tmp_path / 'converted.pth'
    state = {k: v.clone() for k, v in tiny_jotr.state_dict().items()}
    converted = convert_official_checkpoint(str(src), str(dst), tiny_jotr)
    saved = torch.load(dst, weights_only=True)['state_dict']
    assert set(saved) == set(state)
    loaded = tiny_jotr.state_dict()
    assert torch.equal(loaded['backbone.pose2feat.0.weight'],
                       ref['module.pose2feat.conv.0.weight'])
    assert torch.equal(
        loaded['head.smpl_regressor.cascade_shape.layers.1.bias'],
        ref['module.cascade_shaoe_out.1.bias'])
    assert torch.equal(loaded['neck.volume_encoder.encoder.norm.weight'],
                       ref['module.refine_3d.norm.weight'])
    assert torch.equal(
        converted['head.smpl_regressor.vposer.bodyprior_dec_fc1.weight'],
        ref['module.vposer.vposer.bodyprior_dec_fc1.weight'])
    assert not any('human_model' in k or 'body_model' in k for k in saved)
    torch.testing.assert_close(saved['head.uncertainty_weighting.params'],
                               state['head.uncertainty_weighting.params'])
    tiny_jotr.load_state_dict(state)


def test_convert_lists_every_problem(tiny_jotr):
    ref = reference_layout(tiny_jotr)
    expected = {k: tuple(v.shape) for k, v in tiny_jotr.state_dict().items()}
    ref['module.mystery.weight'] = torch.zeros(1)
    ref['module.exponent'] = torch.zeros(2)
    del ref['module.query.weight']
    with pytest.raises(ValueError) as err:
        convert_official_state_dict(ref, expected)
    msg = str(err.value)
    assert 'unmatched source key: mystery.weight' in msg
    assert ('shape mismatch for exponent -> neck.depth_exponent: (2,) vs ()'
            in msg)
    assert 'missing target key: head.decoder.joint_query_pos.weight' in msg


def test_full_size_model_has_the_reference_shapes(standin_body_model_dir,
                                                  jotr_builder):
    model = jotr_builder(
        'configs/jotr/jotr_res50_8xb32-18e_mix-256x256.py',
        str(standin_body_model_dir),
        init=False)
    ref = reference_layout(model)
    spec = {  # the release's key names and shapes
        'spose_shape_cam_param': (3, 256),
        'exponent': (),
        'query.weight': (15, 256),
        'pose2feat.conv.0.weight': (64, 94, 3, 3),
        'pose2feat.conv.1.running_var': (64, ),
        'vposer.vposer.bodyprior_enc_fc1.weight': (512, 63),
        'vposer.vposer.bodyprior_dec_out.weight': (126, 512),
        'down_linear.weight': (256, 2048, 1, 1),
        'transformer.smpl_tgt': (256, ),
        'transformer.encoder.layers.1.self_attn.in_proj_weight': (768, 256),
        'transformer.encoder.layers.1.linear1.weight': (2048, 256),
        'transformer.decoder.layers.3.multihead_attn.in_proj_weight':
        (768, 256),
        'transformer.decoder.layers.3.norm3.weight': (256, ),
        'transformer.decoder.norm.weight': (256, ),
        'transformer.decoder.joint_img_regress.0.weight': (3, 256),
        'transformer.decoder.joint_img_regress.3.weight': (3, 259),
        'transformer.decoder.fc_pos_3d.0.weight': (256, 3),
        'transformer.decoder.fc_pos_3d.1.weight': (256, ),
        'transformer.decoder.fc_pos_3d.3.weight': (256, 256),
        'pos_embed_1d.pos_table': (512, 256),
        'cascade_root_pose_out.1.weight': (6, 262),
        'cascade_pose_out.1.weight': (32, 288),
        'cascade_shaoe_out.3.weight': (10, 266),
        'cascade_cam_out.2.weight': (3, 259),
        'conv2d_to_3d.weight': (2048, 2048, 1, 1),
        'conv_3d_coord.0.weight': (256, 259, 1, 1, 1),
        'refine_3d.layers.1.linear1.weight': (1024, 256),
        'refine_3d.norm.weight': (256, ),
    }
    for key, shape in spec.items():
        assert tuple(ref['module.' + key].shape) == shape, key
    assert len([k for k in ref
                if k.startswith('module.backbone.layer')]) == 312
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    converted = convert_official_state_dict(
        ref, expected, defaults=model.state_dict())
    model.load_state_dict(converted, strict=True)


def test_converter_script(tiny_jotr, standin_body_model_dir, tmp_path):
    import subprocess
    import sys
    src, dst = tmp_path / 'release.pth.tar', tmp_path / 'mmjotr.pth'
    ref = reference_layout(tiny_jotr)
    torch.save(dict(network=ref), src)
    cmd = [
        sys.executable, 'tools/model_converters/jotr_official_to_mmjotr.py',
        str(src),
        str(dst), '--config', 'configs/jotr/jotr_tiny_1xb4_standin-256x256.py',
        '--cfg-options', f'model.head.body_model_dir={standin_body_model_dir}'
    ]
    subprocess.run(cmd, check=True, capture_output=True)
    saved = torch.load(dst, weights_only=True)['state_dict']
    assert torch.equal(saved['neck.depth_exponent'], ref['module.exponent'])


def reference_value(name, shape, dtype):
    """A value for a reference key drawn from its name only (independent of
    the order and names of mmjotr's modules)."""
    if not dtype.is_floating_point:
        return torch.zeros(shape, dtype=dtype)
    if name == 'exponent':
        return torch.tensor(2.5)
    gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    if name.endswith('running_var'):
        return 0.75 + 0.5 * torch.rand(shape, generator=gen)
    return 0.1 * torch.randn(shape, generator=gen)


def test_converted_reference_gives_the_outputs_saved_before(
        standin_body_model_dir, jotr_builder):
    """A reference-format checkpoint of the tiny model (values drawn from
    the release's key names) converts, loads strictly and reproduces the
    outputs and losses that the code before the restructure (commit
    48fa586) gave for it, saved next to this file
    (official_checkpoint_outputs.npz). That code took the 24 SMPL joints
    from the kinematic chain; joints regressed from the posed mesh (the
    release's, now the default) are tested in test_smpl_joints_from_mesh.py.
    """
    torch.manual_seed(0)
    model = jotr_builder('configs/jotr/jotr_tiny_1xb4_standin-256x256.py',
                         str(standin_body_model_dir))
    model.head.smpl_regressor.body_model.joint_source = 'kinematic'
    ref = {
        key: reference_value(key[len('module.'):], tuple(value.shape),
                             value.dtype)
        for key, value in reference_layout(model).items()
        if not key.startswith('module.human_model_layer.')
    }
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    model.load_state_dict(
        convert_official_state_dict(ref, expected, model.state_dict()),
        strict=True)
    model.eval()
    data = model.data_preprocessor(synthetic_batch(2, seed=0))
    with torch.no_grad():
        out = model(**data, mode='tensor')
        targets = MeshTargets.from_data_samples(data['data_samples'],
                                                torch.device('cpu'))
        losses = model.head.supervised_losses(out, targets)
        torch.manual_seed(0)
        idx = model.head.decoder_joints
        contrast = {
            name:
            loss(out.volume, out.decoder.joints[-1],
                 targets.joints_voxel[:, idx], targets.joints_trunc[:, idx],
                 targets.is_3d, out.depth_exponent)
            for name, loss in model.head.contrast.items()
        }
    saved = np.load(SAVED_OUTPUTS)
    got = dict(
        smpl_pose=out.smpl_pose,
        smpl_betas=out.smpl_betas,
        cam_t=out.cam_t,
        joints_3d=out.joints_3d,
        joints_crop=out.joints_crop,
        decoder_joints=out.decoder.joints[-1],
        vertices=out.vertices[:, ::25],
        depth_exponent=out.depth_exponent)
    # the loss terms were named *_joint_img before the restructure
    renamed = dict(
        body_joint_voxel='body_joint_img', smpl_joint_voxel='smpl_joint_img')
    got.update({
        f'loss_{renamed.get(k, k)}': v
        for k, v in {
            **losses,
            **contrast
        }.items()
    })
    assert set(got) == set(saved.files)
    for key, value in got.items():
        np.testing.assert_allclose(
            value.numpy(), saved[key], rtol=1e-4, atol=1e-5, err_msg=key)
