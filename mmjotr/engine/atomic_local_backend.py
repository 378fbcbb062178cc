# Copyright (c) mmjotr contributors. All rights reserved.
"""A local file backend whose writes are atomic, for checkpoints.

mmengine's ``CheckpointHook`` saves through ``Runner.save_checkpoint`` →
``mmengine.runner.save_checkpoint`` → ``file_backend.put(bytes, path)``, and
the stock ``LocalBackend.put`` opens the final path and writes into it: a
run killed while saving, or a full disk, leaves a truncated ``iter_N.pth``
under a normal name. mmengine picks the backend from ``backend_args``
(``dict(backend='mmjotr_atomic_local')`` in the checkpoint hook's config,
set in ``configs/_base_/default_runtime.py``), so every checkpoint the hook
writes — periodic, best and last — goes through :func:`atomic_write_bytes`
instead, without patching mmengine.
"""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

from mmjotr.utils.checkpoint_io import atomic_write_bytes

__all__ = ['AtomicLocalBackend']


@register_backend('mmjotr_atomic_local', force=True)
class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose :meth:`put` and :meth:`put_text` replace the
    target atomically (temporary file in the same directory, fsync,
    rename); errors name the path."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write_bytes(obj, str(filepath))

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        atomic_write_bytes(obj.encode(encoding), str(filepath))
