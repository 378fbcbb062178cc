# Full-size JOTR (ResNet-50, spec numbers) trained on the full SynthOcc copy
# (2000 training frames, 200 per test split;
# tools/dataset_converters/make_synthocc.py) on the stand-in body model.
# BN, no pretrained backbone (nothing can be downloaded here); 18 epochs at
# batch 16 = 2250 iterations. Stage 1 of the paper's recipe: no contrastive
# losses (stage 2: jotr_res50_1xb16-2k_synthocc-256x256_contrastive.py).
# Not trained on the development CPU; the tiny model trained from scratch
# needed stage-1 settings of its own to learn (no dropout, wider input-pose
# heatmaps; docs/synthocc.md) — try them here if this one stays at the mean
# pose.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/jotr_res50.py',
    '../_base_/schedules/jotr_stage1_18e.py', '../_base_/datasets/synthocc.py'
]

body_model_dir = 'data/standin/body_models'
model = dict(head=dict(body_model_dir=body_model_dir))
default_hooks = dict(checkpoint=dict(save_best='synthocc/MPJPE', rule='less'))
# --auto-scale-lr scales lr by (GPUs x batch per GPU) / 16
auto_scale_lr = dict(base_batch_size=16)
