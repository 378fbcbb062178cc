# Copyright (c) mmjotr contributors. All rights reserved.
"""The benchmarks in tools/analysis/ are scripts importing their shared
timer (``profiling.py``) from their own folder, as ``python
tools/analysis/X.py`` does; the tests import them the same way."""
import os.path as osp
import sys

ANALYSIS_DIR = osp.abspath(
    osp.join(osp.dirname(__file__), '..', '..', '..', 'tools', 'analysis'))
if ANALYSIS_DIR not in sys.path:
    sys.path.insert(0, ANALYSIS_DIR)
