# Copyright (c) mmjotr contributors. All rights reserved.
"""CPU benchmark of the JOTR model (tools/analysis/benchmark_model.py)."""
import copy
import time
from typing import Callable, Dict, List, Tuple

import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from torch import nn

from mmjotr.models.losses import (JointToJointContrastiveLoss,
                                  JointToNonJointContrastiveLoss,
                                  reference_joint_to_joint_nce,
                                  reference_joint_to_nonjoint_nce)
from .profiling import (block_timer, measure_peak_memory, median_time,
                        return_freed_memory_to_os)
from .synthetic import synthetic_batch

Figure = Tuple[str, float, str]


def timed(fn: Callable[[], object]) -> Tuple[object, float]:
    """Result and wall time (s) of one call."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def parameter_counts(model: nn.Module) -> Dict[str, int]:
    """Trainable and frozen parameter counts."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return dict(trainable=trainable, frozen=frozen)


def benchmark_resnet50(repeats: int) -> List[Figure]:
    """The same-run baseline: a bare ResNet-50 forward at 256², batch 1.

    The spec's reference figures (0.178 s JOTR inference, 3.4 s training
    step) were measured where this took 0.16 s.
    """
    from mmpose.models.backbones import ResNet
    net = ResNet(50)
    net.eval()  # mmpose ResNet.train returns None
    img = torch.rand(1, 3, 256, 256)
    with torch.no_grad():
        median, _ = median_time(lambda: net(img), repeats)
    return [('baseline: bare ResNet-50 forward, batch 1', median, 's')]


def benchmark_inference(model: nn.Module, batch_sizes: Tuple[int, ...],
                        repeats: int) -> List[Figure]:
    """Median predict-mode time per person and block shares (batch 1)."""
    model.eval()
    figures = []
    for batch_size in batch_sizes:
        data = model.data_preprocessor(synthetic_batch(batch_size))
        with torch.no_grad():
            median, _ = median_time(lambda: model(**data, mode='predict'),
                                    repeats)
        figures.append((f'inference per person, batch {batch_size}',
                        median / batch_size, 's'))
    data = model.data_preprocessor(synthetic_batch(1))
    with torch.no_grad():
        _, peak = measure_peak_memory(lambda: model(**data, mode='predict'))
    blocks = {
        'backbone': model.backbone,
        'neck (lifting + 3D encoder)': model.neck,
        'head 2D encoder': model.head.encoder,
        'head decoder': model.head.decoder,
        'VPoser decode': model.head.vposer,
        'body model': model.head.body_model,
        'total': model,
    }
    with torch.no_grad():
        model(**data, mode='predict')
        with block_timer(blocks) as totals:
            for _ in range(repeats):
                model(**data, mode='predict')
    for name in blocks:
        if name != 'total':
            figures.append((f'inference time share: {name}',
                            100 * totals[name] / totals['total'], '%'))
    figures.append(('inference peak extra memory, batch 1', peak, 'MiB'))
    return figures


def benchmark_train_step(model: nn.Module, batch_size: int, repeats: int,
                         label: str) -> List[Figure]:
    """Median time and peak extra memory of one AdamW training step."""
    model.train()
    optim = OptimWrapper(
        torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                          lr=1e-5))
    data = synthetic_batch(batch_size)
    model.train_step(data, optim)  # optimiser state, allocator warm-up
    _, peak = measure_peak_memory(lambda: model.train_step(data, optim))
    median, _ = median_time(lambda: model.train_step(data, optim), repeats)
    return [(f'train step, batch {batch_size}, {label}', median, 's'),
            (f'train step peak extra memory, {label}', peak, 'MiB')]


def benchmark_contrastive(loss_j2j: JointToJointContrastiveLoss,
                          loss_j2n: JointToNonJointContrastiveLoss,
                          batch_size: int, channels: int, size: int,
                          repeats: int,
                          reference_positive_scale: float) -> List[Figure]:
    """Forward+backward of each contrastive loss, lean vs reference.

    Both formulations run on the same inputs and sampled indices. With
    ``reference_positive_scale < 1`` the reference runs on that share of
    the positives (first columns) and its time and memory are extrapolated
    linearly to the full P (reported as such).
    """
    torch.manual_seed(0)
    volume = torch.randn(batch_size, channels, size, size, size)
    pred = torch.rand(batch_size, 15, 3)
    gt = torch.rand(batch_size, 15, 3) * 64
    valid = torch.ones(batch_size, 15)
    is_3d = torch.ones(batch_size)
    exponent = torch.tensor(3.)
    figures = []
    for name, loss, reference in (('joint-to-joint', loss_j2j,
                                   reference_joint_to_joint_nce),
                                  ('joint-to-non-joint', loss_j2n,
                                   reference_joint_to_nonjoint_nce)):
        vol = volume.clone().requires_grad_(True)
        args = (vol, pred, gt, valid, is_3d, exponent)
        indices = loss.sample(loss.prepare(*args))
        num_pos = indices.positive.shape[1]
        kept = max(1, int(round(num_pos * reference_positive_scale)))
        ref_indices = copy.copy(indices)
        ref_indices.positive = indices.positive[:, :kept]

        def lean():
            value = loss.compute(loss.prepare(*args), indices)
            value.backward()
            return value.detach()

        def ref():
            inputs = loss.prepare(*args)
            pred_f = inputs.pred_features()
            if reference is reference_joint_to_joint_nce:
                value = reference(pred_f, inputs.gt_features(), ref_indices,
                                  loss.temperature)
            else:
                voxels = inputs.volume.flatten(2).transpose(1, 2).reshape(
                    -1, channels)[indices.negative]
                value = reference(pred_f, F.normalize(voxels, dim=-1),
                                  ref_indices, loss.temperature)
            value.backward()
            return value.detach()

        _, m_lean = measure_peak_memory(lean)
        t_lean, _ = median_time(lean, repeats)
        (ref_value, t_ref), m_ref = measure_peak_memory(lambda: timed(ref))
        scale = num_pos / kept
        tag = '' if kept == num_pos else \
            f' (measured at P={kept}, x{scale:.1f} extrapolated)'
        with torch.no_grad():
            same = loss.compute(loss.prepare(*args), ref_indices)
        figures.append((f'{name}: |lean - reference| / reference, '
                        f'same indices (P={kept})',
                        float((same - ref_value).abs() / ref_value.abs()), ''))
        t_ref, m_ref = t_ref * scale, m_ref * scale
        figures += [
            (f'{name}: lean forward+backward', t_lean, 's'),
            (f'{name}: reference forward+backward{tag}', t_ref, 's'),
            (f'{name}: speed-up', t_ref / t_lean, 'x'),
            (f'{name}: lean peak extra memory', m_lean, 'MiB'),
            (f'{name}: reference peak extra memory{tag}', m_ref, 'MiB'),
            (f'{name}: memory ratio (lean floored at 1 MiB)',
             m_ref / max(m_lean, 1.), 'x'),
        ]
    return figures


def run_benchmark(model_cfg: dict,
                  repeats: int,
                  reference_positive_scale: float,
                  skip: Tuple[str, ...] = ()) -> List[Figure]:
    """All figures of tools/analysis/benchmark_model.py.

    Args:
        model_cfg (dict): a JOTR config with both contrastive losses.
        repeats (int): timed repetitions (medians are reported).
        reference_positive_scale (float): see :func:`benchmark_contrastive`.
        skip (tuple[str]): parts to skip: 'inference', 'train',
            'contrastive'.

    Returns:
        list[tuple]: (name, value, unit).
    """
    from mmjotr.registry import MODELS
    return_freed_memory_to_os()
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    counts = parameter_counts(model)
    figures = [('trainable parameters', counts['trainable'] / 1e6, 'M'),
               ('frozen parameters (VPoser, body model)',
                counts['frozen'] / 1e6, 'M')]
    figures += benchmark_resnet50(repeats)
    baseline = figures[-1][1]
    if 'inference' not in skip:
        figures += benchmark_inference(model, (1, 16), repeats)
        figures.append(('inference batch 1 / bare ResNet-50 (reference: '
                        '0.178 / 0.16 = 1.11)', figures[3][1] / baseline, 'x'))
    if 'train' not in skip:
        contrast = model.head.contrast
        model.head.contrast = nn.ModuleDict()
        figures += benchmark_train_step(model, 4, repeats, 'no contrastive')
        model.head.contrast = contrast
        figures += benchmark_train_step(model, 4, repeats,
                                        'with contrastive losses')
        with_c, without = figures[-2][1], figures[-4][1]
        figures.append(
            ('train step without contrastive / bare ResNet-50 '
             '(reference: 3.4 / 0.16 = 21.3)', without / baseline, 'x'))
        figures.append(('contrastive losses: added train-step time',
                        100 * (with_c / without - 1), '%'))
    if 'contrastive' not in skip:
        figures += benchmark_contrastive(
            model.head.contrast['joint_contrast'],
            model.head.contrast['nonjoint_contrast'], 4, model.neck.embed_dims,
            model.neck.feature_size, repeats, reference_positive_scale)
    return figures
