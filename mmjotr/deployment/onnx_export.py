# Copyright (c) mmjotr contributors. All rights reserved.
"""Export JOTR's tensor path to ONNX (tools/deployment/pytorch2onnx.py)."""
import os
import os.path as osp
from typing import Callable, Dict, Tuple

import torch
from mmengine.logging import print_log
from torch import Tensor, nn

#: Graph inputs: preprocessed crops, 2D pose input (heatmap pixels), mask.
INPUT_NAMES = ('inputs', 'keypoints', 'keypoint_mask')
#: Graph outputs: the ``FusionHeadOutput`` fields of the same names.
OUTPUT_NAMES = ('smpl_pose', 'smpl_betas', 'cam_param', 'cam_t', 'vertices',
                'joints_3d', 'joints_crop', 'joints_voxel')


class JOTRTensorModel(nn.Module):
    """JOTR's tensor path with plain tensor inputs and outputs.

    What ``JOTR.forward(mode='tensor')`` computes, with the 2D pose input
    passed as tensors instead of data samples, so that it traces.

    Note:
        - B: batch, K: 30 input joints, V: vertices, J: 15 decoder joints

    Args:
        model (nn.Module): a JOTR model (eval mode, fp32).
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: Tensor, keypoints: Tensor,
                keypoint_mask: Tensor) -> Tuple[Tensor, ...]:
        """Run backbone, neck and head.

        Args:
            inputs (Tensor[B, 3, 256, 256]): crops after the data
                preprocessor (RGB, pixel / 255).
            keypoints (Tensor[B, K, 2]): 2D pose input, heatmap pixels.
            keypoint_mask (Tensor[B, K]): 1 where a joint is present.

        Returns:
            tuple: ``smpl_pose`` (B, 72), ``smpl_betas`` (B, 10),
            ``cam_param`` (B, 3), ``cam_t`` (B, 3), ``vertices`` (B, V, 3)
            and ``joints_3d`` (B, 30, 3) in the body frame (m),
            ``joints_crop`` (B, 30, 2) crop pixels, ``joints_voxel``
            (B, J, 3) heatmap space (see ``FusionHeadOutput``).
        """
        feat = self.model.backbone(inputs, keypoints, keypoint_mask)
        out = self.model.head(feat, self.model.neck(feat))
        return tuple(getattr(out, name) for name in OUTPUT_NAMES)


def random_inputs(
    model: nn.Module,
    batch_size: int,
    seed: int = 0,
    input_size: Tuple[int, int] = (256, 256)
) -> Tuple[Tensor, Tensor, Tensor]:
    """Random graph inputs for ``model``: crops in [0, 1], keypoints inside
    the heatmap, about 10 % of the joints masked out."""
    gen = torch.Generator().manual_seed(seed)
    num_joints = model.backbone.num_joints
    size = model.backbone.heatmap_size
    mask = (torch.rand(batch_size, num_joints, generator=gen) > 0.1).float()
    args = (torch.rand(batch_size, 3, *input_size, generator=gen),
            torch.rand(batch_size, num_joints, 2, generator=gen) * (size - 1),
            mask)
    device = next(model.parameters()).device
    return tuple(a.to(device) for a in args)


def max_abs_differences(model: nn.Module,
                        forward_tensors: Callable[..., Dict[str, Tensor]],
                        batch_size: int = 3,
                        seed: int = 1) -> Dict[str, float]:
    """Largest |back end - PyTorch fp32| of every output on random inputs.

    Args:
        model (nn.Module): the fp32 JOTR model.
        forward_tensors (callable): a back end's tensor path, e.g.
            ``OnnxRuntimeJOTR.forward_tensors``.
        batch_size (int): B. Defaults to 3.
        seed (int): input seed. Defaults to 1.

    Returns:
        dict[str, float]: output name -> max absolute difference.
    """
    args = random_inputs(model, batch_size, seed)
    with torch.no_grad():
        ref = JOTRTensorModel(model).eval()(*args)
    out = forward_tensors(*args)
    return {
        name: float((out[name].to(value) - value).abs().max())
        for name, value in zip(OUTPUT_NAMES, ref)
    }


def export_onnx(model: nn.Module,
                output_file: str,
                batch_size: int = 2,
                opset_version: int = 17,
                input_size: Tuple[int, int] = (256, 256)) -> str:
    """Export a JOTR model's tensor path to ONNX with a dynamic batch.

    The TorchScript-based exporter is used (no extra dependency); the
    decoder's 5-D ``grid_sample`` exports as gathers (see
    ``mmjotr.models.layers.trilinear_sample_gather``).

    Args:
        model (nn.Module): a JOTR model with loaded fp32 weights (not on the
            fast path: BN folding is left to ONNX Runtime).
        output_file (str): the ``.onnx`` file to write.
        batch_size (int): batch of the tracing inputs. Defaults to 2.
        opset_version (int): ONNX opset. Defaults to 17.
        input_size (tuple[int]): crop (H, W). Defaults to (256, 256).

    Returns:
        str: ``output_file``.
    """
    if getattr(model, '_conv_bn_fused', False):
        raise ValueError('export_onnx: the model has BN folded (fast path); '
                         'export the fp32 model (init_model(..., '
                         'fast_inference=False))')
    wrapper = JOTRTensorModel(model).eval()
    args = random_inputs(model, batch_size, 0, input_size)
    dynamic_axes = {name: {0: 'batch'} for name in INPUT_NAMES + OUTPUT_NAMES}
    dirname = osp.dirname(osp.abspath(output_file))
    os.makedirs(dirname, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            wrapper,
            args,
            output_file,
            input_names=list(INPUT_NAMES),
            output_names=list(OUTPUT_NAMES),
            dynamic_axes=dynamic_axes,
            opset_version=opset_version,
            do_constant_folding=True,
            dynamo=False)
    print_log(f'exported {output_file}', logger='current')
    return output_file
