# The quick start's model: the tiny JOTR (both contrastive losses on)
# trained on a small SynthOcc copy on a CPU in minutes
# (demo/quickstart.py points data_root at data/synthocc_quickstart).
_base_ = [
    './jotr_tiny_1xb4_standin-256x256.py', '../_base_/datasets/synthocc.py'
]

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True))
test_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False)

# a short run: a higher rate than the paper's 1e-4, decayed linearly
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1.0,
        end_factor=0.05,
        by_epoch=False,
        begin=0,
        end=900)
]
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=900)
val_cfg = None
val_dataloader = None
val_evaluator = None
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=25),
    checkpoint=dict(
        type='CheckpointHook', interval=900, by_epoch=False, max_keep_ckpts=1))
log_processor = dict(by_epoch=False, window_size=25)
auto_scale_lr = dict(base_batch_size=8)
