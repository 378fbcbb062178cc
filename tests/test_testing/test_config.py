# Copyright (c) mmjotr contributors. All rights reserved.
from mmengine.config import Config

from mmjotr.testing import standin_config

STAGE1 = 'configs/jotr/jotr_res50_8xb32-18e_mix-256x256.py'


def test_standin_config_points_everything_at_one_directory():
    original = Config.fromfile(STAGE1)
    assert original.model.backbone.norm_cfg.type == 'SyncBN'
    assert 'init_cfg' in original.model.backbone
    cfg = standin_config(original, '/tmp/standin')
    assert cfg.model.head.body_model_dir == '/tmp/standin'
    assert cfg.train_pipeline[3].body_model.body_model_dir == '/tmp/standin'
    assert cfg.model.backbone.norm_cfg == dict(type='BN', requires_grad=True)
    assert 'init_cfg' not in cfg.model.backbone
    # the given config is left as it was
    assert original.model.backbone.norm_cfg.type == 'SyncBN'
    assert original.model.head.body_model_dir == 'data/body_models'
    from_file = standin_config(STAGE1, '/tmp/standin')
    assert from_file.model.head.body_model_dir == '/tmp/standin'
