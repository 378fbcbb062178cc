# A tiny JOTR (ResNet-18 at 1/4 width, 32-d transformers) on the project's
# stand-in body model, for tests and CPU work. Same data flow and losses as
# the full model, including both contrastive losses.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/jotr_res50.py',
    '../_base_/schedules/jotr_stage1_18e.py'
]

body_model_dir = 'data/standin/body_models'
model = dict(
    backbone=dict(
        depth=18, stem_channels=16, base_channels=16, joint_drop_prob=0.1),
    neck=dict(
        in_channels=128,
        embed_dims=32,
        depth=4,
        encoder=dict(num_heads=2, feedforward_channels=64)),
    head=dict(
        body_model_dir=body_model_dir,
        in_channels=128,
        embed_dims=32,
        encoder=dict(num_layers=1, num_heads=2, feedforward_channels=64),
        decoder=dict(num_layers=2, num_heads=2, feedforward_channels=64),
        loss_joint_contrast=dict(
            type='JointToJointContrastiveLoss',
            num_anchors=16,
            num_positives=8,
            num_negatives=16),
        loss_nonjoint_contrast=dict(
            type='JointToNonJointContrastiveLoss',
            num_anchors=16,
            num_positives=16,
            num_negatives=32)))

train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=4)
