# Copyright (c) mmjotr contributors. All rights reserved.
"""CPU benchmark of the full-size JOTR model.

Prints the parameter counts, the median inference time per person (batch 1
and 16), the training-step time at batch 4 with and without the
contrastive losses, each block's share of the inference time, peak memory,
and the contrastive losses against the reference formulation (same inputs
and indices, same run); then ('fast') fp32 vs the fast inference path vs
ONNX Runtime per person at batch 1, 4 and 16 with the accuracy deltas
(``benchmark_fast_path.py``), and ('amp') the fp32 vs bf16-autocast training
step. Runs from the repository root; the shared timer is
``tools/analysis/profiling.py``. Example::

    python tools/analysis/benchmark_model.py --threads 2
"""
import argparse
import copy
import logging
import statistics
from profiling import (block_timer, interleaved_times, measure_peak_memory,
                       median_ratio, timed)
from typing import Callable, Dict, Iterator, List, Tuple

import torch
import torch.nn.functional as F
from mmengine.logging import MMLogger, print_log
from mmengine.optim import OptimWrapper
from torch import nn

from mmjotr.models.losses import (JointToJointContrastiveLoss,
                                  JointToNonJointContrastiveLoss)
from mmjotr.registry import MODELS
from mmjotr.testing import (reference_joint_to_joint_nce,
                            reference_joint_to_nonjoint_nce, standin_config,
                            synthetic_batch)
from mmjotr.utils import register_all_modules

Figure = Tuple[str, float, str]


def parameter_counts(model: nn.Module) -> Dict[str, int]:
    """Trainable and frozen parameter counts."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return dict(trainable=trainable, frozen=frozen)


def resnet50_baseline() -> Callable[[], object]:
    """A bare ResNet-50 forward at 256², batch 1 (no grad).

    The reference figures (0.178 s JOTR inference, 3.4 s training step;
    docs/model.md) were measured where this took 0.16 s.
    """
    from mmpose.models.backbones import ResNet
    net = ResNet(50)
    net.eval()  # mmpose ResNet.train returns None
    img = torch.rand(1, 3, 256, 256)

    def run():
        with torch.no_grad():
            return net(img)

    return run


def benchmark_inference(model: nn.Module, baseline: Callable[[], object],
                        repeats: int) -> List[Figure]:
    """Predict-mode time per person (batch 1, 16), block shares, memory."""
    model.eval()
    data1 = model.data_preprocessor(synthetic_batch(1))
    data16 = model.data_preprocessor(synthetic_batch(16))

    def predict(data):
        with torch.no_grad():
            return model(**data, mode='predict')

    _, peak = measure_peak_memory(lambda: predict(data1))
    times = interleaved_times(
        dict(
            base=baseline,
            b1=lambda: predict(data1),
            b16=lambda: predict(data16)), repeats)
    per16 = [t / 16 for t in times['b16']]
    figures = [
        ('baseline: bare ResNet-50 forward, batch 1',
         statistics.median(times['base']), 's'),
        ('inference per person, batch 1', statistics.median(times['b1']), 's'),
        ('inference per person, batch 16', statistics.median(per16), 's'),
        ('inference batch 1 / ResNet-50, same rounds (reference: '
         '0.178 / 0.16 = 1.11)', median_ratio(times['b1'],
                                              times['base']), 'x'),
        ('inference batch 16 per person / ResNet-50 (reference: '
         '0.212 / 0.16 = 1.33)', median_ratio(per16, times['base']), 'x'),
    ]
    blocks = {
        'backbone': model.backbone,
        'neck (lifting + 3D encoder)': model.neck,
        'head 2D encoder': model.head.encoder,
        'head decoder': model.head.decoder,
        'VPoser decode': model.head.smpl_regressor.vposer,
        'body model': model.head.smpl_regressor.body_model,
        'total': model,
    }
    with block_timer(blocks) as totals:
        for _ in range(repeats):
            predict(data1)
    for name in blocks:
        if name != 'total':
            figures.append((f'inference time share, batch 1: {name}',
                            100 * totals[name] / totals['total'], '%'))
    figures.append(('inference peak extra memory, batch 1', peak, 'MiB'))
    return figures


def benchmark_train_step(model: nn.Module, baseline: Callable[[], object],
                         batch_size: int, repeats: int) -> List[Figure]:
    """AdamW training steps with and without the contrastive losses."""
    model.train()
    optim = OptimWrapper(
        torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                          lr=1e-5))
    data = synthetic_batch(batch_size)
    contrast = model.head.contrast

    def step(with_contrast: bool):
        model.head.contrast = contrast if with_contrast else nn.ModuleDict()
        try:
            return model.train_step(data, optim)
        finally:
            model.head.contrast = contrast

    step(True)  # optimiser state
    _, peak_without = measure_peak_memory(lambda: step(False))
    _, peak_with = measure_peak_memory(lambda: step(True))
    times = interleaved_times(
        dict(
            base=baseline,
            without=lambda: step(False),
            with_=lambda: step(True)), repeats)
    label = f'train step, batch {batch_size}'
    return [
        ('baseline: bare ResNet-50 forward, batch 1',
         statistics.median(times['base']), 's'),
        (f'{label}, no contrastive', statistics.median(times['without']), 's'),
        (f'{label}, with contrastive losses',
         statistics.median(times['with_']), 's'),
        (f'{label}, no contrastive / ResNet-50, same rounds (reference: '
         '3.4 / 0.16 = 21.3)', median_ratio(times['without'],
                                            times['base']), 'x'),
        ('contrastive losses: added train-step time, same rounds',
         100 * (median_ratio(times['with_'], times['without']) - 1), '%'),
        (f'{label} peak extra memory, no contrastive', peak_without, 'MiB'),
        (f'{label} peak extra memory, with contrastive', peak_with, 'MiB'),
    ]


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
    depth_exponent = torch.tensor(3.)
    figures = []
    for name, loss, reference in (('joint-to-joint', loss_j2j,
                                   reference_joint_to_joint_nce),
                                  ('joint-to-non-joint', loss_j2n,
                                   reference_joint_to_nonjoint_nce)):
        vol = volume.clone().requires_grad_(True)
        args = (vol, pred, gt, valid, is_3d, depth_exponent)
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
        t_lean = statistics.median(
            interleaved_times(dict(lean=lean), repeats)['lean'])
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


def run_benchmark(
    model_cfg: dict,
    repeats: int,
    reference_positive_scale: float,
    skip: Tuple[str, ...] = ()
) -> Iterator[Figure]:
    """All figures of this benchmark.

    Args:
        model_cfg (dict): a JOTR config with both contrastive losses.
        repeats (int): timed repetitions (medians are reported).
        reference_positive_scale (float): see :func:`benchmark_contrastive`.
        skip (tuple[str]): parts to skip: 'inference', 'train',
            'contrastive'.

    Yields:
        tuple: (name, value, unit), as soon as measured.
    """
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    counts = parameter_counts(model)
    yield ('trainable parameters', counts['trainable'] / 1e6, 'M')
    yield ('frozen parameters (VPoser, body model)', counts['frozen'] / 1e6,
           'M')
    baseline = resnet50_baseline()
    if 'inference' not in skip:
        yield from benchmark_inference(model, baseline, repeats)
    if 'train' not in skip:
        yield from benchmark_train_step(model, baseline, 4, repeats)
    if 'contrastive' not in skip:
        yield from benchmark_contrastive(
            model.head.contrast['joint_contrast'],
            model.head.contrast['nonjoint_contrast'], 4, model.neck.embed_dims,
            model.neck.feature_size, repeats, reference_positive_scale)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--config',
        default='configs/jotr/jotr_res50_8xb16-10k_mix-256x256_contrastive.py',
        help='a config whose model has both contrastive losses')
    parser.add_argument(
        '--body-model-dir',
        default='data/standin/body_models',
        help='body model directory (the stand-in is fine for timing)')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument(
        '--reference-positive-scale',
        type=float,
        default=1.0,
        help='run the reference contrastive formulation on this share of '
        'the positives and extrapolate linearly (1.0 = the paper\'s sizes, '
        'needs ~20 GB)')
    parser.add_argument(
        '--checkpoint',
        help='weights for the fast-path accuracy deltas (e.g. the quick '
        'start checkpoint of the same config); random weights without it')
    parser.add_argument(
        '--batch-sizes', type=int, nargs='+', default=[1, 4, 16])
    parser.add_argument(
        '--skip',
        nargs='*',
        default=[],
        choices=['inference', 'train', 'contrastive', 'fast', 'onnx', 'amp'])
    return parser.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    register_all_modules()
    cfg = standin_config(args.config, args.body_model_dir)
    for name, value, unit in run_benchmark(cfg.model, args.repeats,
                                           args.reference_positive_scale,
                                           args.skip):
        print_log(f'{name:<72s} {value:12.4g} {unit}')
    figures = []
    if 'fast' not in args.skip or 'amp' not in args.skip:
        from benchmark_fast_path import (benchmark_amp_train_step,
                                         benchmark_fast_path)
        torch.manual_seed(0)
        model = MODELS.build(cfg.model)
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)  # one record per parameter
        model.init_weights()
        logger.setLevel(level)
        if args.checkpoint:
            from mmjotr.utils.checkpoint_io import load_model_checkpoint
            load_model_checkpoint(model, args.checkpoint)
    if 'fast' not in args.skip:
        figures = benchmark_fast_path(
            model,
            args.repeats,
            args.batch_sizes,
            onnx_threads=args.threads,
            with_onnx='onnx' not in args.skip)
    if 'amp' not in args.skip:
        figures = figures + benchmark_amp_train_step(model, 4, args.repeats)
    for name, value, unit in figures:
        value = f'{value:12.4g}' if isinstance(value, float) else \
            f'{value!s:>12}'
        print_log(f'{name:<72s} {value} {unit}')


if __name__ == '__main__':
    main()
