# Copyright (c) mmjotr contributors. All rights reserved.
"""mmjotr: occlusion-robust 3D human mesh recovery (JOTR) on OpenMMLab 2.0.

Importing the package checks that the OpenMMLab libraries it builds on are
installed in compatible versions, and fails with a message naming the version
found and the range needed (run ``bash tools/install.sh`` to fix). It also
lets mmengine 0.10.7 resume mmjotr checkpoints under torch >= 2.6 without
unsafe unpickling (``mmjotr/utils/checkpoint_compat.py``).
"""
from .utils.checkpoint_compat import enable_safe_checkpoint_resume
from .utils.version_check import check_dependency_versions
from .version import __version__, version_info

check_dependency_versions()
enable_safe_checkpoint_resume()

__all__ = ['__version__', 'version_info', 'check_dependency_versions']
