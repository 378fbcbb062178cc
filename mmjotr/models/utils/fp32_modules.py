# Copyright (c) mmjotr contributors. All rights reserved.
"""Run chosen submodules in fp32 inside an autocast region.

Mixed precision (bf16 autocast on the CPU, fp16 on the GPU) is fine for
the convolutions and transformers but not for the parts whose outputs are
metres or loss values: the SMPL skinning, VPoser's decoder, the cascade
regressors of the SMPL parameters, the uncertainty weights and the
contrastive losses. :func:`keep_in_fp32` gives such modules a forward
pre-hook that casts their floating-point inputs to float32 and switches
autocast off for the device of those inputs, and a forward hook that
switches it back; outside autocast the hooks do nothing. mmengine has no
such facility (mmcv 1.x's ``force_fp32`` decorator is gone in 2.x) and
``torch.amp.custom_fwd`` is meant for ``autograd.Function`` and one device
type, hence this small helper.
"""
import dataclasses
from typing import Any, Iterable, List, Tuple

import torch
from torch import Tensor, nn
from torch.utils.hooks import RemovableHandle

_AUTOCAST_DEVICES = ('cpu', 'cuda')
_MISSING = object()


def to_fp32(obj: Any) -> Any:
    """Cast every floating-point tensor in ``obj`` to float32.

    Tensors, lists, tuples, dicts and dataclasses are visited recursively;
    other values are returned as they are.
    """
    if isinstance(obj, Tensor):
        return obj.float() if obj.is_floating_point() else obj
    if isinstance(obj, (list, tuple)):
        items = [to_fp32(item) for item in obj]
        return type(obj)(items) if isinstance(obj, list) else tuple(items)
    if isinstance(obj, dict):
        return type(obj)((key, to_fp32(value)) for key, value in obj.items())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.replace(
            obj, **{
                field.name: to_fp32(getattr(obj, field.name))
                for field in dataclasses.fields(obj) if field.init
            })
    return obj


def _pre_hook(module: nn.Module, args: tuple, kwargs: dict):
    states = tuple(
        torch.is_autocast_enabled(device) for device in _AUTOCAST_DEVICES)
    module._fp32_autocast_states.append(states)
    if not any(states):
        return None
    for device, enabled in zip(_AUTOCAST_DEVICES, states):
        if enabled:
            torch.set_autocast_enabled(device, False)
    return to_fp32(args), to_fp32(kwargs)


def _post_hook(module: nn.Module, args: tuple, output: Any) -> None:
    states = module._fp32_autocast_states.pop()
    for device, enabled in zip(_AUTOCAST_DEVICES, states):
        if enabled:
            torch.set_autocast_enabled(device, True)


def keep_in_fp32(model: nn.Module,
                 names: Iterable[str]) -> List[RemovableHandle]:
    """Make the named submodules of ``model`` run in fp32 under autocast.

    A ``ModuleDict`` / ``ModuleList`` (never called itself) stands for its
    children; a name whose attribute is None (an optional part that is not
    configured, e.g. no uncertainty weighting) is skipped.

    Args:
        model (nn.Module): the model.
        names (Iterable[str]): dotted submodule names, e.g.
            ``'head.smpl_regressor.body_model'``.

    Returns:
        list[RemovableHandle]: the hook handles (two per module).

    Raises:
        AttributeError: a name is neither a submodule nor None.
    """
    modules = []
    for name in names:
        module = model
        for part in name.split('.'):
            module = getattr(module, part, _MISSING)
            if module is None or module is _MISSING:
                break
        if module is None:
            continue
        if not isinstance(module, nn.Module):
            raise AttributeError(
                f'keep_in_fp32: "{name}" is not a submodule of '
                f'{type(model).__name__}')
        if isinstance(module, (nn.ModuleDict, nn.ModuleList)):
            modules.extend(module.children())
        else:
            modules.append(module)
    handles = []
    for module in modules:
        if hasattr(module, '_fp32_autocast_states'):
            continue  # already hooked (e.g. listed twice)
        # a stack, so that a module called re-entrantly restores correctly;
        # if a forward raises, the enclosing autocast context's exit
        # restores the autocast state
        module._fp32_autocast_states = []
        handles.append(
            module.register_forward_pre_hook(_pre_hook, with_kwargs=True))
        handles.append(module.register_forward_hook(_post_hook))
    return handles


def fp32_module_names(model: nn.Module) -> Tuple[str, ...]:
    """Names of the submodules hooked by :func:`keep_in_fp32`."""
    return tuple(name for name, module in model.named_modules()
                 if hasattr(module, '_fp32_autocast_states'))
