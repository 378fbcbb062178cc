# Stage 2 fine-tuning (docs/model.md "Training recipe"): AdamW, constant lr
# 5e-5, weight decay 1e-3 (0 on the uncertainty weights), 10k iterations,
# contrastive losses on.
# The release evaluates every 200 iterations and keeps the best checkpoint
# per test set (test-set selection); val_interval mirrors that cadence.
# Configs using this schedule also set iteration-based checkpointing and
# logging and the validation sets (see
# jotr_res50_8xb16-10k_mix-256x256_contrastive.py).
# GradNormOptimWrapper: mmengine's OptimWrapper, logging the gradient norm
# (train/grad_norm) at every step; it clips nothing. `--amp` switches to
# GradNormAmpOptimWrapper: fp16 with a dynamic loss scale from 256 on CUDA
# (the release's fixed 1024 skips every step from a fresh initialisation:
# docs/deployment.md; --cfg-options optim_wrapper.loss_scale=1024 restores it).
optim_wrapper = dict(
    type='GradNormOptimWrapper',
    # one log line for the frozen VPoser instead of a warning per tensor
    constructor='FrozenAwareOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=5e-5, weight_decay=1e-3),
    paramwise_cfg=dict(
        custom_keys={'uncertainty_weighting': dict(decay_mult=0.)}))
param_scheduler = []  # constant learning rate

train_cfg = dict(type='IterBasedTrainLoop', max_iters=10000, val_interval=200)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# --auto-scale-lr scales lr by (GPUs x batch per GPU) / (8 x 16)
auto_scale_lr = dict(base_batch_size=128, enable=False)
