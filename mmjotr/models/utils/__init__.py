# Copyright (c) mmjotr contributors. All rights reserved.
from .gather import gather_with_grad
from .official_checkpoint import (convert_official_checkpoint,
                                  convert_official_state_dict,
                                  official_state_dict)
from .typing import ConfigType, MultiConfig, OptConfigType, OptMultiConfig

__all__ = [
    'gather_with_grad', 'convert_official_checkpoint',
    'convert_official_state_dict', 'official_state_dict', 'ConfigType',
    'MultiConfig', 'OptConfigType', 'OptMultiConfig'
]
