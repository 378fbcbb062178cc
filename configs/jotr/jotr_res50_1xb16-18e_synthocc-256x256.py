# Full-size JOTR (ResNet-50, both contrastive losses as in the stage-2
# recipe, spec numbers) trained on the full SynthOcc copy (2000 training
# frames, 200 per test split; tools/dataset_converters/make_synthocc.py)
# on the stand-in body model. BN, no pretrained backbone (nothing can be
# downloaded here); 18 epochs at batch 16 = 2250 iterations.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/jotr_res50.py',
    '../_base_/schedules/jotr_stage1_18e.py', '../_base_/datasets/synthocc.py'
]

body_model_dir = 'data/standin/body_models'
model = dict(
    head=dict(
        body_model_dir=body_model_dir,
        loss_joint_contrast=dict(type='JointToJointContrastiveLoss'),
        loss_nonjoint_contrast=dict(type='JointToNonJointContrastiveLoss')))
default_hooks = dict(checkpoint=dict(save_best='synthocc/MPJPE', rule='less'))
# --auto-scale-lr scales lr by (GPUs x batch per GPU) / 16
auto_scale_lr = dict(base_batch_size=16)
