# JOTR stage 2 selecting its checkpoint on held-out data: the 3DPW
# validation split without the two 3DPW-Crowd sequences (a test set) is
# evaluated every 200 iterations and the best MPJPE on it is kept. Evaluate
# that one checkpoint once on each test set (configs/jotr/test/). Check
# that no other test set you report shares sequences with this split.
_base_ = ['./jotr_res50_8xb16-10k_mix-256x256_contrastive.py']

val_dataloader = dict(
    dataset=dict(
        ann_file='3DPW_latest_validation.json',
        exclude_sequences=('courtyard_hug_00', 'courtyard_dancing_00')))
val_evaluator = dict(prefix='3dpw-val')
val_cfg = dict(_delete_=True, type='ValLoop')
default_hooks = dict(checkpoint=dict(save_best='3dpw-val/MPJPE', rule='less'))
