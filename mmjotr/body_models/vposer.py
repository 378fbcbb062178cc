# Copyright (c) mmjotr contributors. All rights reserved.
"""VPoser v1.0, the body pose prior whose decoder JOTR predicts through."""
import os.path as osp
import pickle
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmjotr.geometry import rot6d_to_rotmat, rotmat_to_axis_angle
from mmjotr.registry import MODELS
from .assets import ASSET_SOURCES

__all__ = ['VPoserV1', 'load_vposer_weights', 'extract_vposer_state_dict']


@MODELS.register_module()
class VPoserV1(nn.Module):
    """VPoser v1.0 (Pavlakos et al., CVPR 2019) with the official names.

    Encoder: BN(63) -> FC(63, 512) -> LeakyReLU(0.2) -> BN(512) -> Dropout
    -> FC(512, 512) -> LeakyReLU(0.2) -> mu / scale heads (32). Decoder:
    FC(32, 512) -> LeakyReLU(0.2) -> Dropout(0.1) -> FC(512, 512) ->
    LeakyReLU(0.2) -> FC(512, 126) -> 21 continuous-6D rotations ->
    axis-angle. Module names equal the official snapshot's, so its state
    dict loads unchanged.

    Note:
        - B: batch size

    Args:
        num_neurons (int): hidden width. Defaults to 512.
        latent_dim (int): latent size. Defaults to 32.
        num_joints (int): body joints. Defaults to 21.
        weights (str, optional): snapshot or JOTR checkpoint to load (see
            :func:`load_vposer_weights`). Defaults to None.
        frozen (bool): freeze the parameters and stay in eval mode whatever
            ``train()`` is asked (JOTR's use). Defaults to True.
    """

    def __init__(self,
                 num_neurons: int = 512,
                 latent_dim: int = 32,
                 num_joints: int = 21,
                 weights: Optional[str] = None,
                 frozen: bool = True) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.num_joints = num_joints
        features = num_joints * 3
        self.bodyprior_enc_bn1 = nn.BatchNorm1d(features)
        self.bodyprior_enc_fc1 = nn.Linear(features, num_neurons)
        self.bodyprior_enc_bn2 = nn.BatchNorm1d(num_neurons)
        self.bodyprior_enc_fc2 = nn.Linear(num_neurons, num_neurons)
        self.bodyprior_enc_mu = nn.Linear(num_neurons, latent_dim)
        self.bodyprior_enc_logvar = nn.Linear(num_neurons, latent_dim)
        self.dropout = nn.Dropout(p=0.1)
        self.bodyprior_dec_fc1 = nn.Linear(latent_dim, num_neurons)
        self.bodyprior_dec_fc2 = nn.Linear(num_neurons, num_neurons)
        self.bodyprior_dec_out = nn.Linear(num_neurons, num_joints * 6)
        self.frozen = frozen
        if weights is not None:
            load_vposer_weights(self, weights)
        if frozen:
            self.requires_grad_(False)
            self.eval()

    def train(self, mode: bool = True) -> 'VPoserV1':
        """Switch mode; a frozen VPoser always stays in eval mode."""
        return super().train(mode and not self.frozen)

    def encode(self, pose: Tensor) -> Tuple[Tensor, Tensor]:
        """Posterior of body poses.

        Args:
            pose (Tensor[B, 21, 3] | Tensor[B, 63]): axis-angle body pose.

        Returns:
            tuple: ``(mu, scale)``, each ``Tensor[B, 32]`` (scale =
            softplus of the "logvar" head, as the official model).
        """
        x = pose.reshape(pose.shape[0], -1)  # (B, 63)
        x = self.bodyprior_enc_bn1(x)
        x = F.leaky_relu(self.bodyprior_enc_fc1(x), negative_slope=0.2)
        x = self.dropout(self.bodyprior_enc_bn2(x))
        x = F.leaky_relu(self.bodyprior_enc_fc2(x), negative_slope=0.2)
        return (self.bodyprior_enc_mu(x),
                F.softplus(self.bodyprior_enc_logvar(x)))

    def decode_rotmat(self, z: Tensor) -> Tensor:
        """Latent ``Tensor[B, 32]`` -> rotations ``Tensor[B, 21, 3, 3]``."""
        x = F.leaky_relu(self.bodyprior_dec_fc1(z), negative_slope=0.2)
        x = self.dropout(x)
        x = F.leaky_relu(self.bodyprior_dec_fc2(x), negative_slope=0.2)
        x = self.bodyprior_dec_out(x)
        x = x.reshape(z.shape[0], self.num_joints, 6)  # (B, 21, 6)
        return rot6d_to_rotmat(x)

    def decode(self, z: Tensor) -> Tensor:
        """Latent ``Tensor[B, 32]`` -> axis-angles ``Tensor[B, 21, 3]``."""
        return rotmat_to_axis_angle(self.decode_rotmat(z))

    def forward(self, z: Tensor) -> Tensor:
        """Alias of :meth:`decode`."""
        return self.decode(z)


def extract_vposer_state_dict(obj: Dict,
                              source: str = '<dict>') -> Dict[str, Tensor]:
    """Find VPoser's ``bodyprior_*`` weights in a loaded file.

    Accepts a plain snapshot (``bodyprior_*`` keys), a checkpoint wrapping
    one under ``state_dict`` / ``network`` / ``model``, and any common key
    prefix such as JOTR's ``module.vposer.vposer.``.

    Args:
        obj (dict): what ``torch.load`` returned.
        source (str): name used in errors.

    Returns:
        dict: ``bodyprior_*`` name -> tensor.
    """
    for wrapper in ('state_dict', 'network', 'model'):
        if isinstance(obj, dict) and isinstance(obj.get(wrapper), dict):
            obj = obj[wrapper]
            break
    if not isinstance(obj, dict):
        raise ValueError(f'{source}: expected a state dict, got '
                         f'{type(obj).__name__}')
    groups: Dict[str, Dict[str, Tensor]] = {}
    for key, value in obj.items():
        idx = key.find('bodyprior_') if isinstance(key, str) else -1
        if idx >= 0 and isinstance(value, Tensor):
            groups.setdefault(key[:idx], {})[key[idx:]] = value
    if len(groups) != 1:
        found = sorted(groups) or 'none'
        raise ValueError(f'{source}: expected one set of VPoser '
                         f'"bodyprior_*" weights, found prefixes {found}')
    return next(iter(groups.values()))


def load_vposer_weights(model: VPoserV1, path: str) -> None:
    """Load VPoser v1 weights from a snapshot or a JOTR checkpoint.

    Args:
        model (VPoserV1): the model to fill.
        path (str): ``vposer_v1_0/snapshots/TR00_E096.pt`` or a reference
            JOTR checkpoint (``[module.]vposer.vposer.*`` keys).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'VPoser weights {osp.basename(path)} not found: searched '
            f'{osp.abspath(path)}. They come from {ASSET_SOURCES["vposer"]}.')
    try:
        obj = torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as err:
        raise ValueError(
            f'{path}: cannot be read as tensors only (torch.load with '
            'weights_only=True refused it); save its VPoser weights as a '
            f'plain state dict first. Reason: {err}') from err
    state = extract_vposer_state_dict(obj, path)
    expected = model.state_dict()
    # Snapshots from PyTorch versions before 0.4.1 have no BatchNorm
    # counters; they do not affect the (eval-mode) model.
    for key in expected:
        if key.endswith('num_batches_tracked') and key not in state:
            state[key] = expected[key]
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise ValueError(f'{path}: VPoser weights do not match VPoserV1: '
                         f'missing {missing}, unexpected {unexpected}')
    for key, value in state.items():
        if value.shape != expected[key].shape:
            raise ValueError(f'{path}: VPoser weight "{key}" has shape '
                             f'{tuple(value.shape)}, expected '
                             f'{tuple(expected[key].shape)}')
    model.load_state_dict(state)
