# Copyright (c) mmjotr contributors. All rights reserved.
"""A config's model made buildable offline on the stand-in body model."""
import copy
from typing import Union

from mmengine.config import Config
from torch import nn

from mmjotr.registry import MODELS
from mmjotr.utils import register_all_modules, set_body_model_dir


def standin_config(config: Union[str, Config], body_model_dir: str) -> Config:
    """Load a config and point it at a (stand-in) body model directory.

    Every ``body_model_dir`` field is set (model head, target generation,
    metric), the backbone's pretrained ``init_cfg`` is dropped (no weights
    exist offline) and its norm becomes plain BN (SyncBN needs a process
    group).

    Args:
        config (str | Config): config file or loaded config (copied).
        body_model_dir (str): body model directory, e.g. the
            ``standin_body_model_dir`` test fixture.

    Returns:
        Config: the adapted config.
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else \
        copy.deepcopy(config)
    set_body_model_dir(cfg, str(body_model_dir))
    cfg.model.backbone.pop('init_cfg', None)
    cfg.model.backbone.norm_cfg = dict(type='BN', requires_grad=True)
    return cfg


def build_standin_model(config: Union[str, Config],
                        body_model_dir: str,
                        init: bool = True) -> nn.Module:
    """Build the model of :func:`standin_config` (``init_weights`` when
    ``init``; seed torch first for a fixed initialisation)."""
    register_all_modules()
    model = MODELS.build(standin_config(config, body_model_dir).model)
    if init:
        model.init_weights()
    return model
