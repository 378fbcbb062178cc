# Evaluate JOTR (ResNet-50) on 3DPW-Crowd.
_base_ = [
    '../../_base_/models/jotr_res50.py', '../../_base_/datasets/3dpw_crowd.py',
    '../../_base_/default_runtime.py'
]

val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
