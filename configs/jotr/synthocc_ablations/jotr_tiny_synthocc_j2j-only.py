# Table 7, row 3: joint-to-joint contrast only (stage 2 from the stage-1
# checkpoint, as the full row).
_base_ = ['../jotr_tiny_1xb8-300it_synthocc-256x256_contrastive.py']
model = dict(head=dict(loss_nonjoint_contrast=None))
