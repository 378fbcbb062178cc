# Copyright (c) mmjotr contributors. All rights reserved.
"""Run ``tools/dist_train.sh`` as a user would, from tests and checks."""
import os
import os.path as osp
import socket
import subprocess
import sys
from typing import Optional

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_dist_train(config: str,
                   processes: int,
                   *args: str,
                   cwd: Optional[str] = None,
                   timeout: float = 300) -> subprocess.CompletedProcess:
    """``bash tools/dist_train.sh CONFIG PROCESSES ARGS`` with the
    interpreter under test (``PYTHON``), a free port and one thread per
    process; stdout and stderr captured as text.

    Args:
        config (str): the config, relative to ``cwd`` or absolute.
        processes (int): processes (CPU ranks on gloo here).
        *args (str): ``tools/train.py`` options.
        cwd (str, optional): where the script is called from.
        timeout (float): seconds. Defaults to 300.
    """
    env = dict(
        os.environ,
        OMP_NUM_THREADS='1',
        PORT=str(free_port()),
        PYTHON=sys.executable)
    return subprocess.run([
        'bash',
        osp.join(ROOT, 'tools', 'dist_train.sh'), config,
        str(processes), *args
    ],
                          cwd=cwd,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=timeout)
