# Copyright (c) mmjotr contributors. All rights reserved.
"""Validation on several data sets in one validation loop."""
import copy
from typing import Any, Dict, List, Sequence, Tuple, Union

from mmengine.evaluator import Evaluator
from mmengine.runner import ValLoop
from mmengine.runner.loops import _parse_losses
from torch.utils.data import DataLoader

from mmjotr.registry import LOOPS


def merge_config(base: Any, override: Any) -> Any:
    """``override`` merged into a copy of ``base`` as mmengine merges a
    config into its ``_base_``: dicts key by key (``_delete_=True``
    replaces), anything else replaced."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return copy.deepcopy(override)
    if override.get('_delete_', False):
        return {
            k: copy.deepcopy(v)
            for k, v in override.items() if k != '_delete_'
        }
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        merged[key] = merge_config(
            merged[key], value) if key in merged else copy.deepcopy(value)
    return merged


@LOOPS.register_module()
class MultiValLoop(ValLoop):
    """mmengine's ``ValLoop`` over several validation sets.

    mmengine validates one dataloader with one evaluator; mmdet's
    ``MultiDatasetsEvaluator`` evaluates a concatenated set, but runs every
    metric on every sample (for the mesh metric: every ground-truth mesh
    once per set). This loop runs the sets one after the other, each with
    its own evaluator, and hands the merged metrics of all sets to the
    ``after_val_epoch`` hooks, so that ``CheckpointHook(save_best=[...],
    rule=[...])`` keeps one best checkpoint per set.

    The first set is the config's ``val_dataloader`` / ``val_evaluator``.
    Each of ``extra_sets`` is ``dict(dataloader=..., evaluator=...)``,
    written as the CHANGES to the first set's configs (merged like a config
    into its ``_base_``; e.g. only ``dataset=dict(ann_file=...)`` and
    ``prefix``). The metric keys of the sets must differ (give every
    evaluator its own ``prefix``).

    Args:
        runner (Runner): the runner.
        dataloader (DataLoader or dict): the first set's dataloader.
        evaluator (Evaluator or dict or list): the first set's evaluator.
        extra_sets (Sequence[dict]): the other sets.
        fp16 (bool): validate under autocast. Defaults to False.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 extra_sets: Sequence[dict] = (),
                 fp16: bool = False) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        self.sets: List[Tuple[DataLoader,
                              Evaluator]] = [(self.dataloader, self.evaluator)]
        diff_rank_seed = runner._randomness_cfg.get('diff_rank_seed', False)
        for i, extra in enumerate(extra_sets):
            if set(extra) != {'dataloader', 'evaluator'}:
                raise ValueError(
                    f'MultiValLoop: extra_sets[{i}] must have the keys '
                    f'"dataloader" and "evaluator", got {sorted(extra)}')
            loader = runner.build_dataloader(
                merge_config(dataloader, extra['dataloader']),
                seed=runner.seed,
                diff_rank_seed=diff_rank_seed)
            metric = runner.build_evaluator(
                merge_config(evaluator, extra['evaluator']))
            if hasattr(loader.dataset, 'metainfo'):
                metric.dataset_meta = loader.dataset.metainfo
            self.sets.append((loader, metric))

    def run(self) -> dict:
        """Validate every set; return the metrics of all."""
        self.runner.call_hook('before_val')
        self.runner.call_hook('before_val_epoch')
        self.runner.model.eval()
        self.val_loss.clear()
        metrics = {}
        for i, (loader, evaluator) in enumerate(self.sets):
            # run_iter and the logger read the current set from these
            self.dataloader, self.evaluator = loader, evaluator
            for idx, data_batch in enumerate(loader):
                self.run_iter(idx, data_batch)
            results = evaluator.evaluate(len(loader.dataset))
            clash = sorted(set(results) & set(metrics))
            if clash:
                raise ValueError(
                    f'MultiValLoop: validation set {i} repeats the metric '
                    f'keys {clash}; give each evaluator its own prefix')
            metrics.update(results)
        self.dataloader, self.evaluator = self.sets[0]
        if self.val_loss:
            metrics.update(_parse_losses(self.val_loss, 'val'))
        self.runner.call_hook('after_val_epoch', metrics=metrics)
        self.runner.call_hook('after_val')
        return metrics
