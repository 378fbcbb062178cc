# Copyright (c) mmjotr contributors. All rights reserved.
from .checkpoint_compat import (CheckpointCompatHook, LegacyCheckpointError,
                                enable_safe_checkpoint_resume,
                                upgrade_legacy_checkpoint)
from .distributed_shutdown import shutdown_distributed
from .run_config import (build_test_cfg, build_train_cfg, set_body_model_dir,
                         setup_cpu_distributed)
from .setup_env import register_all_modules
from .version_check import (DEPENDENCY_RANGES, VersionRange,
                            check_dependency_versions, installed_version)

__all__ = [
    'CheckpointCompatHook', 'LegacyCheckpointError',
    'enable_safe_checkpoint_resume', 'upgrade_legacy_checkpoint',
    'register_all_modules', 'build_train_cfg', 'build_test_cfg',
    'set_body_model_dir', 'setup_cpu_distributed', 'shutdown_distributed',
    'DEPENDENCY_RANGES', 'VersionRange', 'check_dependency_versions',
    'installed_version'
]
