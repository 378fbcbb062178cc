# Copyright (c) mmjotr contributors. All rights reserved.
"""The two-stage SynthOcc ablation (tools/analysis/ablate_synthocc.py)."""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from mmjotr.apis.synthocc_runs import (METRIC_KEYS, TEST_SPLITS, format_rows,
                                       merge_ablation_results,
                                       run_synthocc_ablation)
from mmjotr.datasets.synthocc import SynthOccSettings, ensure_synthocc
from mmjotr.utils import register_all_modules

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'jotr')
STAGE1 = osp.join(CONFIGS, 'jotr_tiny_1xb8-900it_synthocc-256x256.py')
STAGE2 = osp.join(CONFIGS,
                  'jotr_tiny_1xb8-300it_synthocc-256x256_contrastive.py')


def _state(path: str) -> dict:
    return torch.load(
        path, map_location='cpu', weights_only=False)['state_dict']


def test_stage2_rows_fine_tune_their_stage1(standin_body_model_dir, tmp_path):
    register_all_modules()
    data_root = str(tmp_path / 'synthocc')
    ensure_synthocc(
        data_root, standin_body_model_dir,
        SynthOccSettings(
            num_frames=dict(train=8, **dict.fromkeys(TEST_SPLITS, 2))))
    work_dir = str(tmp_path / 'ablation')
    results_file = osp.join(work_dir, 'ablation.json')
    table = run_synthocc_ablation({
        'stage1': STAGE1,
        'full': STAGE2
    }, [0],
                                  data_root,
                                  standin_body_model_dir,
                                  work_dir,
                                  max_iters=3,
                                  results_file=results_file,
                                  init_from={'full': 'stage1'},
                                  max_iters_from=2)
    assert list(table) == ['stage1', 'full']
    for row in table.values():
        assert set(row) == set(TEST_SPLITS)
        assert all(
            len(v) == 1 and np.isfinite(v[0]) for m in row.values()
            for v in m.values())
    stage1 = _state(osp.join(work_dir, 'stage1', 'seed0', 'iter_3.pth'))
    full = _state(osp.join(work_dir, 'full', 'seed0', 'iter_2.pth'))
    # two AdamW steps at lr 1e-4 move each weight by at most ~2e-4 from the
    # loaded stage-1 weights; an independent initialisation differs by O(1)
    moved = max((full[k].float() - v.float()).abs().max().item()
                for k, v in stage1.items()
                if v.is_floating_point() and 'running' not in k)
    assert moved < 1e-3
    assert json.load(open(results_file))['results'] == table


def test_fine_tuned_row_needs_an_earlier_parent(tmp_path):
    with pytest.raises(ValueError, match='listed before'):
        run_synthocc_ablation({
            'full': STAGE2,
            'stage1': STAGE1
        }, [0],
                              'unused',
                              'unused',
                              str(tmp_path),
                              init_from={'full': 'stage1'})


def _results(seeds, offset):
    rows = {}
    for r, name in enumerate(('stage1', 'full')):
        rows[name] = {
            split: {
                key:
                [100. * r + 10. * s + k + offset + seed for seed in seeds]
                for k, key in enumerate(METRIC_KEYS)
            }
            for s, split in enumerate(TEST_SPLITS)
        }
    return dict(seeds=seeds, results=rows)


def test_merge_parallel_seed_runs(tmp_path):
    files = []
    for seeds in ([0], [1, 2]):
        path = tmp_path / f'seeds{seeds[0]}.json'
        path.write_text(json.dumps(_results(seeds, 0.5)))
        files.append(str(path))
    seeds, table = merge_ablation_results(files)
    assert seeds == [0, 1, 2]
    values = table['full']['test_person_occluded']['PVE']
    # row 1, split 2, metric 2, + 0.5 + seed
    assert values == [122.5, 123.5, 124.5]
    text = format_rows(table)
    mean, std = np.mean(values), np.std(values, ddof=1)
    assert f'{mean:.1f}±{std:.1f}' in text
    # a seed twice, or a row missing from one run, is refused
    with pytest.raises(ValueError, match='repeat'):
        merge_ablation_results([files[0], files[0]])
    cut = _results([3], 0.)
    del cut['results']['full']
    (tmp_path / 'cut.json').write_text(json.dumps(cut))
    with pytest.raises(ValueError, match='row "full"'):
        merge_ablation_results([files[1], str(tmp_path / 'cut.json')])
    # a missing file, or another JSON file, is named
    with pytest.raises(FileNotFoundError, match='nothere.json'):
        merge_ablation_results([str(tmp_path / 'nothere.json')])
    (tmp_path / 'other.json').write_text('{"metrics": {}}')
    with pytest.raises(ValueError, match='other.json: not an ablation'):
        merge_ablation_results([str(tmp_path / 'other.json')])


def test_console_digest_keeps_progress_and_drops_setup_dumps():
    import logging

    from mmjotr.apis.synthocc_runs import _ConsoleDigest

    def record(msg):
        return logging.LogRecord('mmengine', logging.INFO, __file__, 1, msg,
                                 None, None)

    digest = _ConsoleDigest()
    for msg in ('Config:\nmodel = ...', '"FileClient" will be deprecated in '
                'future.', '"HardDiskBackend" is the alias of "LocalBackend"'):
        assert not digest.filter(record(msg))
    for msg in ('Iter(train) [25/900]  loss: 4.1', 'Saving checkpoint at 900 '
                'iterations', 'optimizer: 18 frozen parameter tensors'):
        assert digest.filter(record(msg))
