# 3DPW test (24 sequences): OpenPose input.
_base_ = ['./mesh_test.py']

test_dataloader = dict(
    dataset=dict(
        type='PW3DDataset',
        data_root='data/PW3D/data',
        ann_file='3DPW_latest_test.json'))
test_evaluator = dict(prefix='3dpw')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
