# JOTR with a ResNet-50 backbone (docs/model.md); every number is the default
# of the corresponding module argument, repeated here for visibility.
#
# Asset paths. tools/train.py, tools/test.py and the converter take
# `--body-model-dir DIR`, which sets every body_model_dir field of a config
# (e.g. data/standin/body_models); for the model alone:
#   --cfg-options model.head.body_model_dir=data/standin/body_models
# (the directory layout is in docs/interfaces.md, "Asset layout").
body_model_dir = 'data/body_models'

model = dict(
    type='JOTR',
    data_preprocessor=dict(
        type='MeshDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True,
        input_size=(256, 256)),
    backbone=dict(
        type='PoseGuidedResNet',
        depth=50,
        num_joints=30,
        heatmap_size=64,
        heatmap_sigma=2.5,
        joint_drop_prob=0.1,
        pose2feat_std=0.001,  # the release's Pose2Feat init, N(0, 0.001)
        norm_cfg=dict(type='BN', requires_grad=True)),
    neck=dict(
        type='LiftingNeck',
        in_channels=2048,
        embed_dims=256,
        depth=8,
        feature_size=8,
        init_depth_exponent=3.0,
        depth_exponent_range=(1., 20.),
        encoder=dict(
            num_layers=2, num_heads=8, feedforward_channels=1024,
            dropout=0.1)),
    head=dict(
        type='FusionHead',
        body_model_dir=body_model_dir,
        smpl_regressor=dict(
            type='SMPLRegressor',
            # joints regressed from the posed mesh, as the release (and as
            # the training targets: GenerateMeshTargets.body_model)
            body_model=dict(
                type='SMPL', gender='neutral', joint_source='mesh'),
            vposer=dict(type='VPoserV1'),
            vposer_checkpoint='vposer_v1_0/snapshots/TR00_E096.pt'),
        in_channels=2048,
        embed_dims=256,
        volume_size=64,
        encoder=dict(
            num_layers=2, num_heads=8, feedforward_channels=2048, dropout=0.1),
        decoder=dict(
            num_joints=15,
            num_layers=4,
            num_heads=8,
            feedforward_channels=2048,
            dropout=0.1),
        loss_body_joint_voxel=dict(type='MaskedL1Loss', loss_weight=1 / 64),
        loss_smpl_joint_voxel=dict(type='MaskedL1Loss', loss_weight=1 / 64),
        loss_smpl_pose=dict(type='MaskedL1Loss', loss_weight=1.),
        loss_smpl_shape=dict(type='MaskedL1Loss', loss_weight=1.),
        loss_body_joint_proj=dict(type='MaskedL1Loss', loss_weight=1 / 8),
        loss_body_joint_cam=dict(type='MaskedL1Loss', loss_weight=5.),
        # weights the six terms above (FusionHead's SUPERVISED_TERMS)
        uncertainty=dict(type='UncertaintyWeighting', init_value=1.)))
# The contrastive losses (stage 2) are added as model.head.loss_joint_contrast
# and model.head.loss_nonjoint_contrast; see the *_contrastive config.
