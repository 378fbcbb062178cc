# Table 4, "flattening / none", stage 1: the fusion decoder attends to the
# flattened 2D features only (no sampled 3D joint features in its memory).
_base_ = ['../jotr_tiny_1xb8-900it_synthocc-256x256.py']
model = dict(head=dict(decoder=dict(sample_3d_features=False)))
# Nothing reads the sampled-token position MLP (head.decoder.fc_pos_3d) and,
# without the contrastive losses, nothing reads the neck's volume: DDP must
# be told that these parameters get no gradient.
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)
