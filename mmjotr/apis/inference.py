# Copyright (c) mmjotr contributors. All rights reserved.
import logging
import os.path as osp
from typing import Optional, Union

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from torch import nn

from mmjotr.registry import MODELS


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None,
               fast_inference: Union[None, bool, dict] = None) -> nn.Module:
    """Build an mmjotr model from a config and load its weights.

    Args:
        config (str | Config): config file path or loaded config.
        checkpoint (str, optional): checkpoint to load; None keeps the
            model's initialisation (``init_weights`` is called).
        device (str): device to put the model on. Defaults to ``'cpu'``.
        cfg_options (dict, optional): overrides merged into the config,
            e.g. ``{'model.head.body_model_dir': 'data/standin/body_models'}``.
        fast_inference (bool | dict, optional): sets
            ``model.test_cfg.fast_inference`` (True, False or a dict of
            ``FastInference`` arguments); None keeps the config's. On the
            fast path BN is folded into the backbone convs after loading,
            so the returned model is for inference only.

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
    if fast_inference is not None:
        test_cfg = dict(config.model.get('test_cfg') or {})
        test_cfg['fast_inference'] = fast_inference
        config.model.test_cfg = test_cfg
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
        load_checkpoint(model, checkpoint, map_location='cpu')
    model.cfg = config
    model.to(torch.device(device))
    model.eval()
    if getattr(model, 'fast_inference', None) is not None:
        model.fast_inference.prepare(model)
    return model
