# Stage 2 of the full-size SynthOcc model: both 3D joint contrastive losses
# (spec numbers), the paper's stage-2 optimiser (AdamW, constant lr 5e-5,
# wd 1e-3), 2000 iterations at batch 16 from the stage-1 checkpoint
# (jotr_res50_1xb16-18e_synthocc-256x256.py; pass yours with
# --cfg-options load_from=...). Not trained on the development CPU.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/jotr_res50.py',
    '../_base_/schedules/jotr_stage2_10k.py', '../_base_/datasets/synthocc.py'
]

body_model_dir = 'data/standin/body_models'
model = dict(
    head=dict(
        body_model_dir=body_model_dir,
        loss_joint_contrast=dict(type='JointToJointContrastiveLoss'),
        loss_nonjoint_contrast=dict(type='JointToNonJointContrastiveLoss')))
load_from = 'work_dirs/jotr_res50_1xb16-18e_synthocc-256x256/epoch_18.pth'
train_cfg = dict(max_iters=2000, val_interval=200)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=200,
        save_best='synthocc/MPJPE',
        rule='less'))
log_processor = dict(by_epoch=False)
# --auto-scale-lr scales lr by (GPUs x batch per GPU) / 16
auto_scale_lr = dict(base_batch_size=16)
