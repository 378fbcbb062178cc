# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import pytest
import torch

from mmjotr.body_models import (H36M_EVAL_INDICES, JOINT_SETS, JointSet,
                                get_joint_set, joint_indices, map_joints)


def test_set_sizes_and_jotr_composition():
    sizes = {
        'smpl_24': 24,
        'jotr_30': 30,
        'jotr_15': 15,
        'h36m_17': 17,
        'h36m_eval_14': 14,
        'coco_17': 17,
        'coco_18': 18,
        'coco_19': 19,
        'crowdpose_14': 14,
        'crowdpose_15': 15,
        'muco_21': 21,
        'openpose_18': 18,
        'openpose_19': 19,
        'openpose_25': 25
    }
    assert {k: v.num_joints for k, v in JOINT_SETS.items()} == sizes
    smpl = get_joint_set('smpl_24').joint_names
    jotr = get_joint_set('jotr_30').joint_names
    assert jotr[:24] == smpl
    assert jotr[24:] == ('Nose', 'L_Eye', 'R_Eye', 'L_Ear', 'R_Ear',
                         'Head_top')
    # Every JOTR-15 decoder joint exists in JOTR-30.
    assert min(joint_indices('jotr_30', 'jotr_15')) >= 0
    h36m = get_joint_set('h36m_17').joint_names
    assert get_joint_set('h36m_eval_14').joint_names == tuple(
        h36m[i] for i in H36M_EVAL_INDICES)
    assert 'Pelvis' not in get_joint_set('h36m_eval_14').joint_names


@pytest.mark.parametrize('name', sorted(JOINT_SETS))
def test_flip_pairs_swap_left_and_right(name):
    js = JOINT_SETS[name]
    lefts = [n for n in js.joint_names if n.startswith('L_')]
    assert len(js.flip_pairs) == len(lefts)
    for left, right in js.flip_pairs:
        assert js.joint_names[left] == 'L_' + js.joint_names[right][2:]
        assert js.joint_names[right].startswith('R_')


def test_known_flip_pairs():
    assert get_joint_set('coco_17').flip_pairs == ((1, 2), (3, 4), (5, 6),
                                                   (7, 8), (9, 10), (11, 12),
                                                   (13, 14), (15, 16))
    # H36M lists right before left: pairs are (left, right) indices.
    assert get_joint_set('h36m_17').flip_pairs == ((4, 1), (5, 2), (6, 3),
                                                   (11, 14), (12, 15), (13,
                                                                        16))


def test_openpose_25_is_body_25():
    names = get_joint_set('openpose_25').joint_names
    # BODY_25 order: MidHip (our Pelvis) at 8, the 18 body points around it
    # in BODY_18 order, then the six foot points.
    assert names[8] == 'Pelvis' and names[1] == 'Neck'
    assert names[:8] + names[9:19] == get_joint_set('openpose_18').joint_names
    assert names[19:] == ('L_BigToe', 'L_SmallToe', 'L_Heel', 'R_BigToe',
                          'R_SmallToe', 'R_Heel')
    idx = joint_indices('openpose_25', 'jotr_30')
    assert sum(i >= 0 for i in idx) == 19  # feet map to nothing


def test_map_coco_into_jotr30_numpy_and_torch():
    coco = np.arange(17 * 3, dtype=np.float32).reshape(1, 17, 3) + 1
    mapped, mask = map_joints(coco, 'coco_17', 'jotr_30')
    assert mapped.shape == (1, 30, 3) and mapped.dtype == np.float32
    jotr = get_joint_set('jotr_30')
    coco_names = get_joint_set('coco_17').joint_names
    for k, name in enumerate(jotr.joint_names):
        if name in coco_names:
            assert mask[k] == 1
            np.testing.assert_array_equal(mapped[0, k],
                                          coco[0, coco_names.index(name)])
        else:
            assert mask[k] == 0 and not mapped[0, k].any()
    assert mask.sum() == 17  # every COCO joint exists in JOTR-30
    assert mapped[0, jotr.index('Nose')].tolist() == [1, 2, 3]
    mapped_t, mask_t = map_joints(
        torch.from_numpy(coco), 'coco_17', get_joint_set('jotr_30'))
    np.testing.assert_array_equal(mapped_t.numpy(), mapped)
    np.testing.assert_array_equal(mask_t.numpy(), mask)


def test_map_release_name_conventions():
    # H36M's joint 9 is named Nose in the release and lands on JOTR's Nose;
    # MuCo's Thorax has no counterpart.
    assert joint_indices('h36m_17', 'jotr_30')[24] == 9
    idx = joint_indices('muco_21', 'jotr_30')
    assert 1 not in idx
    assert joint_indices('jotr_30', 'muco_21')[1] == -1


def test_errors_name_the_problem():
    with pytest.raises(KeyError, match='unknown joint set "nope"'):
        get_joint_set('nope')
    with pytest.raises(ValueError, match='coco_17'):
        map_joints(np.zeros((18, 2)), 'coco_17', 'jotr_30')
    with pytest.raises(KeyError, match='jotr_15'):
        get_joint_set('jotr_15').index('L_Eye')
    assert isinstance(get_joint_set(JOINT_SETS['coco_19']), JointSet)
