# SynthOcc, mmjotr's procedural occluded-human benchmark on the stand-in
# body model (generate it with tools/dataset_converters/make_synthocc.py).
# Training uses the real data's pipeline (augmentation and the synthetic
# 2D-pose errors on the ground-truth keypoints); testing uses the stored
# noisy detections, like the real test sets. The test split is chosen with
#   --cfg-options test_dataloader.dataset.split=test_object_occluded
# (test_clean, test_object_occluded, test_person_occluded).
_base_ = ['./mesh_test.py']

synthocc_root = 'data/synthocc'
standin_body_model_dir = 'data/standin/body_models'
train_pipeline = [
    dict(type='mmpose.LoadImage'),
    dict(type='GetMeshBBox', enlarge_range=(1.0, 1.2)),
    dict(
        type='RandomMeshAffine',
        input_size=256,
        scale_factor=0.25,
        rot_factor=30.,
        # no in-plane rotation: it would carry root rotations past pi,
        # where their axis-angle targets jump (see SynthOcc's pose sampler)
        rot_prob=0.,
        flip_prob=0.5,
        color_range=(0.8, 1.2)),
    dict(
        type='GenerateMeshTargets',
        body_model=dict(type='SMPL', body_model_dir=standin_body_model_dir)),
    dict(type='SyntheticKeypointErrors'),
    dict(type='PackMeshInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='SynthOccDataset',
        data_root=synthocc_root,
        split='train',
        pipeline=train_pipeline))
test_dataloader = dict(
    dataset=dict(
        type='SynthOccDataset',
        data_root=synthocc_root,
        split='test_clean',
        test_mode=True))
test_evaluator = dict(body_model_dir=standin_body_model_dir, prefix='synthocc')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
