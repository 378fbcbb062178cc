# Table 7, row 1: without both 3D joint contrastive losses.
_base_ = ['../jotr_tiny_1xb8-900it_synthocc-256x256.py']
model = dict(head=dict(loss_joint_contrast=None, loss_nonjoint_contrast=None))
