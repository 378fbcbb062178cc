# Table 7, row 1: without both 3D joint contrastive losses: stage 2 from the
# stage-1 checkpoint continues for the same iterations without them.
_base_ = ['../jotr_tiny_1xb8-300it_synthocc-256x256_contrastive.py']
model = dict(head=dict(loss_joint_contrast=None, loss_nonjoint_contrast=None))
