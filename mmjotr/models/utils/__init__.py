# Copyright (c) mmjotr contributors. All rights reserved.
from .fast_inference import FastInference, cat_batches, cpu_has_native_bf16
from .fp32_modules import fp32_module_names, keep_in_fp32, to_fp32
from .gather import gather_with_grad
from .official_checkpoint import (convert_official_checkpoint,
                                  convert_official_state_dict,
                                  official_state_dict)
from .typing import ConfigType, MultiConfig, OptConfigType, OptMultiConfig

__all__ = [
    'FastInference', 'cat_batches', 'cpu_has_native_bf16', 'keep_in_fp32',
    'fp32_module_names', 'to_fp32', 'gather_with_grad',
    'convert_official_checkpoint', 'convert_official_state_dict',
    'official_state_dict', 'ConfigType', 'MultiConfig', 'OptConfigType',
    'OptMultiConfig'
]
