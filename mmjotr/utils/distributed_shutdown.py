# Copyright (c) mmjotr contributors. All rights reserved.
"""End a distributed run while the interpreter is still whole.

A gloo process group runs native threads (``pt_gloo_runloop`` workers and
a ``gloo_tcp_loop``). ``destroy_process_group`` alone does not stop them
while anything else holds the group: mmengine's Runner keeps it through the
DDP wrapper's reducer. The threads then die in the interpreter's
finalisation, in whatever order it tears objects down: on these machines
one rank was seen to abort there in 4 of 10 runs ("terminate called
without an active exception", SIGABRT) after a complete, saved run, so
torchrun and ``tools/dist_train.sh`` reported a failure (issue 23).

:func:`shutdown_distributed` is called by ``tools/train.py`` and
``tools/test.py`` after the caller has dropped its Runner: it waits for
every rank (no rank tears down while another still communicates),
collects the garbage that held the group and destroys it, which joins the
threads before ``exit``. It runs only after a successful run: after an
error some ranks may be inside a collective and a barrier would hang
(torchrun ends the other ranks then).
"""
import gc
import logging
import os
from typing import List

import torch.distributed as dist
from mmengine.logging import print_log

__all__ = ['shutdown_distributed', 'native_thread_names']

GLOO_THREADS = ('gloo', 'pt_gloo')


def native_thread_names() -> List[str]:
    """Names of this process's OS threads (Linux ``/proc``; empty
    elsewhere)."""
    names = []
    try:
        tasks = os.listdir('/proc/self/task')
    except OSError:
        return names
    for task in tasks:
        try:
            with open(f'/proc/self/task/{task}/comm') as f:
                names.append(f.read().strip())
        except OSError:  # the thread ended meanwhile
            continue
    return names


def shutdown_distributed() -> bool:
    """Barrier, then destroy the default process group and its threads.

    Call it after the run succeeded and after deleting the Runner (and
    anything else holding the DDP model). Without ``torch.distributed``
    initialised it does nothing.

    Returns:
        bool: whether a process group was shut down. A warning is logged
        when gloo threads are still alive afterwards (something still
        holds the group).
    """
    if not (dist.is_available() and dist.is_initialized()):
        return False
    dist.barrier()
    gc.collect()  # the Runner's DDP reducer holds the group
    dist.destroy_process_group()
    gc.collect()
    left = [n for n in native_thread_names() if n.startswith(GLOO_THREADS)]
    if left:
        print_log(
            'the process group was destroyed but gloo threads are still '
            f'running ({", ".join(left)}): an object still holds the group; '
            'the process may abort at exit',
            logger='current',
            level=logging.WARNING)
    return True
