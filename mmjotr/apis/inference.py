# Copyright (c) mmjotr contributors. All rights reserved.
import logging
import os.path as osp
from typing import Optional, Union

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from torch import nn

from mmjotr.registry import MODELS
from mmjotr.utils import enable_safe_checkpoint_resume
from mmjotr.utils.checkpoint_io import load_model_checkpoint


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None,
               strict: bool = True) -> nn.Module:
    """Build an mmjotr model from a config and load its weights.

    Args:
        config (str | Config): config file path or loaded config.
        checkpoint (str, optional): checkpoint to load; None keeps the
            model's initialisation (``init_weights`` is called).
        device (str): device to put the model on. Defaults to ``'cpu'``.
        cfg_options (dict, optional): overrides merged into the config,
            e.g. ``{'model.head.body_model_dir': 'data/standin/body_models'}``.
        strict (bool): refuse a checkpoint with missing, unexpected or
            mis-shaped tensors (``CheckpointMismatchError`` listing them,
            naming the checkpoint and the config); False loads the matching
            tensors of a partial checkpoint (the rest logged).

    Returns:
        nn.Module: the model in eval mode, ``model.cfg`` holding the config.
    """
    if isinstance(config, str):
        if not osp.isfile(config):
            raise FileNotFoundError(f'config file not found: {config}')
        config = Config.fromfile(config)
    elif not isinstance(config, Config):
        raise TypeError('config must be a file path or a Config, '
                        f'got {type(config).__name__}')
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    if cfg_options:
        config.merge_from_dict(cfg_options)
    init_default_scope(config.get('default_scope', 'mmjotr'))

    model = MODELS.build(config.model)
    if checkpoint is None:
        # mmengine logs one INFO record per parameter when no log file is
        # attached; outside a Runner that drowns the console.
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    else:
        enable_safe_checkpoint_resume()
        load_model_checkpoint(
            model,
            checkpoint,
            strict=strict,
            config_name=config.filename or 'the given config')
    model.cfg = config
    model.to(torch.device(device))
    model.eval()
    return model
