# 3DOH (object occlusion): HRNet input, annotated box (x 1.1) as fallback.
_base_ = ['./mesh_test.py']

test_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(
        type='GetMeshBBox',
        test_mode=True,
        keypoint_extend=1.2,
        test_scale=1.1,
        fallback_scale=1.1),
    dict(type='RandomMeshAffine', input_size=256, test_mode=True),
    dict(type='GenerateMeshTargets', with_smpl_targets=False, test_mode=True),
    dict(type='PackMeshInputs'),
]
test_dataloader = dict(
    dataset=dict(
        type='OH3DDataset',
        data_root='data/OH3D',
        ann_file='3doh_test_annots_scale_1.json',
        pipeline=test_pipeline))
test_evaluator = dict(prefix='3doh')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
