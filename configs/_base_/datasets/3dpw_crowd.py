# 3DPW-Crowd: courtyard_hug_00 and courtyard_dancing_00 of the validation
# split. The release fed OpenPose (a global-flag bug) although HigherHRNet was
# intended; input_source='hhrnet' gives the intended input.
_base_ = ['./3dpw.py']

test_dataloader = dict(
    dataset=dict(
        ann_file='3DPW_latest_validation.json',
        sequences=('courtyard_hug_00', 'courtyard_dancing_00'),
        input_source='openpose'))
test_evaluator = dict(prefix='3dpw-crowd')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
