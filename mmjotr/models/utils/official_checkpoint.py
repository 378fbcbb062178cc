# Copyright (c) mmjotr contributors. All rights reserved.
"""Conversion of the reference JOTR release's checkpoints (docs/model.md,
"Reference checkpoints")."""
import pickle
import re
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Tuple

import torch
from torch import Tensor, nn

#: (reference key pattern, mmjotr replacement); first match wins.
KEY_RULES: Tuple[Tuple[str, str], ...] = (
    (r'^pose2feat\.conv\.(\d)\.', r'backbone.pose2feat.\1.'),
    (r'^backbone\.', 'backbone.'),
    (r'^vposer\.vposer\.', 'head.smpl_regressor.vposer.'),
    (r'^down_linear\.', 'head.input_proj.'),
    (r'^transformer\.smpl_tgt$', 'head.decoder.smpl_query_content'),
    (r'^transformer\.kp_tgt$', 'head.decoder.joint_query_content'),
    (r'^transformer\.encoder\.layers\.', 'head.encoder.layers.'),
    (r'^transformer\.decoder\.joint_img_regress\.',
     'head.decoder.joint_regress.'),
    (r'^transformer\.decoder\.', 'head.decoder.'),
    (r'^spose_shape_cam_param$', 'head.decoder.smpl_query_pos'),
    (r'^query\.weight$', 'head.decoder.joint_query_pos.weight'),
    (r'^cascade_root_pose_out\.',
     'head.smpl_regressor.cascade_root_pose.layers.'),
    (r'^cascade_pose_out\.', 'head.smpl_regressor.cascade_pose.layers.'),
    (r'^cascade_shaoe_out\.',
     'head.smpl_regressor.cascade_shape.layers.'),  # [sic]
    (r'^cascade_cam_out\.', 'head.smpl_regressor.cascade_cam.layers.'),
    (r'^pos_embed_1d\.pos_table$', 'neck.volume_encoder.pos_embed.pos_table'),
    (r'^conv2d_to_3d\.', 'neck.conv2d_to_3d.'),
    (r'^exponent$', 'neck.depth_exponent'),
    (r'^conv_3d_coord\.0\.', 'neck.conv_3d_coord.'),
    (r'^refine_3d\.', 'neck.volume_encoder.encoder.'),
)
#: Reference keys that are deliberately not converted: the SMPL arrays
#: belong to the SMPL licence and are loaded from the user's files.
DROPPED = re.compile(r'^human_model_layer\.')
#: mmjotr keys that the reference layout does not have: the loss
#: uncertainty weights, which only matter for further training. They keep
#: the target model's values (their initialisation, 1.0).
NOT_IN_REFERENCE = re.compile(r'^head\.uncertainty_weighting\.')


def official_state_dict(checkpoint: Mapping) -> Mapping[str, Tensor]:
    """The network weights of a loaded reference checkpoint.

    The release saves ``{'network': state_dict, 'epoch', 'optimizer'}``;
    a bare state dict, ``state_dict`` or ``model`` entries are accepted too.
    """
    for key in ('network', 'state_dict', 'model'):
        if key in checkpoint and isinstance(checkpoint[key], Mapping):
            return checkpoint[key]
    if all(isinstance(v, Tensor) for v in checkpoint.values()):
        return checkpoint
    raise KeyError('not a JOTR checkpoint: no "network"/"state_dict" entry '
                   f'among {sorted(checkpoint)[:10]}')


def convert_official_state_dict(state_dict: Mapping[str, Tensor],
                                expected: Mapping[str, Tuple[int, ...]],
                                defaults: Optional[Mapping[str, Tensor]] = None
                                ) -> Dict[str, Tensor]:
    """Rename reference keys to mmjotr's and check them against a model.

    Args:
        state_dict (Mapping[str, Tensor]): reference weights (DDP
            ``module.`` prefixes allowed).
        expected (Mapping[str, tuple]): mmjotr key -> shape, e.g. from
            ``{k: v.shape for k, v in model.state_dict().items()}``.
        defaults (Mapping[str, Tensor], optional): values of the expected
            keys matching :data:`NOT_IN_REFERENCE` when the source lacks
            them (e.g. the target model's state dict).

    Returns:
        dict[str, Tensor]: converted weights holding exactly the expected
        keys (the SMPL arrays ``human_model_layer.*`` are dropped).

    Raises:
        ValueError: listing every reference key without a rule or target,
            every mis-shaped tensor and every expected key left unfilled.
    """
    converted = OrderedDict()
    problems = []
    for key, value in state_dict.items():
        key = key[len('module.'):] if key.startswith('module.') else key
        if DROPPED.match(key):
            continue
        for pattern, repl in KEY_RULES:
            if re.match(pattern, key):
                new_key = re.sub(pattern, repl, key, count=1)
                break
        else:
            problems.append(f'unmatched source key: {key}')
            continue
        if new_key not in expected:
            problems.append(f'no target for {key} (-> {new_key})')
        elif tuple(value.shape) != tuple(expected[new_key]):
            problems.append(f'shape mismatch for {key} -> {new_key}: '
                            f'{tuple(value.shape)} vs '
                            f'{tuple(expected[new_key])}')
        else:
            converted[new_key] = value
    defaults = defaults or {}
    for key in expected:
        if key not in converted and NOT_IN_REFERENCE.match(key) \
                and key in defaults:
            converted[key] = defaults[key]
    problems += [
        f'missing target key: {k}' for k in expected if k not in converted
    ]
    if problems:
        raise ValueError('cannot convert the checkpoint:\n  ' +
                         '\n  '.join(problems))
    return converted


def convert_official_checkpoint(src: str, dst: str,
                                model: nn.Module) -> Dict[str, Tensor]:
    """Convert a reference checkpoint file for ``model`` and save it.

    The source is read with ``torch.load(..., weights_only=True)`` (no code
    from the file runs). The result is checked by loading it into ``model``
    with ``strict=True`` and saved as ``{'meta': ..., 'state_dict': ...}``.

    Args:
        src (str): reference checkpoint (``.pth.tar``).
        dst (str): output path.
        model (nn.Module): a JOTR built from the target config.

    Returns:
        dict[str, Tensor]: the converted state dict.
    """
    try:
        checkpoint = torch.load(src, map_location='cpu', weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError) as err:
        raise ValueError(f'{src}: cannot be read as a tensors-only '
                         f'checkpoint ({err})') from err
    if not isinstance(checkpoint, Mapping):
        raise TypeError(f'{src}: not a checkpoint: expected a state-dict '
                        f'mapping, got {type(checkpoint).__name__}')
    try:
        weights = official_state_dict(checkpoint)
    except KeyError as err:
        raise KeyError(f'{src}: {err.args[0]}') from err
    state = model.state_dict()
    expected = {k: tuple(v.shape) for k, v in state.items()}
    try:
        converted = convert_official_state_dict(
            weights, expected, defaults=state)
    except ValueError as err:
        raise ValueError(f'{src}: {err}') from err
    model.load_state_dict(converted, strict=True)
    torch.save(
        dict(
            meta=dict(converted_from=src, converter='mmjotr'),
            state_dict=converted), dst)
    return converted
