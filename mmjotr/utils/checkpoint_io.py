# Copyright (c) mmjotr contributors. All rights reserved.
"""Checkpoint files written atomically and loaded with their keys checked.

- :func:`atomic_write_bytes` writes a file under a temporary name in the
  same directory, fsyncs it and renames it over the final name, so a run
  killed while saving (or a full disk) never leaves a truncated file under
  a checkpoint's name; errors name the path.
- :func:`read_last_checkpoint` reads a work dir's ``last_checkpoint``
  pointer; an empty or dangling pointer means "no checkpoint", with a
  warning.
- :func:`check_state_dict` compares a checkpoint's weights with a model's
  and raises :class:`CheckpointMismatchError` listing the first missing,
  unexpected and mis-shaped keys with their shapes, naming the checkpoint
  and the config; :func:`load_model_checkpoint` loads through it
  (torch's ``weights_only`` loading, with only mmengine's
  ``HistoryBuffer`` added to the allow-list; a file holding numpy objects
  gets :class:`~mmjotr.utils.checkpoint_compat.LegacyCheckpointError`
  naming it and the converter).
"""
import errno
import logging
import os
import os.path as osp
import pickle
import re
from collections import OrderedDict
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import CheckpointLoader
from torch import Tensor, nn

from .checkpoint_compat import (LegacyCheckpointError,
                                enable_safe_checkpoint_resume)

__all__ = [
    'CheckpointMismatchError', 'atomic_write_bytes', 'read_last_checkpoint',
    'check_state_dict', 'load_model_checkpoint', 'checkpoint_state_dict'
]

#: Keys listed per category in a mismatch message.
MAX_LISTED_KEYS = 10
#: mmengine's default rewrite of DDP-saved keys.
DEFAULT_REVISE_KEYS = ((r'^module\.', ''), )


class CheckpointMismatchError(RuntimeError):
    """A checkpoint's weights do not fit the model built from a config."""


def atomic_write_bytes(data: bytes, path: str) -> None:
    """Write ``data`` to ``path`` so that ``path`` is complete or absent.

    The bytes go to ``.<name>.part`` in the same directory (same file
    system, so the rename is atomic), are flushed and fsynced, and the file
    is renamed over ``path``; the directory is fsynced so the rename
    survives a crash. On failure the temporary file is removed and the
    error names ``path``.

    Args:
        data (bytes): the file content.
        path (str): the final path; its directory is created if needed.

    Raises:
        OSError: naming ``path`` (e.g. no space left on the device).
    """
    folder = osp.dirname(osp.abspath(path))
    tmp = osp.join(folder, f'.{osp.basename(path)}.part')
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        if osp.exists(tmp):
            os.remove(tmp)
        raise type(err)(err.errno, f'could not write {path}: '
                        f'{err.strerror or err}') from err
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # directories cannot be opened on some systems
    try:
        os.fsync(fd)
    except OSError as err:
        # some file systems (FUSE, object-store and CIFS mounts) refuse
        # fsync on a directory: the file itself is complete and renamed
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF,
                             errno.EACCES, errno.EPERM):
            raise type(err)(err.errno, f'could not sync the directory of '
                            f'{path}: {err.strerror or err}') from err
    finally:
        os.close(fd)


def read_last_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint that ``work_dir/last_checkpoint`` points to.

    Args:
        work_dir (str): a training work directory.

    Returns:
        str | None: the path, or None when there is no pointer file, or
        (with a warning) when it is empty or names a missing file.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        path = f.read().strip()
    if not path:
        print_log(
            f'{pointer} is empty (a run was probably killed while writing '
            'it): starting without a checkpoint; pass --resume PATH to '
            'resume from a given one', 'current', logging.WARNING)
        return None
    if not osp.isfile(path):
        print_log(
            f'{pointer} names {path}, which does not exist: starting '
            'without a checkpoint; pass --resume PATH to resume from a '
            'given one', 'current', logging.WARNING)
        return None
    return path


def checkpoint_state_dict(
    checkpoint: Mapping,
    revise_keys: Sequence[Tuple[str, str]] = DEFAULT_REVISE_KEYS
) -> Dict[str, Tensor]:
    """The weights of a loaded checkpoint with mmengine's key rewrites."""
    state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, Mapping):
        raise CheckpointMismatchError(
            f'the checkpoint\'s "state_dict" is a {type(state).__name__}, '
            'not a mapping of tensors')
    out = OrderedDict()
    metadata = getattr(state, '_metadata', None)
    if metadata is not None:
        out._metadata = metadata  # module versions, as torch keeps them
    for key, value in state.items():
        for pattern, replacement in revise_keys:
            key = re.sub(pattern, replacement, str(key))
        out[key] = value
    return out


def _shape(value) -> str:
    shape = getattr(value, 'shape', None)
    return 'no tensor' if shape is None else str(tuple(shape))


def _listed(title: str, lines: List[str]) -> List[str]:
    if not lines:
        return []
    more = len(lines) - MAX_LISTED_KEYS
    out = [f'  {title} ({len(lines)}):']
    out += [f'    {line}' for line in lines[:MAX_LISTED_KEYS]]
    if more > 0:
        out.append(f'    ... and {more} more')
    return out


def check_state_dict(model: nn.Module,
                     state_dict: Mapping[str, Tensor],
                     checkpoint_name: str,
                     config_name: Optional[str] = None,
                     strict: bool = True,
                     logger: str = 'current') -> List[str]:
    """Compare a checkpoint's weights with ``model``'s, key by key.

    Missing keys (in the model, not the checkpoint; BatchNorm's
    ``num_batches_tracked`` excepted), unexpected keys (in the checkpoint
    only) and keys whose shapes differ are listed, the first
    :data:`MAX_LISTED_KEYS` of each with their shapes.

    Args:
        model (nn.Module): the model (a wrapper's ``module`` is used).
        state_dict (Mapping[str, Tensor]): the checkpoint's weights, keys
            already revised (:func:`checkpoint_state_dict`).
        checkpoint_name (str): named in the message.
        config_name (str, optional): the model's config, named too.
        strict (bool): raise on any difference; otherwise log it as a
            warning (to the run's log through ``logger``).
        logger (str): mmengine logger name for the message.

    Returns:
        list[str]: the message lines, empty when everything matches.

    Raises:
        CheckpointMismatchError: with ``strict`` and any difference.
    """
    if is_model_wrapper(model):
        model = model.module
    own = model.state_dict()
    missing = [
        f'{k} {_shape(v)}' for k, v in own.items()
        if k not in state_dict and not k.endswith('num_batches_tracked')
    ]
    unexpected = [
        f'{k} {_shape(v)}' for k, v in state_dict.items() if k not in own
    ]
    mismatched = [
        f'{k}: checkpoint {_shape(v)}, model {_shape(own[k])}'
        for k, v in state_dict.items()
        if k in own and _shape(v) != _shape(own[k])
    ]
    if not (missing or unexpected or mismatched):
        return []
    config = f' built from {config_name}' if config_name else ''
    lines = [
        f'checkpoint {checkpoint_name} does not match the model{config} '
        f'({len(own)} tensors in the model, {len(state_dict)} in the '
        'checkpoint):'
    ]
    lines += _listed('shape mismatch', mismatched)
    lines += _listed('missing in the checkpoint', missing)
    lines += _listed('unexpected in the checkpoint', unexpected)
    if strict:
        lines.append('  Is it the checkpoint of this config? To load the '
                     'matching part anyway, ask for partial loading '
                     'explicitly (tools/test.py --load-partial, '
                     'init_model(..., strict=False)).')
        message = '\n'.join(lines)
        print_log(message, logger, logging.ERROR)
        raise CheckpointMismatchError(message)
    lines.append('  Loading the matching tensors only (partial loading was '
                 'asked for).')
    print_log('\n'.join(lines), logger, logging.WARNING)
    return lines


def load_model_checkpoint(model: nn.Module,
                          filename: str,
                          strict: bool = True,
                          config_name: Optional[str] = None,
                          map_location: str = 'cpu',
                          logger: str = 'current') -> dict:
    """Load a checkpoint into ``model`` after :func:`check_state_dict`.

    Args:
        model (nn.Module): the model.
        filename (str): the checkpoint (read with torch's
            ``weights_only`` loading through mmengine).
        strict (bool): refuse any missing, unexpected or mis-shaped key.
        config_name (str, optional): named in a mismatch message.
        map_location (str): where tensors go.
        logger (str): mmengine logger for the messages.

    Returns:
        dict: the loaded checkpoint.

    Raises:
        LegacyCheckpointError: the file holds numpy objects; the message
            names it and the converter.
    """
    # mmengine's own checkpoints (iter_N.pth) hold a HistoryBuffer that
    # torch>=2.6's weights_only loading refuses without the compat fix
    enable_safe_checkpoint_resume()
    try:
        checkpoint = CheckpointLoader.load_checkpoint(
            filename, map_location=map_location, logger=logger)
    except pickle.UnpicklingError as err:
        if not re.search(r'GLOBAL numpy[\w.]* ', str(err)):
            raise
        raise LegacyCheckpointError(
            f'{filename} holds numpy objects (written by mmjotr before its '
            'checkpoints became numpy-free, or by another program); numpy '
            'is not allowed in checkpoints because a crafted numpy dtype '
            'can forge memory. If you trust the file, convert it once with '
            f'"python tools/misc/upgrade_checkpoint.py {filename} NEW.pth" '
            'and load NEW.pth.') from err
    if not isinstance(checkpoint, Mapping):
        raise CheckpointMismatchError(
            f'{filename}: not a checkpoint (a {type(checkpoint).__name__}, '
            'not a mapping)')
    state = checkpoint_state_dict(checkpoint)
    check_state_dict(model, state, filename, config_name, strict, logger)
    if is_model_wrapper(model):
        model = model.module
    own = model.state_dict()
    # a partial load takes the tensors whose names and shapes match; the
    # others were listed by check_state_dict
    matching = OrderedDict((k, v) for k, v in state.items()
                           if k in own and _shape(v) == _shape(own[k]))
    matching._metadata = getattr(state, '_metadata', OrderedDict())
    model.load_state_dict(matching, strict=False)
    return checkpoint
