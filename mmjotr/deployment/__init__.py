# Copyright (c) mmjotr contributors. All rights reserved.
from .onnx_export import (INPUT_NAMES, OUTPUT_NAMES, JOTRTensorModel,
                          export_onnx, max_abs_differences, random_inputs)
from .ort_model import OnnxRuntimeJOTR, default_providers

__all__ = [
    'INPUT_NAMES', 'OUTPUT_NAMES', 'JOTRTensorModel', 'export_onnx',
    'max_abs_differences', 'random_inputs', 'OnnxRuntimeJOTR',
    'default_providers'
]
