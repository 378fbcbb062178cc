default_scope = 'mmjotr'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # checkpoints are written atomically (temporary file, fsync, rename)
    checkpoint=dict(
        type='CheckpointHook',
        interval=1,
        max_keep_ckpts=3,
        backend_args=dict(backend='mmjotr_atomic_local')),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # safe weights_only loading of mmengine checkpoints (torch >= 2.6)
    checkpoint_compat=dict(type='CheckpointCompatHook'),
    # a NaN/inf loss stops the run naming the iteration, the loss terms and
    # the samples (on_nonfinite='skip' skips the step instead, counted);
    # checkpoints with non-finite weights are never written
    nonfinite_guard=dict(type='NonFiniteGuardHook', on_nonfinite='raise'),
    # random states saved with checkpoints: resume = the uninterrupted run
    random_state=dict(type='RandomStateHook'),
    # loaded checkpoints are compared with the model; mismatches go to the
    # run's log (tools/test.py and init_model refuse them: strict=True)
    checkpoint_check=dict(type='CheckpointCheckHook', strict=False),
    # draws meshes of validation/test crops; enable with
    # --cfg-options default_hooks.visualization.enable=True
    visualization=dict(type='MeshVisualizationHook', enable=False),
)

env_cfg = dict(
    # fixed 256x256 crops: cuDNN picks the fastest convolution once (as the
    # release does); no effect on the CPU. randomness.deterministic=True
    # turns it off again.
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
# no fixed `name`: the Runner names the visualiser after its run, so that
# several runs in one process (train then test) do not share one instance
visualizer = dict(type='MeshVisualizer', vis_backends=vis_backends)
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False

# seed 42 + rank, as in the reference training recipe
randomness = dict(seed=42, diff_rank_seed=True)
