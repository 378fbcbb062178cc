# Copyright (c) mmjotr contributors. All rights reserved.
"""ONNX Runtime back end of an exported JOTR (see :mod:`.onnx_export`)."""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmpose.structures import PoseDataSample
from torch import Tensor

from mmjotr.registry import MODELS
from mmjotr.structures import MeshTargets, pack_mesh_predictions
from .onnx_export import INPUT_NAMES, OUTPUT_NAMES


def default_providers(available: Sequence[str]) -> List[str]:
    """The execution providers to use by default, best first.

    Args:
        available (Sequence[str]): ``onnxruntime.get_available_providers()``.

    Returns:
        list[str]: ``CUDAExecutionProvider`` when available, then
        ``CPUExecutionProvider`` (always: nodes a GPU provider cannot run
        fall back to it).
    """
    preferred = [p for p in ('CUDAExecutionProvider', ) if p in available]
    return preferred + ['CPUExecutionProvider']


class OnnxRuntimeJOTR:
    """Run an exported JOTR with ONNX Runtime, PyTorch-model interfaces.

    ``forward_tensors`` is the tensor path (same inputs and outputs as
    :class:`JOTRTensorModel`); ``test_step`` / ``predict`` take the same
    data as ``JOTR.test_step`` / ``JOTR.predict`` and fill the same
    ``pred_instances`` (docs/interfaces.md "Predictions"), so an
    inferencer can use either back end.

    Note:
        - B: batch, K: 30 input joints, V: vertices

    Args:
        onnx_file (str): the exported model.
        data_preprocessor (dict | nn.Module, optional): the model config's
            data preprocessor. Defaults to ``MeshDataPreprocessor``.
        num_threads (int, optional): ONNX Runtime intra-op threads; None
            lets ONNX Runtime decide.
        providers (Sequence[str], optional): execution providers. Defaults
            to :func:`default_providers`: CUDA first where this ONNX Runtime
            build has it, then the CPU.
    """

    def __init__(self,
                 onnx_file: str,
                 data_preprocessor: Union[dict, torch.nn.Module, None] = None,
                 num_threads: Optional[int] = None,
                 providers: Optional[Sequence[str]] = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise ImportError(
                'OnnxRuntimeJOTR needs onnxruntime: pip install '
                'onnxruntime (requirements/optional.txt)') from err
        options = ort.SessionOptions()
        if num_threads is not None:
            options.intra_op_num_threads = num_threads
        self.session = ort.InferenceSession(
            onnx_file,
            options,
            providers=list(
                providers or default_providers(ort.get_available_providers())))
        names = tuple(i.name for i in self.session.get_inputs())
        outputs = tuple(o.name for o in self.session.get_outputs())
        if names != INPUT_NAMES or outputs != OUTPUT_NAMES:
            raise ValueError(
                f'{onnx_file}: expected inputs {INPUT_NAMES} and outputs '
                f'{OUTPUT_NAMES} (tools/deployment/pytorch2onnx.py), got '
                f'{names} and {outputs}')
        if data_preprocessor is None:
            data_preprocessor = dict(type='MeshDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        self.data_preprocessor = data_preprocessor

    @classmethod
    def from_config(cls, onnx_file: str, config: Union[str, Config],
                    **kwargs) -> 'OnnxRuntimeJOTR':
        """Build with the data preprocessor of a model config."""
        if isinstance(config, str):
            config = Config.fromfile(config)
        return cls(
            onnx_file,
            data_preprocessor=config.model.get('data_preprocessor'),
            **kwargs)

    def forward_tensors(self, inputs: Tensor, keypoints: Tensor,
                        keypoint_mask: Tensor) -> Dict[str, Tensor]:
        """The tensor path.

        Args:
            inputs (Tensor[B, 3, H, W]): preprocessed crops.
            keypoints (Tensor[B, K, 2]): 2D pose input, heatmap pixels.
            keypoint_mask (Tensor[B, K]): 1 where present.

        Returns:
            dict[str, Tensor]: the ``OUTPUT_NAMES`` outputs (float32 CPU
            tensors), as the ``FusionHeadOutput`` fields of those names.
        """
        feeds = {
            name: np.ascontiguousarray(value.detach().cpu().float().numpy())
            for name, value in zip(INPUT_NAMES, (inputs, keypoints,
                                                 keypoint_mask))
        }
        results = self.session.run(list(OUTPUT_NAMES), feeds)
        return {
            name: torch.from_numpy(value)
            for name, value in zip(OUTPUT_NAMES, results)
        }

    __call__ = forward_tensors

    def predict(self, inputs: Tensor,
                data_samples: List[PoseDataSample]) -> List[PoseDataSample]:
        """Predict and fill ``pred_instances`` as ``JOTR.predict`` does."""
        if len(data_samples) != inputs.shape[0]:
            raise ValueError('OnnxRuntimeJOTR needs one data sample per '
                             'input crop (the 2D pose input is read from '
                             'gt_instances.keypoints_input)')
        keypoints, mask = MeshTargets.input_pose(data_samples,
                                                 torch.device('cpu'))
        out = self.forward_tensors(inputs, keypoints, mask)
        return pack_mesh_predictions(data_samples, out['smpl_pose'],
                                     out['smpl_betas'], out['cam_t'],
                                     out['vertices'], out['joints_3d'],
                                     out['joints_crop'])

    def test_step(self, data: dict) -> List[PoseDataSample]:
        """Preprocess a collated batch and predict (as ``JOTR.test_step``)."""
        data = self.data_preprocessor(data, False)
        return self.predict(data['inputs'], data['data_samples'])
