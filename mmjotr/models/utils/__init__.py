# Copyright (c) mmjotr contributors. All rights reserved.
from .gather import gather_with_grad
from .official_checkpoint import (convert_official_checkpoint,
                                  convert_official_state_dict,
                                  official_state_dict)
from .profiling import block_timer, measure_peak_memory, median_time
from .synthetic import synthetic_batch
from .typing import ConfigType, MultiConfig, OptConfigType, OptMultiConfig

__all__ = [
    'gather_with_grad', 'convert_official_checkpoint',
    'convert_official_state_dict', 'official_state_dict', 'block_timer',
    'measure_peak_memory', 'median_time', 'synthetic_batch', 'ConfigType',
    'MultiConfig', 'OptConfigType', 'OptMultiConfig'
]
