# Copyright (c) mmjotr contributors. All rights reserved.
"""An unpickler that resolves only allow-listed globals.

``pickle.load`` calls whatever functions a file names, so a crafted file
runs code. mmjotr reads pickled data (SMPL model files, annotation files)
through this unpickler: a global outside the file kind's allowlist raises an
error naming the file and the global, before anything from the file runs.
"""
import importlib
import pickle
from typing import Any, Dict, Tuple, Type

__all__ = ['AllowlistUnpickler', 'load_allowlisted']


class AllowlistUnpickler(pickle.Unpickler):
    """Unpickle, resolving only the globals of ``allowed``.

    Args:
        file: a binary file object.
        path (str): the file's path, named in errors.
        allowed (dict): ``(module, name)`` -> the object to use, or a dotted
            ``'module.attr'`` string imported on first use.
        error (type): the exception raised for any other global.
        content (str): what the file kind may hold, for the message.
    """

    def __init__(self, file, path: str, allowed: Dict[Tuple[str, str], Any],
                 error: Type[Exception], content: str) -> None:
        super().__init__(file, encoding='latin1')
        self._path = path
        self._allowed = allowed
        self._error = error
        self._content = content

    def find_class(self, module: str, name: str) -> Any:
        target = self._allowed.get((module, name))
        if target is None:
            raise self._error(
                f'{self._path}: refusing to load "{module}.{name}": '
                f'{self._content} (the file is corrupt, of another format, '
                'or possibly malicious)')
        if isinstance(target, str):
            mod, attr = target.rsplit('.', 1)
            return getattr(importlib.import_module(mod), attr)
        return target


def load_allowlisted(path: str, allowed: Dict[Tuple[str, str], Any],
                     error: Type[Exception], content: str, what: str) -> Any:
    """Open and unpickle ``path`` with :class:`AllowlistUnpickler`.

    Args:
        path (str): the pickle.
        allowed, error, content: as :class:`AllowlistUnpickler`.
        what (str): the file kind, e.g. ``'SMPL model pickle'``.

    Raises:
        error: the file references a global outside ``allowed`` (no code
            from it has run).
        pickle.UnpicklingError: the file is not a readable pickle (the
            message names it and ``what``).
    """
    with open(path, 'rb') as f:
        try:
            return AllowlistUnpickler(f, path, allowed, error, content).load()
        except error:
            raise
        except Exception as err:
            raise pickle.UnpicklingError(
                f'{path}: not a readable {what} ({err!r})') from err
