# Copyright (c) mmjotr contributors. All rights reserved.
from .cascade_linear import CascadeLinear
from .heatmap import render_gaussian_heatmaps
from .joint_sampling import inverse_sigmoid, sample_volume
from .positional_encoding import (SinePositionalEncoding2D,
                                  SinusoidPositionalEncoding1D, sinusoid_table)
from .transformer_layers import (PostNormDecoderLayer, PostNormEncoderLayer,
                                 TransformerEncoder, xavier_init_matrices)
from .trilinear_sampling import trilinear_sample_gather
from .volume_encoder import VolumeEncoder

__all__ = [
    'CascadeLinear', 'render_gaussian_heatmaps', 'inverse_sigmoid',
    'sample_volume', 'SinePositionalEncoding2D',
    'SinusoidPositionalEncoding1D', 'sinusoid_table', 'PostNormDecoderLayer',
    'PostNormEncoderLayer', 'TransformerEncoder', 'xavier_init_matrices',
    'trilinear_sample_gather', 'VolumeEncoder'
]
