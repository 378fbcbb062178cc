# 3DPW-OC (person-object occlusion): OpenPose input.
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
        ann_file='3DPW_oc.json',
        pipeline=test_pipeline))
test_evaluator = dict(
    type='MeshMetric', body_model_dir='data/body_models', prefix='3dpw-oc')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
