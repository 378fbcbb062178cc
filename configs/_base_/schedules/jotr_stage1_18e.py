# Stage 1 (paper Sec. 4, docs/model.md): AdamW, constant lr 1e-4, weight
# decay 1e-4 (0 on the uncertainty weights), 18 epochs, no gradient clipping,
# total batch 256.
# GradNormOptimWrapper: mmengine's OptimWrapper, logging the gradient norm
# (train/grad_norm) at every step; it clips nothing. `--amp` switches to
# GradNormAmpOptimWrapper: fp16 with a dynamic loss scale from 256 on CUDA
# (the release's fixed 1024 skips every step from a fresh initialisation:
# docs/deployment.md; --cfg-options optim_wrapper.loss_scale=1024 restores it).
optim_wrapper = dict(
    type='GradNormOptimWrapper',
    # one log line for the frozen VPoser instead of a warning per tensor
    constructor='FrozenAwareOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    paramwise_cfg=dict(
        custom_keys={'uncertainty_weighting': dict(decay_mult=0.)}))
param_scheduler = []  # constant learning rate

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=18, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# --auto-scale-lr scales lr by (GPUs x batch per GPU) / 256
auto_scale_lr = dict(base_batch_size=256, enable=False)
