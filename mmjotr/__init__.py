# Copyright (c) mmjotr contributors. All rights reserved.
"""mmjotr: occlusion-robust 3D human mesh recovery (JOTR) on OpenMMLab 2.0.

Importing the package checks that the OpenMMLab libraries it builds on are
installed in compatible versions, and fails with a message naming the version
found and the range needed (run ``bash tools/install.sh`` to fix). It
patches nothing: the checkpoint fix for mmengine 0.10.7 under torch >= 2.6
is installed where checkpoints are loaded
(``mmjotr/utils/checkpoint_compat.py``).
"""
from .utils.version_check import check_dependency_versions
from .version import __version__, version_info

check_dependency_versions()

__all__ = ['__version__', 'version_info', 'check_dependency_versions']
