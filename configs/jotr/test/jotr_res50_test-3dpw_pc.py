# Evaluate JOTR (ResNet-50) on 3DPW-PC.
_base_ = [
    '../../_base_/models/jotr_res50.py', '../../_base_/datasets/3dpw_pc.py',
    '../../_base_/default_runtime.py'
]

val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
