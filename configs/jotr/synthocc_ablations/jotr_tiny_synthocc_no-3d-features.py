# Table 4, "flattening / none", stage 2: both contrastive losses from the
# no-3D-features stage-1 checkpoint
# (jotr_tiny_synthocc_no-3d-features_stage1.py).
_base_ = ['../jotr_tiny_1xb8-300it_synthocc-256x256_contrastive.py']
model = dict(head=dict(decoder=dict(sample_3d_features=False)))
load_from = ('work_dirs/synthocc_ablation/no-3d-features-stage1/seed0/'
             'iter_900.pth')
# Nothing reads the sampled-token position MLP (head.decoder.fc_pos_3d):
# DDP must be told that its parameters get no gradient.
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)
