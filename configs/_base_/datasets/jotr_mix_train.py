# The JOTR / 3DCrowdNet training mix: {Human3.6M, MuCo-3DHP} (3D group) and
# {CrowdPose, MSCOCO} (2D group, NeuralAnnot fits), half of each batch each.
# Data roots follow 3DCrowdNet's layout under data/ (docs/datasets.md).
train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='GetMeshBBox', enlarge_range=(1.0, 1.2)),
    dict(
        type='RandomMeshAffine',
        input_size=256,
        scale_factor=0.25,
        rot_factor=30.,
        rot_prob=0.6,
        flip_prob=0.5,
        color_range=(0.8, 1.2)),
    dict(
        type='GenerateMeshTargets',
        # joint_source as the model head's
        # (model.head.smpl_regressor.body_model)
        body_model=dict(
            type='SMPL',
            body_model_dir='data/body_models',
            joint_source='mesh'),
        # the release's swap sources (docs/differences_from_release.md)
        release_quirks=True),
    dict(type='SyntheticKeypointErrors'),
    dict(type='PackMeshInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='MixedMeshDataset',
        datasets_3d=[
            dict(
                type='Human36MDataset',
                data_root='data/Human36M',
                subjects=(1, 5, 6, 7, 8),
                sample_interval=5,
                pipeline=train_pipeline),
            dict(
                type='MuCoDataset',
                data_root='data/MuCo/data',
                pipeline=train_pipeline),
        ],
        datasets_2d=[
            dict(
                type='CrowdPoseSMPLDataset',
                data_root='data/CrowdPose',
                fit_filter='release',
                pipeline=train_pipeline),
            dict(
                type='CocoSMPLDataset',
                data_root='data/MSCOCO',
                pipeline=train_pipeline),
        ]))
