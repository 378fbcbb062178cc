# Copyright (c) mmjotr contributors. All rights reserved.
import pytest
import torch
from mmengine.optim import build_optim_wrapper
from torch import nn

from mmjotr.engine import CPUAmpOptimWrapper
from mmjotr.testing import synthetic_batch
from mmjotr.utils import register_all_modules


def test_autocast_context_and_dtype():
    model = nn.Linear(4, 4)
    wrapper = CPUAmpOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    with wrapper.optim_context(model):
        assert model(torch.ones(1, 4)).dtype == torch.bfloat16
    assert model(torch.ones(1, 4)).dtype == torch.float32
    with pytest.raises(ValueError, match='bfloat16 only'):
        CPUAmpOptimWrapper(
            dtype='float16',
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1))


def test_built_from_config_by_name():
    register_all_modules()
    model = nn.Linear(2, 2)
    wrapper = build_optim_wrapper(
        model,
        dict(type='CPUAmpOptimWrapper', optimizer=dict(type='SGD', lr=0.1)))
    assert isinstance(wrapper, CPUAmpOptimWrapper)


def test_amp_train_step_keeps_losses_and_mesh_in_fp32(tiny_jotr):
    model = tiny_jotr
    model.train()
    wrapper = CPUAmpOptimWrapper(
        optimizer=torch.optim.SGD(
            [p for p in model.parameters() if p.requires_grad], lr=0.))
    data = synthetic_batch(2)
    dtypes = {}

    def record(module, args, output):
        dtypes['backbone'] = output.dtype

    handle = model.backbone.register_forward_hook(record)
    with wrapper.optim_context(model):
        batch = model.data_preprocessor(data, True)
        out = model.extract_feat(batch['inputs'], batch['data_samples'])
        losses = model(**batch, mode='loss')
    handle.remove()
    # the backbone ran in bf16, the SMPL parameters and mesh in fp32
    assert dtypes['backbone'] == torch.bfloat16
    for name in ('smpl_pose', 'smpl_betas', 'cam_param', 'vertices',
                 'joints_3d'):
        assert getattr(out, name).dtype == torch.float32, name
    for name, value in losses.items():
        assert value.dtype == torch.float32, name
        assert torch.isfinite(value).all(), name
    # a full step runs and leaves fp32 parameters with gradients
    log_vars = model.train_step(data, wrapper)
    assert torch.isfinite(torch.as_tensor(log_vars['loss']))
    assert all(p.dtype == torch.float32 for p in model.parameters())
    model.eval()


@pytest.mark.slow
def test_amp_200_steps_reach_the_fp32_loss(jotr_builder,
                                           standin_body_model_dir):
    """200 tiny steps on a fixed batch: the bf16 run's final loss (mean of
    the last 20 steps) is within 5 % of the fp32 run's (~2 min)."""
    from mmengine.optim import OptimWrapper
    final = {}
    for name, wrapper_type in (('fp32', OptimWrapper), ('bf16',
                                                        CPUAmpOptimWrapper)):
        torch.manual_seed(0)
        model = jotr_builder('configs/jotr/jotr_tiny_1xb4_standin-256x256.py',
                             str(standin_body_model_dir))
        model.train()
        wrapper = wrapper_type(
            optimizer=torch.optim.AdamW(
                [p for p in model.parameters() if p.requires_grad], lr=1e-4))
        data = synthetic_batch(4, seed=0)
        losses = []
        for _ in range(200):
            torch.manual_seed(len(losses))  # same joint drop in both runs
            losses.append(float(model.train_step(data, wrapper)['loss']))
        final[name] = sum(losses[-20:]) / 20
    assert abs(final['bf16'] - final['fp32']) <= 0.05 * abs(final['fp32']), \
        final
