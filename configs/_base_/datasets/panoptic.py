# CMU-Panoptic Haggling, Mafia, Ultimatum, Pizza (Jiang et al. CVPR 2020
# protocol, MPJPE only, per sequence and mean).
_base_ = ['./mesh_test.py']

test_dataloader = dict(
    dataset=dict(
        type='PanopticDataset',
        data_root='data/Panoptic',
        sequences=('160422_haggling1', '160422_mafia2', '160422_ultimatum1',
                   '160906_pizza1')))
test_evaluator = dict(prefix='panoptic', mode='joints')
val_dataloader = test_dataloader
val_evaluator = test_evaluator
