# Copyright (c) mmjotr contributors. All rights reserved.
import json
import os
import os.path as osp
import socket

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from mmjotr.body_models import SMPL
from mmjotr.body_models.smpl_pickle import load_smpl_arrays
from mmjotr.evaluation import MeshMetric

EVAL = (1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16)
GENDERS = ('male', 'female', 'neutral')


def make_samples(body_model_dir, num=6):
    """Predictions: neutral meshes of a perturbed pose, moved in space."""
    rng = np.random.default_rng(0)
    smpl = SMPL(body_model_dir, 'neutral')
    samples = []
    for i in range(num):
        pose = rng.normal(scale=0.2, size=72).astype(np.float32)
        betas = rng.normal(scale=0.5, size=10).astype(np.float32)
        noisy = pose + rng.normal(scale=0.1, size=72).astype(np.float32)
        with torch.no_grad():
            pred = smpl(
                torch.from_numpy(noisy)[None],
                torch.from_numpy(betas)[None]).vertices
        samples.append(
            dict(
                pred_instances=dict(vertices=pred + float(i)),
                gender=GENDERS[i % 3],
                gt_smpl_pose=pose,
                gt_smpl_betas=betas,
                sample_idx=i,
                sequence=f'seq{i % 2}'))
    return samples


def umeyama(src, dst):
    """Naive similarity alignment of src onto dst (per-sample)."""
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s, d = src - mu_s, dst - mu_d
    u, sig, vt = np.linalg.svd(d.T @ s)
    fix = np.diag([1., 1., np.sign(np.linalg.det(u @ vt))])
    rot = u @ fix @ vt
    scale = np.trace(np.diag(sig) @ fix) / (s**2).sum()
    return scale * s @ rot.T + mu_d


def expected_errors(body_model_dir, samples):
    h36m = np.load(osp.join(body_model_dir, 'J_regressor_h36m_correct.npy'))
    pelvis = load_smpl_arrays(
        osp.join(body_model_dir, 'smpl', 'SMPL_NEUTRAL.pkl'))['J_regressor'][0]
    rows = []
    for s in samples:
        smpl = SMPL(body_model_dir, s['gender'])
        with torch.no_grad():
            gt = smpl(
                torch.from_numpy(s['gt_smpl_pose'])[None],
                torch.from_numpy(
                    s['gt_smpl_betas'])[None]).vertices[0].double().numpy()
        pred = s['pred_instances']['vertices'][0].double().numpy()
        pj, gj = h36m @ pred, h36m @ gt
        pj, gj = (pj - pj[0])[list(EVAL)], (gj - gj[0])[list(EVAL)]
        rows.append(
            dict(
                mpjpe=np.linalg.norm(pj - gj, axis=1).mean() * 1000,
                pa=np.linalg.norm(umeyama(pj, gj) - gj, axis=1).mean() * 1000,
                pve=np.linalg.norm(
                    (pred - pelvis @ pred) -
                    (gt - pelvis @ gt), axis=1).mean() * 1000))
    return {k: np.mean([r[k] for r in rows]) for k in rows[0]}


def test_mesh_metric_matches_numpy(standin_body_model_dir, tmp_path):
    samples = make_samples(standin_body_model_dir)
    dump = str(tmp_path / 'errors.json')
    metric = MeshMetric(standin_body_model_dir, prefix='3dpw', dump_file=dump)
    metric.process({}, samples[:4])
    metric.process({}, samples[4:])
    out = metric.evaluate(len(samples))
    exp = expected_errors(standin_body_model_dir, samples)
    assert set(out) == {'3dpw/MPJPE', '3dpw/PA-MPJPE', '3dpw/PVE'}
    assert out['3dpw/MPJPE'] == pytest.approx(exp['mpjpe'], rel=1e-5)
    assert out['3dpw/PA-MPJPE'] == pytest.approx(exp['pa'], rel=1e-5)
    assert out['3dpw/PVE'] == pytest.approx(exp['pve'], rel=1e-5)
    assert out['3dpw/PA-MPJPE'] < out['3dpw/MPJPE']
    with open(dump) as f:
        rows = json.load(f)
    assert [r['sample_idx'] for r in rows] == list(range(6))


def test_joints_mode_per_sequence(standin_body_model_dir):
    samples = make_samples(standin_body_model_dir, num=4)
    h36m = np.load(
        osp.join(standin_body_model_dir, 'J_regressor_h36m_correct.npy'))
    per_sample = []
    for s in samples:
        pred = h36m @ s['pred_instances']['vertices'][0].double().numpy()
        gt = pred + 0.01 * np.arange(17)[:, None]  # known offsets
        vis = np.ones(17)
        vis[[7, 9, 10]] = 0  # not in the protocol
        s.update(gt_joints_cam=gt, gt_joints_visible=vis)
        err = np.linalg.norm((pred - pred[0]) - (gt - gt[0]), axis=1) * vis
        per_sample.append(err.mean() * 1000)
    metric = MeshMetric(
        standin_body_model_dir, mode='joints', prefix='panoptic')
    metric.process({}, samples)
    out = metric.evaluate(4)
    seq0, seq1 = np.mean(per_sample[0::2]), np.mean(per_sample[1::2])
    assert out['panoptic/MPJPE_seq0'] == pytest.approx(seq0)
    assert out['panoptic/MPJPE_seq1'] == pytest.approx(seq1)
    assert out['panoptic/MPJPE'] == pytest.approx((seq0 + seq1) / 2)


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _rank_main(rank, world, port, body_model_dir, out_file):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=world)
    try:
        samples = make_samples(body_model_dir, num=5)
        metric = MeshMetric(body_model_dir, prefix='3dpw')
        # DefaultSampler order: rank r gets r, r + 2, ...; the shorter rank
        # is padded with a repeat that collect_results drops
        mine = samples[rank::world]
        if len(mine) < 3:
            mine = mine + samples[:1]
        metric.process({}, mine)
        out = metric.evaluate(len(samples))
        if rank == 0:
            with open(out_file, 'w') as f:
                json.dump(out, f)
        dist.barrier()  # no rank tears gloo down while another still talks
    finally:
        dist.destroy_process_group()


def test_distributed_equals_single_process(standin_body_model_dir, tmp_path):
    out_file = str(tmp_path / 'dist.json')
    mp.spawn(
        _rank_main,
        args=(2, _free_port(), standin_body_model_dir, out_file),
        nprocs=2,
        join=True)
    with open(out_file) as f:
        dist_out = json.load(f)
    metric = MeshMetric(standin_body_model_dir, prefix='3dpw')
    metric.process({}, make_samples(standin_body_model_dir, num=5))
    single = metric.evaluate(5)
    assert dist_out.keys() == single.keys()
    for key, value in single.items():
        # float32 GT meshes batched differently: equal to rounding
        assert dist_out[key] == pytest.approx(value, rel=1e-6), key


def test_mesh_mode_needs_smpl_ground_truth(standin_body_model_dir):
    sample = make_samples(standin_body_model_dir, num=1)[0]
    del sample['gt_smpl_pose']
    metric = MeshMetric(standin_body_model_dir)
    with pytest.raises(KeyError, match='sample 0 .*gt_smpl_pose'):
        metric.process({}, [sample])


def test_h36m_regressor_file_is_used(standin_body_model_dir, tmp_path):
    """The Panoptic protocol's own regressor (J_regressor_h36m.npy) can
    replace the default one: the joints come from the configured file."""
    samples = make_samples(standin_body_model_dir, num=2)
    default = np.load(
        osp.join(standin_body_model_dir, 'J_regressor_h36m_correct.npy'))
    # another valid regressor: each row averaged with its neighbour's
    other = (default + np.roll(default, 1, axis=0)) / 2.
    path = tmp_path / 'J_regressor_h36m.npy'
    np.save(path, other)
    per_sample = []
    for s in samples:
        verts = s['pred_instances']['vertices'][0].double().numpy()
        gt = default @ verts  # "ground truth" from the default regressor
        s.update(gt_joints_cam=gt, gt_joints_visible=np.ones(17))
        pred = other @ verts
        err = np.linalg.norm((pred - pred[0]) - (gt - gt[0]), axis=1)
        per_sample.append(err.mean() * 1000)
    assert min(per_sample) > 1.  # the two regressors differ by mm
    metric = MeshMetric(
        standin_body_model_dir,
        mode='joints',
        prefix='panoptic',
        h36m_regressor_file=str(path))
    np.testing.assert_allclose(metric.h36m_regressor, other)
    metric.process({}, samples)
    out = metric.evaluate(2)
    assert out['panoptic/MPJPE'] == pytest.approx(
        np.mean(per_sample), rel=1e-5)
    with pytest.raises(FileNotFoundError, match='J_regressor_missing.npy'):
        MeshMetric(
            standin_body_model_dir,
            h36m_regressor_file='J_regressor_missing.npy').h36m_regressor


def naive_visible_mpjpe(pred, gt, vis):
    """Mean root-relative error (mm) over the visible evaluation joints,
    joint by joint."""
    errors = [
        np.linalg.norm((pred[j] - pred[0]) - (gt[j] - gt[0])) * 1000.
        for j in EVAL if vis[j] > 0
    ]
    return sum(errors) / len(errors)


def test_joints_mode_visible_protocol(standin_body_model_dir):
    """``joints_protocol='visible'``: the mean over the visible evaluation
    joints only, where ``'jiang'`` averages 17 visibility-weighted
    errors (hidden evaluation joints count as 0, joints 0, 7 and 9 too)."""
    samples = make_samples(standin_body_model_dir, num=2)
    h36m = np.load(
        osp.join(standin_body_model_dir, 'J_regressor_h36m_correct.npy'))
    hidden = ([2, 11, 16], [5])  # evaluation joints, per sample
    expected = []
    for s, off in zip(samples, hidden):
        pred = h36m @ s['pred_instances']['vertices'][0].double().numpy()
        # joint j is 10 j mm off along x, the pelvis 0: root-relative
        # errors of 10 j mm
        gt = pred + 0.01 * np.arange(17)[:, None] * [1., 0., 0.]
        vis = np.ones(17)
        vis[off] = 0
        s.update(gt_joints_cam=gt, gt_joints_visible=vis)
        expected.append(naive_visible_mpjpe(pred, gt, vis))
    # by hand: the visible evaluation joints of sample 0 are
    # 1, 3, 4, 5, 6, 8, 10, 12, 13, 14, 15 (sum 91), of sample 1 all but 5
    # (sum 120 - 5 = 115 over 13 joints)
    np.testing.assert_allclose(expected, [910. / 11, 1150. / 13], rtol=1e-9)
    results = {}
    for protocol in ('visible', 'jiang'):
        metric = MeshMetric(
            standin_body_model_dir,
            mode='joints',
            joints_protocol=protocol,
            prefix='panoptic')
        metric.process({}, samples)
        results[protocol] = metric.evaluate(2)
    visible = results['visible']
    assert visible['panoptic/MPJPE_seq0'] == pytest.approx(expected[0])
    assert visible['panoptic/MPJPE_seq1'] == pytest.approx(expected[1])
    assert visible['panoptic/MPJPE'] == pytest.approx(np.mean(expected))
    # Jiang et al.: all 17 joints' errors, the hidden ones as 0, over 17:
    # 10 mm x (0 + 1 + ... + 16 - the hidden joints) / 17
    jiang = results['jiang']
    jiang0, jiang1 = 10. * (136 - 2 - 11 - 16) / 17, 10. * (136 - 5) / 17
    assert jiang['panoptic/MPJPE_seq0'] == pytest.approx(jiang0)
    assert jiang['panoptic/MPJPE_seq1'] == pytest.approx(jiang1)
    assert abs(visible['panoptic/MPJPE'] - jiang['panoptic/MPJPE']) > 1.
