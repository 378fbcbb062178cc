# Copyright (c) mmjotr contributors. All rights reserved.
"""fp32 vs fast path vs ONNX Runtime, and fp32 vs bf16 AMP training steps
(tools/analysis/benchmark_model.py)."""
import copy
import os.path as osp
import statistics
import tempfile
from profiling import block_timer, interleaved_times, median_ratio
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.optim import OptimWrapper
from torch import nn

from mmjotr.models.utils import FastInference
from mmjotr.testing import synthetic_batch

Figure = Tuple[str, float, str]


def _tensor_path(model: nn.Module, data: dict) -> Callable[[], object]:

    def run():
        with torch.no_grad():
            return model(**data, mode='tensor')

    return run


def vertex_differences_mm(ref: nn.Module, other: Callable[[dict], dict],
                          data: dict) -> Dict[str, float]:
    """Mean / max |other - ref| of vertices and joints (mm, body frame).

    Args:
        ref (nn.Module): the fp32 model.
        other (callable): data -> dict with ``vertices`` (B, V, 3) and
            ``joints_3d`` (B, K, 3) in metres.
        data (dict): a preprocessed batch.
    """
    with torch.no_grad():
        out = ref(**data, mode='tensor')
    pred = other(data)
    figures = {}
    for name in ('vertices', 'joints_3d'):
        dist = (pred[name].float() - getattr(out, name)).norm(dim=-1) * 1000
        figures[f'{name} mean'] = float(dist.mean())
        figures[f'{name} max'] = float(dist.max())
    return figures


def per_block_times(model: nn.Module, batches: Dict[int, dict],
                    repeats: int) -> Dict[int, Dict[str, float]]:
    """Per-person forward time (s) of the main blocks at several batch
    sizes, the batch sizes alternating in every round (median of rounds).
    """
    blocks = {
        'backbone': model.backbone,
        'neck': model.neck,
        'head 2D encoder': model.head.encoder,
        'head decoder': model.head.decoder,
        'VPoser': model.head.smpl_regressor.vposer,
        'body model': model.head.body_model,
    }
    rounds: Dict[int, Dict[str, List[float]]] = {
        batch: {
            name: []
            for name in blocks
        }
        for batch in batches
    }
    for batch, data in batches.items():
        _tensor_path(model, data)()  # warm-up
    for _ in range(repeats):
        for batch, data in batches.items():
            with block_timer(blocks) as totals:
                _tensor_path(model, data)()
            for name in blocks:
                rounds[batch][name].append(totals[name] / batch)
    return {
        batch: {
            name: statistics.median(v)
            for name, v in values.items()
        }
        for batch, values in rounds.items()
    }


def benchmark_fast_path(model: nn.Module,
                        repeats: int,
                        batch_sizes: Sequence[int] = (1, 4, 16),
                        onnx_threads: Optional[int] = None,
                        fast_cfg: Optional[dict] = None,
                        with_onnx: bool = True) -> List[Figure]:
    """Inference per person: fp32 vs fast path vs ONNX Runtime.

    The three back ends run in turn in every round (interleaved) on the
    same synthetic batch; ratios are medians of per-round ratios. Accuracy:
    vertex / joint differences against fp32 on the largest batch.

    Args:
        model (nn.Module): a JOTR model with its weights (fp32 path).
        repeats (int): timed rounds.
        batch_sizes (Sequence[int]): batch sizes. Defaults to (1, 4, 16).
        onnx_threads (int, optional): ONNX Runtime intra-op threads.
        fast_cfg (dict, optional): ``FastInference`` arguments.
        with_onnx (bool): include ONNX Runtime (needs onnx and
            onnxruntime). Defaults to True.
    """
    model.eval()
    model.fast_inference = None
    fast = copy.deepcopy(model)
    fast.fast_inference = FastInference(**(fast_cfg or {}))
    fast.fast_inference.prepare(fast)
    dtype = fast.fast_inference.autocast_dtype(torch.device('cpu'))
    figures = [('fast path: autocast dtype (None = fp32)', str(dtype), ''),
               ('fast path: batch chunk',
                fast.fast_inference.chunk_size(torch.device('cpu')), '')]
    backends: Dict[str, Callable[[dict], object]] = {}
    ort = None
    tmpdir = tempfile.TemporaryDirectory()
    if with_onnx:
        from mmjotr.deployment import OnnxRuntimeJOTR, export_onnx
        onnx_file = export_onnx(model, osp.join(tmpdir.name, 'jotr.onnx'))
        ort = OnnxRuntimeJOTR(
            onnx_file, model.data_preprocessor, num_threads=onnx_threads)
    from mmjotr.structures import MeshTargets

    def ort_forward(data):
        keypoints, mask = MeshTargets.input_pose(data['data_samples'],
                                                 torch.device('cpu'))
        return ort.forward_tensors(data['inputs'], keypoints, mask)

    per_person: Dict[str, Dict[int, float]] = {}
    batches = {}
    for batch in batch_sizes:
        data = model.data_preprocessor(synthetic_batch(batch, seed=batch))
        batches[batch] = data
        backends = dict(
            fp32=_tensor_path(model, data), fast=_tensor_path(fast, data))
        if ort is not None:
            backends['onnxruntime'] = (lambda d=data: ort_forward(d))
        times = interleaved_times(backends, repeats)
        for name, values in times.items():
            median = statistics.median(values) / batch
            per_person.setdefault(name, {})[batch] = median
            figures.append(
                (f'inference per person, batch {batch}: {name}', median, 's'))
        for name in backends:
            if name != 'fp32':
                figures.append(
                    (f'speed-up {name} vs fp32, batch {batch}, same rounds',
                     median_ratio(times['fp32'], times[name]), 'x'))
    if 4 in batch_sizes and 16 in batch_sizes:
        for name, values in per_person.items():
            figures.append(
                (f'per person batch 16 / batch 4: {name} (<= 1: batching '
                 'never hurts)', values[16] / values[4], 'x'))
        for label, net in (('fp32', model), ('fast', fast)):
            per_block = per_block_times(net, {
                4: batches[4],
                16: batches[16]
            }, repeats)
            for block, time4 in per_block[4].items():
                figures.append(
                    (f'{label}: per-person time batch 16 / batch 4, {block}',
                     per_block[16][block] / time4, 'x'))
    data = batches[max(batch_sizes)]

    def fast_outputs(d):
        out = _tensor_path(fast, d)()
        return dict(vertices=out.vertices, joints_3d=out.joints_3d)

    others = dict(fast=fast_outputs)
    if ort is not None:
        others['onnxruntime'] = ort_forward
    for name, other in others.items():
        for key, value in vertex_differences_mm(model, other, data).items():
            figures.append(
                (f'accuracy {name} vs fp32, batch {max(batch_sizes)}: '
                 f'{key} difference', value, 'mm'))
    tmpdir.cleanup()
    return figures


def benchmark_amp_train_step(model: nn.Module, batch_size: int,
                             repeats: int) -> List[Figure]:
    """Training step fp32 vs bf16 autocast (``CPUAmpOptimWrapper``).

    Both wrappers share one AdamW optimiser and run in turn every round.
    """
    from mmjotr.engine import CPUAmpOptimWrapper
    model.train()
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=1e-5)
    wrappers = dict(
        fp32=OptimWrapper(optimizer),
        bf16=CPUAmpOptimWrapper(optimizer=optimizer))
    data = synthetic_batch(batch_size)
    times = interleaved_times(
        {
            name: (lambda w=wrapper: model.train_step(data, w))
            for name, wrapper in wrappers.items()
        }, repeats)
    label = f'train step, batch {batch_size}'
    return [
        (f'{label}: fp32', statistics.median(times['fp32']), 's'),
        (f'{label}: bf16 autocast (--amp on CPU)',
         statistics.median(times['bf16']), 's'),
        (f'{label}: speed-up bf16 vs fp32, same rounds',
         median_ratio(times['fp32'], times['bf16']), 'x'),
    ]
