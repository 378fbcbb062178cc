# JOTR stage 1 (paper Sec. 4, docs/model.md): 18 epochs on the 3D
# (Human3.6M + MuCo) and 2D (MSCOCO + CrowdPose with NeuralAnnot fits) mix,
# 8 GPUs x 32, SyncBN, backbone from the SimpleBaseline ResNet-50 (mmpose
# td-hm_res50 COCO).
_base_ = [
    '../_base_/default_runtime.py', '../_base_/models/jotr_res50.py',
    '../_base_/schedules/jotr_stage1_18e.py',
    '../_base_/datasets/jotr_mix_train.py', '../_base_/datasets/3dpw.py'
]

train_dataloader = dict(batch_size=32)

# mmpose's SimpleBaseline ResNet-50 COCO 256x192 checkpoint (user-supplied)
backbone_checkpoint = ('checkpoints/td-hm_res50_8xb64-210e_coco-256x192-'
                       '04af38ce_20220923.pth')
model = dict(
    backbone=dict(
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        init_cfg=dict(
            type='Pretrained',
            prefix='backbone.',
            checkpoint=backbone_checkpoint)))

# validated every epoch on 3DPW; the best MPJPE is kept (like mmpose's
# configs; the validation set is the 3DPW test set: see README, "Checkpoint
# selection")
default_hooks = dict(checkpoint=dict(save_best='3dpw/MPJPE', rule='less'))
