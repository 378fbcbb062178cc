# Copyright (c) mmjotr contributors. All rights reserved.
"""Let mmengine 0.10.7 resume its own checkpoints under torch >= 2.6.

torch 2.6 made ``torch.load(weights_only=True)`` the default, and mmengine
0.10.7 calls ``torch.load`` without the argument. A training checkpoint then
fails to load (``--resume``, ``load_from``): its message hub holds
``HistoryBuffer`` objects whose ``__getstate__`` stores bound statistic
functions, pickled as ``getattr(HistoryBuffer, 'min')``, and numpy arrays
(upstream: open-mmlab/mmengine#1655, unfixed in 0.10.7).

Rather than loading with ``weights_only=False`` (which runs arbitrary code
from a file), mmjotr

- pickles ``HistoryBuffer`` as ``HistoryBuffer(log, counts, max_length)``:
  arrays and an int, no functions (the statistic methods live on the class
  and are registered again by its constructor), and
- allowlists ``HistoryBuffer`` and the numpy array/scalar reconstructors
  for ``weights_only`` loading. ``getattr`` stays forbidden, so a file that
  calls arbitrary functions is still refused.

Checkpoints written by mmjotr runs load with ``weights_only=True``;
checkpoints written by other mmengine programs still need their own
handling and fail with torch's message naming the unsafe global.

Nothing is installed at import: :class:`CheckpointCompatHook` (in the
``default_hooks`` of ``configs/_base_/default_runtime.py``) installs it in
``before_run``, which the Runner calls before it loads or resumes a
checkpoint and before the first save; ``mmjotr.apis.init_model`` installs
it before loading.
"""
import copyreg

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging.history_buffer import HistoryBuffer

from mmjotr.registry import HOOKS


def _reduce_history_buffer(buffer: HistoryBuffer):
    return HistoryBuffer, (buffer._log_history, buffer._count_history,
                           buffer.max_length)


def _numpy_globals() -> list:
    """numpy's array and scalar reconstructors and dtype classes."""
    if int(np.__version__.split('.')[0]) >= 2:
        from numpy._core import multiarray
    else:
        from numpy.core import multiarray
    dtype_types = {
        type(np.dtype(code))
        for code in ('b1', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8',
                     'f2', 'f4', 'f8', 'c8', 'c16')
    }
    return [
        multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype,
        *sorted(dtype_types, key=str)
    ]


def enable_safe_checkpoint_resume() -> None:
    """Install the pickling rule and the allowlist (idempotent)."""
    copyreg.pickle(HistoryBuffer, _reduce_history_buffer)
    torch.serialization.add_safe_globals([HistoryBuffer, *_numpy_globals()])


@HOOKS.register_module()
class CheckpointCompatHook(Hook):
    """Install :func:`enable_safe_checkpoint_resume` when a run starts.

    mmengine's Runner calls ``before_run`` in ``train``, ``val`` and
    ``test`` before ``load_or_resume``, so checkpoints saved and resumed by
    the run pickle and load safely.
    """
    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        enable_safe_checkpoint_resume()
