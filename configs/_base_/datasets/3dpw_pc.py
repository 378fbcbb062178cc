# 3DPW-PC (person-person occlusion): OpenPose input.
_base_ = ['./3dpw.py']

test_dataloader = dict(dataset=dict(ann_file='3DPW_pc.json'))
test_evaluator = dict(prefix='3dpw-pc')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
