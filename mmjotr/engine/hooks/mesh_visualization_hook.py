# Copyright (c) mmjotr contributors. All rights reserved.
"""Draw predicted meshes during validation and testing."""
from typing import Optional, Sequence

import numpy as np
from mmengine.hooks import Hook
from mmengine.visualization import Visualizer

from mmjotr.registry import HOOKS

__all__ = ['MeshVisualizationHook']


@HOOKS.register_module()
class MeshVisualizationHook(Hook):
    """Send the meshes of some validation/test crops to the visualiser.

    Every ``interval``-th batch, the first ``max_per_batch`` crops are
    drawn with their predicted mesh by the runner's
    :class:`~mmjotr.visualization.MeshVisualizer` (``visualizer`` in the
    config) and handed to its back ends (``LocalVisBackend`` writes them
    under ``{work_dir}/{timestamp}/vis_data/vis_image``), like mmpose's
    ``PoseVisualizationHook``.

    Args:
        enable (bool): draw at all. Defaults to False (as mmpose's hook).
        interval (int): every this many batches. Defaults to 50.
        max_per_batch (int): crops drawn per such batch. Defaults to 1.
        side_view (bool): add a side view. Defaults to True.
    """

    priority = 'NORMAL'

    def __init__(self,
                 enable: bool = False,
                 interval: int = 50,
                 max_per_batch: int = 1,
                 side_view: bool = True) -> None:
        if interval < 1 or max_per_batch < 1:
            raise ValueError('MeshVisualizationHook: interval and '
                             'max_per_batch must be >= 1')
        self.enable = enable
        self.interval = interval
        self.max_per_batch = max_per_batch
        self.side_view = side_view

    def _visualizer(self, runner):
        from mmjotr.visualization import MeshVisualizer
        visualizer = Visualizer.get_current_instance()
        if not isinstance(visualizer, MeshVisualizer):
            raise TypeError(
                'MeshVisualizationHook needs the runner visualizer to be a '
                "MeshVisualizer (visualizer = dict(type='MeshVisualizer', "
                f'...)), got {type(visualizer).__name__}')
        if visualizer.faces is None:
            model = runner.model
            model = getattr(model, 'module', model)
            visualizer.set_faces(model.head.body_model.faces)
        return visualizer

    def _draw(self, runner, mode: str, batch_idx: int, data_batch: dict,
              outputs: Optional[Sequence]) -> None:
        if not self.enable or batch_idx % self.interval or not outputs:
            return
        visualizer = self._visualizer(runner)
        for i, sample in enumerate(outputs[:self.max_per_batch]):
            crop = data_batch['inputs'][i]  # (3, H, W) uint8 BGR
            image = np.ascontiguousarray(crop.detach().cpu().numpy().transpose(
                1, 2, 0)[..., ::-1])
            visualizer.add_datasample(
                f'{mode}_{batch_idx}_{i}',
                image,
                sample,
                side_view=self.side_view,
                draw_keypoints=False,  # keypoints are in image pixels
                step=runner.iter if mode == 'val' else batch_idx)

    def after_val_iter(self,
                       runner,
                       batch_idx: int,
                       data_batch: dict,
                       outputs: Optional[Sequence] = None) -> None:
        self._draw(runner, 'val', batch_idx, data_batch, outputs)

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch: dict,
                        outputs: Optional[Sequence] = None) -> None:
        self._draw(runner, 'test', batch_idx, data_batch, outputs)
