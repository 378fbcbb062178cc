# CMU-Panoptic Haggling, Mafia, Ultimatum, Pizza (Jiang et al. CVPR 2020
# protocol, MPJPE only, per sequence and mean).
_base_ = ['./mesh_test.py']

test_dataloader = dict(
    dataset=dict(
        type='PanopticDataset',
        data_root='data/Panoptic',
        sequences=('160422_haggling1', '160422_mafia2', '160422_ultimatum1',
                   '160906_pizza1')))
# The H36M regressor: mmjotr (and its other test sets) use
# J_regressor_h36m_correct.npy; the protocol's own evaluation code (Jiang et
# al.) regresses with SPIN's J_regressor_h36m.npy -- put that file in the
# body model directory and set it here to follow the protocol exactly.
test_evaluator = dict(
    prefix='panoptic',
    mode='joints',
    h36m_regressor_file='J_regressor_h36m_correct.npy')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
