# Stage 2 of the quick start's model (paper Sec. 4): fine-tune the stage-1
# checkpoint (jotr_tiny_1xb8-900it_synthocc-256x256.py, e.g. the quick
# start's work_dirs/quickstart/iter_900.pth) for 300 iterations with both
# 3D joint contrastive losses, at a constant lr (the paper's stage 2 also
# continues at a lower constant rate). tools/analysis/ablate_synthocc.py
# runs it, and its one-loss variants, from each seed's stage-1 checkpoint:
#   python tools/train.py \
#       configs/jotr/jotr_tiny_1xb8-300it_synthocc-256x256_contrastive.py \
#       --cfg-options load_from=work_dirs/quickstart/iter_900.pth
_base_ = ['./jotr_tiny_1xb8-900it_synthocc-256x256.py']

model = dict(
    head=dict(
        loss_joint_contrast=dict(
            _delete_=True,
            type='JointToJointContrastiveLoss',
            num_anchors=16,
            num_positives=8,
            num_negatives=16),
        loss_nonjoint_contrast=dict(
            _delete_=True,
            type='JointToNonJointContrastiveLoss',
            num_anchors=16,
            num_positives=16,
            num_negatives=32)))
load_from = 'work_dirs/quickstart/iter_900.pth'
optim_wrapper = dict(optimizer=dict(lr=1e-4))
param_scheduler = []  # constant learning rate
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=300)
default_hooks = dict(checkpoint=dict(interval=300))
