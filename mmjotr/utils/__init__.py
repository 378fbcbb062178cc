# Copyright (c) mmjotr contributors. All rights reserved.
from .setup_env import register_all_modules
from .version_check import (DEPENDENCY_RANGES, VersionRange,
                            check_dependency_versions, installed_version)

__all__ = [
    'register_all_modules', 'DEPENDENCY_RANGES', 'VersionRange',
    'check_dependency_versions', 'installed_version'
]
