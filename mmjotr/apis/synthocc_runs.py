# Copyright (c) mmjotr contributors. All rights reserved.
"""Train and evaluate on SynthOcc: the pieces shared by the quick start
and the ablation script (``tools/analysis/ablate_synthocc.py``)."""
import copy
import json
import logging
import os.path as osp
from typing import Dict, Mapping, Optional, Sequence

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner, TestLoop

from mmjotr.body_models import SMPL
from mmjotr.datasets import SynthOccDataset
from mmjotr.evaluation import (MeshMetric, evaluate_constant_mesh,
                               mean_smpl_params)
from mmjotr.utils.run_config import set_body_model_dir

__all__ = [
    'TEST_SPLITS', 'METRIC_KEYS', 'DigestRunner', 'synthocc_train_config',
    'evaluate_synthocc_splits', 'mean_pose_baseline', 'format_table',
    'format_rows', 'run_synthocc_ablation', 'merge_ablation_results'
]

TEST_SPLITS = ('test_clean', 'test_object_occluded', 'test_person_occluded')
METRIC_KEYS = ('MPJPE', 'PA-MPJPE', 'PVE')
Results = Dict[str, Dict[str, float]]  # split -> metric -> mm

#: Starts of the runner's start-up records kept out of the console (they
#: still go to the log file): environment, config dump, hook list, and two
#: deprecation notices that mmengine 0.10.7's own CheckpointHook triggers
#: in every run (nothing a user can act on).
_CONSOLE_SKIPS = ('\n----', 'Config:', 'Hooks will be executed',
                  'Distributed training is not used', 'paramwise_options',
                  '"FileClient" will be deprecated',
                  '"HardDiskBackend" is the alias')


class _ConsoleDigest(logging.Filter):

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_CONSOLE_SKIPS)


class DigestRunner(Runner):
    """mmengine's Runner whose console shows progress, not set-up dumps.

    The environment report, the config dump and the hook list go to the
    log file only (``<work_dir>/<timestamp>/<timestamp>.log``); training
    progress, losses and metrics reach the console as usual.
    """

    def build_logger(self, *args, **kwargs):
        logger = super().build_logger(*args, **kwargs)
        for handler in logger.handlers:
            if not isinstance(handler, logging.FileHandler):
                handler.addFilter(_ConsoleDigest())
        return logger


def synthocc_train_config(config: str,
                          data_root: str,
                          body_model_dir: str,
                          work_dir: str,
                          max_iters: Optional[int] = None,
                          seed: int = 0,
                          cfg_options: Optional[dict] = None) -> Config:
    """A SynthOcc training config pointed at one data copy and body model.

    Args:
        config (str): a SynthOcc config (``configs/jotr/*synthocc*``).
        data_root (str): the SynthOcc copy.
        body_model_dir (str): the body model it was generated with.
        work_dir (str): logs and checkpoints.
        max_iters (int, optional): overrides ``train_cfg.max_iters``.
        seed (int): the run's random seed.
        cfg_options (dict, optional): further overrides.

    Returns:
        Config: ready for :class:`DigestRunner` / ``Runner.from_cfg``.
    """
    cfg = Config.fromfile(config)
    set_body_model_dir(cfg, body_model_dir)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key) is not None:
            cfg[key].dataset.data_root = data_root
    cfg.work_dir = work_dir
    if max_iters is not None:
        cfg.train_cfg.max_iters = max_iters
        # iteration-based schedules end with the run
        for scheduler in cfg.get('param_scheduler') or []:
            if not scheduler.get('by_epoch', True) and 'end' in scheduler:
                scheduler['end'] = max_iters
    cfg.randomness = dict(seed=seed, diff_rank_seed=True)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def evaluate_synthocc_splits(runner: Runner,
                             splits: Sequence[str] = TEST_SPLITS,
                             batch_size: int = 16) -> Results:
    """Test the runner's model on SynthOcc test splits with ``MeshMetric``.

    Each split runs mmengine's ``TestLoop`` with the config's test
    dataloader and evaluator, the split and the metric prefix
    (``synthocc_<split>``) changed.

    Returns:
        dict: split -> {MPJPE, PA-MPJPE, PVE} in mm.
    """
    results = {}
    for split in splits:
        loader = copy.deepcopy(runner.cfg.test_dataloader.to_dict())
        loader['dataset']['split'] = split
        loader.update(
            batch_size=batch_size, num_workers=0, persistent_workers=False)
        evaluator = copy.deepcopy(runner.cfg.test_evaluator.to_dict())
        evaluator['prefix'] = f'synthocc_{split}'
        metrics = TestLoop(runner, loader, evaluator).run()
        results[split] = {
            key: float(metrics[f'synthocc_{split}/{key}'])
            for key in METRIC_KEYS
        }
    return results


def mean_pose_baseline(data_root: str,
                       body_model_dir: str,
                       splits: Sequence[str] = TEST_SPLITS) -> Results:
    """Errors of predicting the training set's mean pose and shape.

    The prediction is one mesh for every test person: SMPL (neutral) of
    the chordal mean of every joint rotation (root included) and the mean
    betas over the ``train`` split's people (see
    :func:`mean_smpl_params`), scored by the same ``MeshMetric``.

    Returns:
        dict: split -> {MPJPE, PA-MPJPE, PVE} in mm.
    """

    def records(split: str, test_mode: bool) -> list:
        dataset = SynthOccDataset(
            split=split,
            data_root=data_root,
            test_mode=test_mode,
            serialize_data=False)
        return [dataset.get_data_info(i) for i in range(len(dataset))]

    train = records('train', False)
    pose, betas = mean_smpl_params(
        np.stack([r['smpl_pose'] for r in train]),
        np.stack([r['smpl_betas'] for r in train]))
    body_model = SMPL(body_model_dir).eval()
    with torch.no_grad():
        vertices = body_model(
            torch.from_numpy(pose)[None],
            torch.from_numpy(betas)[None]).vertices[0].numpy()
    results = {}
    for split in splits:
        metric = MeshMetric(body_model_dir, prefix='baseline')
        metrics = evaluate_constant_mesh(metric, vertices,
                                         records(split, True))
        results[split] = {k: metrics[f'baseline/{k}'] for k in METRIC_KEYS}
    return results


def _cell(value) -> str:
    """``12.3`` for a number, ``12.3±0.4`` (mean ± sample std) for a
    list of per-seed numbers."""
    if isinstance(value, (list, tuple)):
        values = np.asarray(value, np.float64)
        std = values.std(ddof=1) if len(values) > 1 else 0.
        return f'{values.mean():.1f}±{std:.1f}'
    return f'{value:.1f}'


def format_table(columns: Mapping[str, Mapping],
                 splits: Sequence[str] = TEST_SPLITS) -> str:
    """A plain-text table: one row per split, one column group per
    method, ``MPJPE / PA-MPJPE / PVE`` (mm) in each; a list of per-seed
    values prints as mean ± std."""
    names = list(columns)
    width = max(
        24, *(len(n) for n in names),
        *(len(' / '.join(_cell(m[k]) for k in METRIC_KEYS))
          for c in columns.values() for m in c.values()))
    head = f'{"split":<22}' + ''.join(f' | {n:<{width}}' for n in names)
    sub = f'{"":<22}' + ''.join(f' | {"MPJPE / PA-MPJPE / PVE":<{width}}'
                                for _ in names)
    lines = [head, sub, '-' * len(head)]
    for split in splits:
        cells = []
        for name in names:
            m = columns[name].get(split)
            cell = ('n/a' if m is None else ' / '.join(
                _cell(m[k]) for k in METRIC_KEYS))
            cells.append(f' | {cell:<{width}}')
        lines.append(f'{split:<22}' + ''.join(cells))
    return '\n'.join(lines)


def format_rows(rows: Mapping[str, Mapping],
                splits: Sequence[str] = TEST_SPLITS) -> str:
    """Like :func:`format_table` with methods as rows and splits as
    columns (the ablation table)."""
    cells = {
        name: [
            ' / '.join(_cell(res[split][k])
                       for k in METRIC_KEYS) if split in res else 'n/a'
            for split in splits
        ]
        for name, res in rows.items()
    }
    width = max([len(c) for row in cells.values()
                 for c in row] + [len(s) for s in splits])
    first = max([len(n) for n in rows] + [6])
    lines = [
        f'{"method":<{first}}' + ''.join(f' | {s:<{width}}' for s in splits)
    ]
    lines.append('-' * len(lines[0]))
    for name, row in cells.items():
        lines.append(f'{name:<{first}}' + ''.join(f' | {c:<{width}}'
                                                  for c in row))
    return '\n'.join(lines)


def run_synthocc_ablation(configs: Mapping[str, str],
                          seeds: Sequence[int],
                          data_root: str,
                          body_model_dir: str,
                          work_dir: str,
                          max_iters: Optional[int] = None,
                          results_file: Optional[str] = None,
                          init_from: Optional[Mapping[str, str]] = None,
                          max_iters_from: Optional[int] = None) -> dict:
    """Train and test every config with every seed.

    Rows are trained in the given order; a row named in ``init_from``
    starts from the final checkpoint of another row of the same seed
    (``load_from``; the paper's stage 2 fine-tunes stage 1), which must
    come earlier.

    Args:
        configs (dict): row name -> SynthOcc config.
        seeds (Sequence[int]): training seeds (the data stay the same).
        data_root (str): the SynthOcc copy.
        body_model_dir (str): its body model.
        work_dir (str): ``<work_dir>/<name>/seed<k>`` per run.
        max_iters (int, optional): overrides the iterations of the rows
            trained from scratch.
        results_file (str, optional): JSON rewritten after every run, so
            that a cut-short ablation keeps what it measured.
        init_from (dict, optional): row name -> the row whose checkpoint
            it fine-tunes.
        max_iters_from (int, optional): overrides the iterations of the
            fine-tuned rows.

    Returns:
        dict: name -> split -> metric -> list of per-seed values (mm).
    """
    init_from = dict(init_from or {})
    names = list(configs)
    for name, parent in init_from.items():
        if name not in configs or parent not in configs or \
                names.index(parent) >= names.index(name):
            raise ValueError(
                f'run_synthocc_ablation: row "{name}" fine-tunes "{parent}", '
                'which must be a row listed before it')
    table: dict = {}
    for seed in seeds:
        checkpoints = {}
        for name, config in configs.items():
            parent = init_from.get(name)
            cfg = synthocc_train_config(
                config, data_root, body_model_dir,
                osp.join(work_dir, name, f'seed{seed}'),
                max_iters_from if parent else max_iters, seed)
            if parent:
                cfg.load_from = checkpoints[parent]
            runner = DigestRunner.from_cfg(cfg)
            runner.train()
            checkpoints[name] = osp.join(
                cfg.work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
            metrics = evaluate_synthocc_splits(runner)
            for split, values in metrics.items():
                for key, value in values.items():
                    table.setdefault(name,
                                     {}).setdefault(split, {}).setdefault(
                                         key, []).append(value)
            if results_file:
                with open(results_file, 'w') as f:
                    json.dump(
                        dict(seeds=list(seeds), results=table), f, indent=2)
    return table


def merge_ablation_results(files: Sequence[str]) -> tuple:
    """Join the ``ablation.json`` files of runs made in parallel (e.g.
    one seed per process).

    Args:
        files (Sequence[str]): files written by
            :func:`run_synthocc_ablation`.

    Returns:
        tuple: the seeds (in file order) and the table (row -> split ->
        metric -> per-seed values), as :func:`run_synthocc_ablation`;
        rows keep their first-seen order.

    Raises:
        FileNotFoundError: a file is missing.
        ValueError: a file is not such a file, a seed appears twice, or a
            file lacks a row or split that another has (a run cut short):
            its values would no longer line up with the seeds.
    """
    seeds: list = []
    table: dict = {}
    loaded = []
    for path in files:
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: no such ablation.json file')
        try:
            with open(path) as f:
                data = json.load(f)
        except ValueError as err:
            raise ValueError(f'{path}: not JSON ({err})') from err
        if not isinstance(data, dict) or not {'seeds', 'results'} <= set(data):
            raise ValueError(f'{path}: not an ablation.json written by '
                             'run_synthocc_ablation (needs "seeds" and '
                             '"results")')
        if set(data['seeds']) & set(seeds):
            raise ValueError(f'{path}: seeds {data["seeds"]} repeat ones '
                             f'already read ({seeds})')
        seeds += data['seeds']
        loaded.append((path, data['results']))
    names = list(dict.fromkeys(n for _, res in loaded for n in res))
    for path, res in loaded:
        for name in names:
            if name not in res:
                raise ValueError(f'{path}: no results for row "{name}" '
                                 '(the run was cut short?)')
            for split, metrics in res[name].items():
                for key, values in metrics.items():
                    table.setdefault(name,
                                     {}).setdefault(split, {}).setdefault(
                                         key, []).extend(values)
    for name in names:
        for split, metrics in table[name].items():
            for key, values in metrics.items():
                if len(values) != len(seeds):
                    raise ValueError(
                        f'row "{name}", {split} {key}: {len(values)} values '
                        f'for {len(seeds)} seeds (a run was cut short?)')
    return seeds, table
