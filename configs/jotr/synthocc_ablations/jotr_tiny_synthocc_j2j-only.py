# Table 7, row 3: joint-to-joint contrast only.
_base_ = ['../jotr_tiny_1xb8-900it_synthocc-256x256.py']
model = dict(head=dict(loss_nonjoint_contrast=None))
