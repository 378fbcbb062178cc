# Copyright (c) mmjotr contributors. All rights reserved.
"""Let mmengine 0.10.7 resume its own checkpoints under torch >= 2.6,
with no numpy in torch's allow-list.

torch 2.6 made ``torch.load(weights_only=True)`` the default, and mmengine
0.10.7 calls ``torch.load`` without the argument. A training checkpoint then
fails to load (``--resume``, ``load_from``): its message hub holds
``HistoryBuffer`` objects whose ``__getstate__`` stores bound statistic
functions, pickled as ``getattr(HistoryBuffer, 'min')``, and numpy arrays
(upstream: open-mmlab/mmengine#1655, unfixed in 0.10.7).

Allowing numpy's reconstructors in torch's allow-list is not safe:
``numpy.dtype``'s ``__setstate__`` can declare an object field that numpy
does not flag, and ``_reconstruct`` then fills it from raw bytes, i.e.
with pointers chosen by the file (a crash or a forged object). Rather than
that, or loading with ``weights_only=False`` (which runs arbitrary code
from a file), mmjotr writes checkpoints that hold no numpy at all:

- ``HistoryBuffer`` is pickled as ``HistoryBuffer(log, counts,
  max_length)`` with the histories as Python lists (float64 and int64
  round-trip exactly); its constructor makes them numpy arrays again, and
  the statistic methods live on the class;
- :meth:`CheckpointCompatHook.before_save_checkpoint` turns the numpy
  scalars and arrays elsewhere in a checkpoint (``meta``, the message
  hub's ``runtime_info``, e.g. the ETA) into Python numbers and lists;
- :func:`enable_safe_checkpoint_resume` adds ``HistoryBuffer`` and nothing
  else to torch's allow-list. ``getattr`` and numpy stay forbidden.

Checkpoints written before this (numpy arrays in their message hub) are
refused by torch naming a numpy global;
:func:`~mmjotr.utils.checkpoint_io.load_model_checkpoint` turns that into
:class:`LegacyCheckpointError` naming the file and the converter,
:func:`upgrade_legacy_checkpoint` (``tools/misc/upgrade_checkpoint.py``):
the one explicitly named legacy path, for files the user trusts, which
reads them with the former numpy allow-list (no code runs, the dtype
gadget above is possible) and writes them numpy-free.
Checkpoints written by other mmengine programs still need their own
handling and fail with torch's message naming the unsafe global.

Nothing is installed at import: :class:`CheckpointCompatHook` (in the
``default_hooks`` of ``configs/_base_/default_runtime.py``) installs it in
``before_run``, which the Runner calls before it loads or resumes a
checkpoint and before the first save; ``mmjotr.apis.init_model`` installs
it before loading.
"""
import copyreg
import io
import pickle
from typing import Any

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging.history_buffer import HistoryBuffer

from mmjotr.registry import HOOKS

__all__ = [
    'CheckpointCompatHook', 'LegacyCheckpointError',
    'enable_safe_checkpoint_resume', 'numpy_free', 'upgrade_legacy_checkpoint'
]


class LegacyCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds numpy objects (written by mmjotr before numpy was
    taken out of its checkpoints)."""


def _reduce_history_buffer(buffer: HistoryBuffer):
    return HistoryBuffer, (buffer._log_history.tolist(),
                           buffer._count_history.tolist(), buffer.max_length)


def enable_safe_checkpoint_resume() -> None:
    """Install the pickling rule and the allowlist (idempotent)."""
    copyreg.pickle(HistoryBuffer, _reduce_history_buffer)
    torch.serialization.add_safe_globals([HistoryBuffer])


def numpy_free(value: Any) -> Any:
    """``value`` with numpy scalars as Python numbers and numpy arrays as
    (nested) lists, inside dicts, lists and tuples; other values as they
    are. Containers are copied only where something changed."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        items = {k: numpy_free(v) for k, v in value.items()}
        if all(items[k] is value[k] for k in value):
            return value
        return items if type(value) is dict else type(value)(items)
    if type(value) in (list, tuple):
        items = [numpy_free(v) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return type(value)(items)
    return value


def _legacy_numpy_globals() -> list:
    """The numpy names mmjotr's checkpoints held before: only for
    :func:`upgrade_legacy_checkpoint`."""
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


def upgrade_legacy_checkpoint(src: str, dst: str) -> dict:
    """Rewrite a checkpoint that holds numpy objects without them.

    Only for a file you trust: it is read with torch's ``weights_only``
    loading plus the numpy names mmjotr allowed before (no code from the
    file runs, but a crafted numpy dtype can still forge memory).

    Args:
        src (str): the old checkpoint.
        dst (str): where the numpy-free checkpoint goes (atomically).

    Returns:
        dict: the converted checkpoint.
    """
    from .checkpoint_io import atomic_write_bytes
    enable_safe_checkpoint_resume()
    with torch.serialization.safe_globals(_legacy_numpy_globals()):
        checkpoint = torch.load(src, map_location='cpu', weights_only=True)
    if not isinstance(checkpoint, dict):
        raise ValueError(f'{src}: not a checkpoint (a '
                         f'{type(checkpoint).__name__}, not a dict)')
    checkpoint = {
        k: v if k == 'state_dict' else numpy_free(v)
        for k, v in checkpoint.items()
    }
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    atomic_write_bytes(buffer.getvalue(), dst)
    return checkpoint


@HOOKS.register_module()
class CheckpointCompatHook(Hook):
    """Install :func:`enable_safe_checkpoint_resume` when a run starts.

    mmengine's Runner calls ``before_run`` in ``train``, ``val`` and
    ``test`` before ``load_or_resume``, so checkpoints saved and resumed by
    the run pickle and load safely. Before a save it makes ``meta`` and the
    message hub's state numpy-free (:func:`numpy_free`); it has the highest
    priority, so values that later hooks add there must be numpy-free
    already (``RandomStateHook`` stores tensors and Python values).
    """
    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        enable_safe_checkpoint_resume()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Replace numpy values outside the weights by Python ones."""
        for key in ('meta', 'message_hub'):
            if key in checkpoint:
                checkpoint[key] = numpy_free(checkpoint[key])
