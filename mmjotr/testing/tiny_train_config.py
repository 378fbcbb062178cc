# Copyright (c) mmjotr contributors. All rights reserved.
"""A user config training the tiny JOTR on generated COCO-layout data."""
import os.path as osp
import textwrap

from .synthetic_coco import write_synthetic_coco

CONFIGS = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', 'configs'))


def write_tiny_coco_train_config(folder: str, max_iters: int,
                                 checkpoint_interval: int) -> str:
    """Write generated COCO-layout data (4 images, 320x240) and a config
    training the tiny JOTR on it with the mix's pipeline.

    The loop is iteration based, without validation; batch 2, no data
    loader workers.

    Args:
        folder (str): where ``coco/`` and the config go.
        max_iters (int): training iterations.
        checkpoint_interval (int): iterations between checkpoints.

    Returns:
        str: the config's path.
    """
    tiny = osp.join(CONFIGS, 'jotr', 'jotr_tiny_1xb4_standin-256x256.py')
    mix = osp.join(CONFIGS, '_base_', 'datasets', 'jotr_mix_train.py')
    data_root = write_synthetic_coco(
        osp.join(folder, 'coco'), num_images=4, img_size=(240, 320))
    path = osp.join(folder, 'jotr_tiny_coco.py')
    with open(path, 'w') as f:
        f.write(
            textwrap.dedent(f"""
            _base_ = [{tiny!r}, {mix!r}]
            train_dataloader = dict(
                _delete_=True,
                batch_size=2,
                num_workers=0,
                persistent_workers=False,
                sampler=dict(type='DefaultSampler', shuffle=True),
                dataset=dict(
                    type='CocoSMPLDataset',
                    data_root={data_root!r},
                    pipeline={{{{_base_.train_pipeline}}}}))
            train_cfg = dict(
                _delete_=True, type='IterBasedTrainLoop',
                max_iters={max_iters})
            default_hooks = dict(
                checkpoint=dict(
                    type='CheckpointHook', interval={checkpoint_interval},
                    by_epoch=False),
                logger=dict(interval=1))
            log_processor = dict(by_epoch=False)
            val_cfg = None
            test_cfg = None
            """))
    return path
