# Shared evaluation settings of the mesh test sets: the test-time crop from
# the input keypoints (bbox of valid keypoints x 1.2, square x 1.1; fallback
# to the annotated box), no augmentation, the mesh metric. Each test-set file
# inherits this and sets its dataset and metric prefix.
test_pipeline = [
    dict(type='LoadCheckedImage'),
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
    dataset=dict(pipeline=test_pipeline))
test_evaluator = dict(type='MeshMetric', body_model_dir='data/body_models')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
