# 3DPW-OC (person-object occlusion): OpenPose input.
_base_ = ['./3dpw.py']

test_dataloader = dict(dataset=dict(ann_file='3DPW_oc.json'))
test_evaluator = dict(prefix='3dpw-oc')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
