# Copyright (c) mmjotr contributors. All rights reserved.
"""Type aliases of config arguments (as in mmpose/mmdet)."""
from typing import List, Optional, Union

from mmengine.config import ConfigDict

ConfigType = Union[ConfigDict, dict]
OptConfigType = Optional[ConfigType]
MultiConfig = Union[ConfigType, List[ConfigType]]
OptMultiConfig = Optional[MultiConfig]
