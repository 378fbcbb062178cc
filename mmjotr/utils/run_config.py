# Copyright (c) mmjotr contributors. All rights reserved.
"""Turn command-line options of tools/train.py and tools/test.py into a
runnable mmengine config (the scripts only parse arguments)."""
import difflib
import inspect
import os.path as osp
from argparse import ArgumentParser, Namespace
from typing import Optional, Sequence, Union

import torch
import torch.distributed as dist
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from .checkpoint_io import read_last_checkpoint

#: Top-level config keys a run understands although a config may not set
#: them: the Runner's arguments and the keys ``Runner.from_cfg`` and the
#: mmjotr tools read.
RUN_CONFIG_KEYS = frozenset(
    list(inspect.signature(Runner.__init__).parameters)[1:] + [
        'runner_type', 'model_wrapper_cfg', 'compile',
        'activation_checkpointing', 'efficient_conv_bn_eval', 'gpu_ids',
        'vis_backends', 'body_model_dir'
    ])


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` for ``--cfg-options`` that rejects an item
    without ``=`` with a usage message instead of a traceback."""

    def __call__(self,
                 parser: ArgumentParser,
                 namespace: Namespace,
                 values: Union[str, Sequence[str], None],
                 option_string: Optional[str] = None) -> None:
        for item in [values] if isinstance(values, str) else values or []:
            key = item.split('=', 1)[0]
            if '=' not in item or not key:
                parser.error(
                    f'{option_string or "--cfg-options"}: "{item}" is not '
                    'KEY=VALUE (e.g. train_cfg.max_iters=10 or '
                    'optim_wrapper.optimizer.lr=5e-5)')
        super().__call__(parser, namespace, values, option_string)


def check_cfg_options(cfg: Config, cfg_options: dict) -> None:
    """Refuse overrides whose top-level key the run would ignore.

    ``Config.merge_from_dict`` adds any new key silently, so a typo such
    as ``trian_cfg.max_iters=1`` would be ignored. A top-level key must
    exist in the config or be one the run reads (:data:`RUN_CONFIG_KEYS`).

    Raises:
        ValueError: naming the key and suggesting the nearest known ones.
    """
    known = set(cfg.keys()) | RUN_CONFIG_KEYS
    for key in cfg_options:
        top = str(key).split('.', 1)[0]
        if top in known:
            continue
        near = difflib.get_close_matches(top, sorted(known), n=3)
        hint = (f'; did you mean {" or ".join(repr(n) for n in near)}?'
                if near else '')
        raise ValueError(f'--cfg-options {key}: the config has no top-level '
                         f'key "{top}"{hint} (known: {sorted(cfg.keys())})')


def set_body_model_dir(cfg: Config, body_model_dir: str) -> int:
    """Point every ``body_model_dir`` field of a config at one directory.

    The body model directory is read by the model head, the target
    generation of the training pipeline and the metric; this sets them all
    (an mmengine config cannot late-bind one variable across files).

    Args:
        cfg (Config): the config, changed in place.
        body_model_dir (str): the directory (layout: docs/interfaces.md).

    Returns:
        int: how many fields were set.
    """

    def visit(node) -> int:
        count = 0
        if isinstance(node, (dict, Config)):
            for key in list(node.keys()):
                if key == 'body_model_dir':
                    node[key] = body_model_dir
                    count += 1
                else:
                    count += visit(node[key])
        elif isinstance(node, (list, tuple)):
            count += sum(visit(item) for item in node)
        return count

    return visit(cfg)


#: ``--amp``'s loss scale on CUDA: ``GradScaler``'s dynamic scale from 256.
#: Measured (issue 17; the first 30 steps from a fresh initialisation,
#: fp16 as on CUDA, tests/test_engine/test_amp_steps.py): the release's fixed
#: 1024 skips 30 of 30 on both tiny configs; mmengine's 'dynamic' (from
#: 65536) skips 8 and 3; dynamic from 1024 skips 2 and 0; from 256, 0 and 0.
CUDA_AMP_LOSS_SCALE = dict(init_scale=256.)

#: Default hooks mmengine's Runner itself knows (None removes them there).
MMENGINE_DEFAULT_HOOKS = ('runtime_info', 'timer', 'sampler_seed', 'logger',
                          'param_scheduler', 'checkpoint')


def _drop_disabled_hooks(cfg: Config) -> None:
    """Remove ``default_hooks`` entries set to None that mmengine does not
    know (its Runner asserts on them), e.g. ``--cfg-options
    default_hooks.random_state=None`` turns mmjotr's RandomStateHook off.
    """
    hooks = cfg.get('default_hooks')
    if not hooks:
        return
    for name in [k for k, v in hooks.items() if v is None]:
        if name not in MMENGINE_DEFAULT_HOOKS:
            hooks.pop(name)


def _base_cfg(config: str, work_dir: Optional[str],
              cfg_options: Optional[dict], launcher: str,
              body_model_dir: Optional[str]) -> Config:
    if not osp.isfile(config):
        raise FileNotFoundError(f'config file not found: {config}')
    cfg = Config.fromfile(config)
    if body_model_dir is not None:
        if not osp.isdir(body_model_dir):
            raise FileNotFoundError(
                f'body model directory not found: {body_model_dir}')
        set_body_model_dir(cfg, body_model_dir)
    if cfg_options:
        check_cfg_options(cfg, cfg_options)
        cfg.merge_from_dict(cfg_options)
    _drop_disabled_hooks(cfg)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
    return cfg


def build_train_cfg(config: str,
                    work_dir: Optional[str] = None,
                    resume: Optional[str] = None,
                    amp: bool = False,
                    amp_device: Optional[str] = None,
                    auto_scale_lr: bool = False,
                    cfg_options: Optional[dict] = None,
                    launcher: str = 'none',
                    body_model_dir: Optional[str] = None) -> Config:
    """Load a training config and apply the command-line options.

    Args:
        config (str): path of the config file.
        work_dir (str, optional): where logs and checkpoints go; defaults
            to ``work_dirs/<config name>``.
        resume (str, optional): ``'auto'`` resumes from the checkpoint
            ``work_dir/last_checkpoint`` names (if any; an empty or
            dangling pointer starts afresh with a warning), a path resumes
            from that checkpoint; None starts afresh.
        amp (bool): train with automatic mixed precision. On CUDA:
            ``GradNormAmpOptimWrapper``, fp16 autocast with a dynamic loss
            scale starting at 256 (:data:`CUDA_AMP_LOSS_SCALE`; halved on
            every overflow, doubled after 2000 clean steps) unless the
            config or ``cfg_options`` set ``optim_wrapper.loss_scale``
            (``1024.`` is the release's fixed scale, which skips every
            step from a fresh initialisation; docs/deployment.md) or an
            AMP wrapper. On the CPU bf16 autocast (``CPUAmpOptimWrapper``,
            no loss scale needed).
        amp_device (str, optional): ``'cuda'`` or ``'cpu'``; None picks
            'cuda' when CUDA is available.
        auto_scale_lr (bool): scale the lr by the actual total batch size
            over ``auto_scale_lr.base_batch_size``.
        cfg_options (dict, optional): ``key=value`` overrides.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
        body_model_dir (str, optional): sets every ``body_model_dir`` field
            (see :func:`set_body_model_dir`) before ``cfg_options``.
    """
    cfg = _base_cfg(config, work_dir, cfg_options, launcher, body_model_dir)
    if amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'GradNormOptimWrapper',
                                 'AmpOptimWrapper', 'GradNormAmpOptimWrapper',
                                 'CPUAmpOptimWrapper'):
            raise ValueError(
                '--amp needs optim_wrapper.type OptimWrapper, '
                'GradNormOptimWrapper or an AMP wrapper, the config has '
                f'{optim_wrapper}')
        if amp_device is None:
            amp_device = 'cuda' if torch.cuda.is_available() else 'cpu'
        if amp_device == 'cuda':
            if optim_wrapper in ('OptimWrapper', 'GradNormOptimWrapper',
                                 'CPUAmpOptimWrapper'):
                # fp16, dynamic loss scale; overflow steps are skipped
                cfg.optim_wrapper.type = 'GradNormAmpOptimWrapper'
                cfg.optim_wrapper.setdefault('loss_scale',
                                             dict(CUDA_AMP_LOSS_SCALE))
        elif amp_device == 'cpu':
            cfg.optim_wrapper.type = 'CPUAmpOptimWrapper'
            for key in ('loss_scale', 'dtype'):  # bf16 needs no scaling
                cfg.optim_wrapper.pop(key, None)
        else:
            raise ValueError(
                f"amp_device must be 'cuda' or 'cpu', got {amp_device!r}")
    if auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in \
                cfg.auto_scale_lr:
            raise KeyError('--auto-scale-lr needs `auto_scale_lr = dict('
                           'base_batch_size=...)` in the config')
        cfg.auto_scale_lr.enable = True
    if resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
        if osp.isfile(osp.join(cfg.work_dir, 'last_checkpoint')) and \
                read_last_checkpoint(cfg.work_dir) is None:
            cfg.resume = False  # mmengine would fail on the bad pointer
    elif resume is not None:
        cfg.resume = True
        cfg.load_from = resume
    return cfg


def build_test_cfg(config: str,
                   checkpoint: str,
                   work_dir: Optional[str] = None,
                   dump: Optional[str] = None,
                   cfg_options: Optional[dict] = None,
                   launcher: str = 'none',
                   body_model_dir: Optional[str] = None,
                   strict: bool = True) -> Config:
    """Load an evaluation config, point it at a checkpoint.

    The checkpoint is checked against the model when it is loaded
    (``CheckpointCheckHook``): with ``strict`` any missing, unexpected or
    mis-shaped key stops the run with a message listing them.

    Args:
        config (str): path of the config file.
        checkpoint (str): checkpoint to evaluate.
        work_dir (str, optional): where logs go.
        dump (str, optional): a ``.pkl`` file to dump the predictions to.
        cfg_options (dict, optional): ``key=value`` overrides.
        launcher (str): job launcher.
        body_model_dir (str, optional): sets every ``body_model_dir`` field.
        strict (bool): refuse a checkpoint that does not match the model
            exactly; False loads the matching part (logged).
    """
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    cfg = _base_cfg(config, work_dir, cfg_options, launcher, body_model_dir)
    cfg.load_from = checkpoint
    hooks = dict(cfg.get('default_hooks') or {})
    hooks['checkpoint_check'] = dict(
        type='mmjotr.CheckpointCheckHook', strict=strict)
    cfg.default_hooks = hooks
    if dump is not None:
        if not dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must be a .pkl file, got {dump}')
        evaluator = cfg.test_evaluator
        dump_metric = dict(type='DumpResults', out_file_path=dump)
        if isinstance(evaluator, (list, tuple)):
            cfg.test_evaluator = list(evaluator) + [dump_metric]
        else:
            cfg.test_evaluator = [evaluator, dump_metric]
    return cfg


def setup_cpu_distributed(cfg: Config) -> bool:
    """Make a ``pytorch``-launched run work on machines without CUDA.

    mmengine 0.10.7 initialises ``torch.distributed`` for the pytorch
    launcher through ``torch.cuda.set_device`` and wraps the model with
    ``device_ids=[local_rank]``, so torchrun on CPU-only machines fails.
    Without CUDA this initialises a gloo process group from torchrun's
    environment (the Runner then skips its own initialisation) and lets DDP
    wrap the CPU module. With CUDA it does nothing.

    Args:
        cfg (Config): the run's config (``launcher`` set); its
            ``model_wrapper_cfg`` is updated in place.

    Returns:
        bool: whether the CPU set-up was applied.
    """
    if cfg.launcher == 'none' or torch.cuda.is_available():
        return False
    if cfg.launcher != 'pytorch':
        raise RuntimeError(
            f'launcher "{cfg.launcher}" needs CUDA; on CPU-only machines '
            'use tools/dist_train.sh (torchrun, launcher "pytorch")')
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return True
