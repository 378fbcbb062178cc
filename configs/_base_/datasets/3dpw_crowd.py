# 3DPW-Crowd: courtyard_hug_00 and courtyard_dancing_00 of the validation
# split. The release fed OpenPose (a global-flag bug) although HigherHRNet was
# intended; input_source='hhrnet' gives the intended input.
test_pipeline = [
    dict(type='mmpose.LoadImage'),
    dict(
        type='GetMeshBBox',
        test_mode=True,
        keypoint_extend=1.2,
        test_scale=1.1,
        fallback_scale=1.25),
    dict(type='RandomMeshAffine', input_size=256, test_mode=True),
    dict(type='GenerateMeshTargets', with_smpl_targets=False, test_mode=True),
    dict(type='PackMeshInputs'),
]

test_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='PW3DDataset',
        data_root='data/PW3D/data',
        ann_file='3DPW_latest_validation.json',
        sequences=('courtyard_hug_00', 'courtyard_dancing_00'),
        input_source='openpose',
        pipeline=test_pipeline))
test_evaluator = dict(
    type='MeshMetric', body_model_dir='data/body_models', prefix='3dpw-crowd')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
