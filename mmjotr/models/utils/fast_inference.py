# Copyright (c) mmjotr contributors. All rights reserved.
"""The fast inference path of JOTR (``model.test_cfg.fast_inference``).

The fp32 path stays the reference; the fast path changes only how the same
computation runs:

- reduced-precision autocast where the hardware computes it natively
  (bf16 on CPUs with AVX-512 BF16 or AMX, fp16 on CUDA GPUs), inside the
  ``autocast_modules`` only: by default the ResNet stages and the neck,
  where the time goes. The stem (``conv1`` on the raw pixels, ``pose2feat``
  on the keypoint heatmaps) and the head stay fp32: rounding the inputs
  themselves to bf16's 8 bits cost most of the fast path's difference to
  fp32 (measured: stem in bf16 2.4 mm mean vertex difference, the four
  stages and the neck 1.4 mm). Attention (``nn.MultiheadAttention``)
  keeps its softmax attention in fp32 by default: on the CPU, its bf16
  autocast path measured ~8x slower than fp32 while the convolutions and
  FFN linears are 1.6-10x faster (tools/analysis/benchmark_model.py); its
  input and output projections run in the autocast dtype
  (``attention_proj_autocast``; measured: the neck 13% faster at batch 1,
  the whole model ~1%);
- channels-last memory format for the convolutional backbone;
- batch chunks of at most ``batch_chunk`` crops, so that a large batch
  costs no more per person than the best batch size (the backbone's
  activations of a large batch leave the CPU caches);
- BatchNorm folded into the preceding convolutions (mmcv's
  ``fuse_conv_bn``), done once by :meth:`FastInference.prepare` — called by
  :func:`mmjotr.apis.init_model` — because it changes the weights in place
  (a prepared model must not be trained or saved as a checkpoint).

Attention already runs fused (``F.scaled_dot_product_attention`` inside
``nn.MultiheadAttention`` when no weights are requested).
"""
import dataclasses
import functools
from typing import Any, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from torch import Tensor, nn

from .fp32_modules import to_fp32

_AUTOCAST_DEVICES = ('cpu', 'cuda')

PRECISIONS = ('auto', 'bf16', 'fp16', 'fp32')
#: Where the fast path autocasts by default (see the module docstring).
AUTOCAST_MODULES = ('backbone.layer1', 'backbone.layer2', 'backbone.layer3',
                    'backbone.layer4', 'neck')


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX-512 BF16 or AMX-BF16).

    Read from the ``flags`` of ``/proc/cpuinfo`` (Linux); False elsewhere.
    Without native support oneDNN emulates bf16, which is slower than fp32.
    """
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    flags = set(line.split(':', 1)[1].split())
                    return bool(flags & {'avx512_bf16', 'amx_bf16'})
    except OSError:
        pass
    return False


def cat_batches(parts: List[Any]) -> Any:
    """Concatenate per-chunk outputs along the batch dimension.

    Tensors with a batch dimension are concatenated; 0-d tensors (e.g. λ)
    are the same in every chunk and taken from the first; lists, tuples,
    dicts and dataclasses are visited recursively; None stays None.
    """
    first = parts[0]
    if isinstance(first, Tensor):
        return first if first.dim() == 0 else torch.cat(parts)
    if first is None:
        return None
    if isinstance(first, (list, tuple)):
        items = [cat_batches(list(items)) for items in zip(*parts)]
        return items if isinstance(first, list) else tuple(items)
    if isinstance(first, dict):
        return {key: cat_batches([p[key] for p in parts]) for key in first}
    if dataclasses.is_dataclass(first):
        return dataclasses.replace(
            first, **{
                field.name:
                cat_batches([getattr(p, field.name) for p in parts])
                for field in dataclasses.fields(first) if field.init
            })
    raise TypeError(f'cat_batches: cannot concatenate {type(first)}')


class FastInference:
    """Run a JOTR forward pass the fast way (see the module docstring).

    Args:
        precision (str): ``'auto'`` (bf16 on CPUs with native bf16, fp16
            on CUDA, fp32 otherwise), ``'bf16'``, ``'fp16'`` or ``'fp32'``.
            Defaults to 'auto'.
        channels_last (bool): channels-last backbone. Defaults to True.
        fuse_conv_bn (bool): fold BN into convs in :meth:`prepare`.
            Defaults to True.
        batch_chunk (int | str, optional): largest batch run at once; None
            runs the whole batch; ``'auto'`` (default): 4 on the CPU (the
            best per-person size measured on a 2-core CPU;
            tools/analysis/benchmark_model.py), the whole batch on a GPU
            (which needs large batches to be busy).
        autocast_modules (Sequence[str]): submodules that run under
            autocast. Defaults to ``AUTOCAST_MODULES``.
        fp32_attention (bool | str): keep ``nn.MultiheadAttention`` inside
            them in fp32; ``'auto'`` (default): on the CPU only, where its
            bf16 path measured ~8x slower than fp32; on a GPU attention
            runs in fp16 (fused kernels).
        cast_weights (bool): in :meth:`prepare`, store the conv and linear
            weights of the autocast regions in the autocast dtype (saves
            re-casting them at every call; same values). Defaults to True.
        attention_proj_autocast (bool): with ``fp32_attention``, run the
            input and output projections of that attention in the autocast
            dtype and only the scaled dot-product attention in fp32 (when
            no weights and no masks are asked for; otherwise the whole
            module runs in fp32). Defaults to True.
    """

    def __init__(self,
                 precision: str = 'auto',
                 channels_last: bool = True,
                 fuse_conv_bn: bool = True,
                 batch_chunk: Union[int, str, None] = 'auto',
                 autocast_modules: Sequence[str] = AUTOCAST_MODULES,
                 fp32_attention: Union[bool, str] = 'auto',
                 cast_weights: bool = True,
                 attention_proj_autocast: bool = True) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f'fast_inference.precision must be one of '
                             f'{PRECISIONS}, got {precision!r}')
        if batch_chunk is not None and batch_chunk != 'auto' and (
                not isinstance(batch_chunk, int) or batch_chunk < 1):
            raise ValueError('fast_inference.batch_chunk must be >= 1, '
                             f"None or 'auto', got {batch_chunk!r}")
        if fp32_attention not in (True, False, 'auto'):
            raise ValueError('fast_inference.fp32_attention must be True, '
                             f"False or 'auto', got {fp32_attention!r}")
        self.precision = precision
        self.channels_last = channels_last
        self.fuse_conv_bn = fuse_conv_bn
        self.batch_chunk = batch_chunk
        self.autocast_modules = tuple(autocast_modules)
        self.fp32_attention = fp32_attention
        self.cast_weights = cast_weights
        self.attention_proj_autocast = attention_proj_autocast
        self._dtype: Optional[torch.dtype] = None  # set while running

    @classmethod
    def from_cfg(cls, cfg: Union[None, bool,
                                 dict]) -> Optional['FastInference']:
        """None / False -> None; True -> defaults; dict -> arguments."""
        if cfg is None or cfg is False:
            return None
        if cfg is True:
            return cls()
        if not isinstance(cfg, dict):
            raise TypeError('test_cfg.fast_inference must be a bool or a '
                            f'dict, got {type(cfg).__name__}')
        return cls(**cfg)

    def chunk_size(self, device: torch.device) -> Optional[int]:
        """The batch chunk on ``device`` (None: the whole batch)."""
        if self.batch_chunk == 'auto':
            return 4 if device.type == 'cpu' else None
        return self.batch_chunk

    def attention_in_fp32(self, device: torch.device) -> bool:
        """Whether attention stays fp32 on ``device``."""
        if self.fp32_attention == 'auto':
            return device.type == 'cpu'
        return bool(self.fp32_attention)

    def autocast_dtype(self, device: torch.device) -> Optional[torch.dtype]:
        """The autocast dtype on ``device`` (None: run in fp32)."""
        if self.precision == 'fp32':
            return None
        if self.precision == 'bf16':
            return torch.bfloat16
        if self.precision == 'fp16':
            return torch.float16
        if device.type == 'cuda':
            return torch.float16
        if device.type == 'cpu' and cpu_has_native_bf16():
            return torch.bfloat16
        return None

    def prepare(self, model: nn.Module) -> nn.Module:
        """Fold BN into the backbone convs (in place, eval mode; once).

        Args:
            model (nn.Module): a JOTR model with loaded weights.

        Returns:
            nn.Module: the same model, in eval mode.
        """
        model.eval()
        if self.fuse_conv_bn and not getattr(model, '_conv_bn_fused', False):
            from mmcv.cnn import fuse_conv_bn
            fuse_conv_bn(model.backbone)
            model._conv_bn_fused = True
            print_log(
                'fast inference: BatchNorm folded into the backbone convs '
                '(inference only; do not train or save this model)',
                logger='current')
        if self.channels_last:
            model.backbone.to(memory_format=torch.channels_last)
        device = next(model.parameters()).device
        dtype = self.autocast_dtype(device)
        if self.cast_weights and dtype is not None and not getattr(
                model, '_weights_cast', False):
            self._cast_weights(model, dtype, device)
            model._weights_cast = True
        return model

    def _cast_weights(self, model: nn.Module, dtype: torch.dtype,
                      device: torch.device) -> None:
        """Store the conv / linear weights of the autocast regions in
        ``dtype``: autocast would round them the same way at every call."""
        for name in self.autocast_modules:
            region = model.get_submodule(name)
            keep = set()
            if self.attention_in_fp32(device):
                for module in region.modules():
                    if isinstance(module, nn.MultiheadAttention):
                        keep.update(id(m) for m in module.modules())
            for module in region.modules():
                if id(module) not in keep and isinstance(
                        module, (nn.Conv2d, nn.Conv3d, nn.Linear)):
                    module.to(dtype)

    def _region_pre_hook(self, enable: bool, module: nn.Module, args: tuple):
        if self._dtype is None:  # not on the fast path now
            module._fast_autocast_states.append(None)
            return None
        states = tuple(
            torch.is_autocast_enabled(device) for device in _AUTOCAST_DEVICES)
        module._fast_autocast_states.append(states)
        device = self._device_type
        if enable:
            torch.set_autocast_dtype(device, self._dtype)
        torch.set_autocast_enabled(device, enable)
        return None if enable else to_fp32(args)

    def _region_post_hook(self, module: nn.Module, args: tuple,
                          output: Any) -> Any:
        states = module._fast_autocast_states.pop()
        if states is None:
            return None
        for device, enabled in zip(_AUTOCAST_DEVICES, states):
            torch.set_autocast_enabled(device, enabled)
        return to_fp32(output)  # fp32 outside the region

    def _attention(self, module: nn.MultiheadAttention, fp32_forward,
                   query: Tensor, key: Tensor, value: Tensor, *args,
                   **kwargs) -> tuple:
        """``nn.MultiheadAttention.forward`` on the fast path: projections
        in the autocast dtype, softmax attention in fp32 (batch-first
        inputs, no masks, no weights; anything else runs ``fp32_forward``).
        """
        plain = (
            self._dtype is not None and not module.training and not args
            and module.batch_first and module._qkv_same_embed_dim
            and not kwargs.get('need_weights', True)
            and kwargs.get('attn_mask') is None
            and kwargs.get('key_padding_mask') is None and set(kwargs)
            <= {'need_weights', 'attn_mask', 'key_padding_mask'})
        if not plain:
            return fp32_forward(query, key, value, *args, **kwargs)
        dtype, dims, heads = self._dtype, module.embed_dim, module.num_heads
        weight = module.in_proj_weight.to(dtype)
        bias = None if module.in_proj_bias is None else \
            module.in_proj_bias.to(dtype)

        def project(x: Tensor, part: int) -> Tensor:  # (B, N, C) -> heads
            rows = slice(part * dims, (part + 1) * dims)
            out = F.linear(
                x.to(dtype), weight[rows],
                None if bias is None else bias[rows]).float()
            return out.unflatten(-1, (heads, dims // heads)).transpose(1, 2)

        out = F.scaled_dot_product_attention(
            project(query, 0), project(key, 1), project(value, 2))
        out = out.transpose(1, 2).flatten(2).to(dtype)
        proj = module.out_proj
        out = F.linear(out, proj.weight.to(dtype),
                       None if proj.bias is None else proj.bias.to(dtype))
        return out.float(), None

    def _install_hooks(self, model: nn.Module, device: torch.device) -> None:
        """Autocast regions (once per model; inactive off the fast path)."""
        if getattr(model, '_fast_inference_hooks', None) is self:
            return
        if getattr(model, '_fast_inference_hooks', None) is not None:
            raise RuntimeError('this model already runs another '
                               'FastInference; build a new model')
        regions = []
        for name in self.autocast_modules:
            module = model.get_submodule(name)
            regions.append((module, True))
            if self.attention_in_fp32(device):
                regions += [(m, False) for m in module.modules()
                            if isinstance(m, nn.MultiheadAttention)]
        for module, enable in regions:
            if not enable and self.attention_proj_autocast:
                module.forward = functools.partial(self._attention, module,
                                                   module.forward)
            module._fast_autocast_states = []
            module.register_forward_pre_hook(
                functools.partial(self._region_pre_hook, enable))
            module.register_forward_hook(self._region_post_hook)
        model._fast_inference_hooks = self

    def __call__(self, model: nn.Module, inputs: Tensor,
                 data_samples: Sequence, *args) -> Any:
        """Run ``model.extract_feat(inputs, data_samples, *args)`` fast.

        Args:
            model (nn.Module): the JOTR model (eval mode).
            inputs (Tensor[B, 3, H, W]): preprocessed crops.
            data_samples (Sequence): one per crop.
            *args: passed on.

        Returns:
            The concatenated output, floating tensors in float32.
        """
        self._install_hooks(model, inputs.device)
        dtype = self.autocast_dtype(inputs.device)
        if self.channels_last:
            model.backbone.to(memory_format=torch.channels_last)
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        chunk = self.chunk_size(inputs.device) or len(inputs)
        parts = []
        self._device_type = inputs.device.type
        # the outer context restores the autocast state should a forward
        # raise between a region's hooks
        with torch.autocast(self._device_type, enabled=False):
            self._dtype = dtype
            try:
                for start in range(0, len(inputs), chunk):
                    parts.append(
                        model.extract_feat(inputs[start:start + chunk],
                                           data_samples[start:start + chunk],
                                           *args))
            finally:
                self._dtype = None
        return to_fp32(parts[0] if len(parts) == 1 else cat_batches(parts))
