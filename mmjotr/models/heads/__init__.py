# Copyright (c) mmjotr contributors. All rights reserved.
from .fusion_decoder import DecoderOutput, FusionDecoder
from .fusion_head import SUPERVISED_TERMS, FusionHead, FusionHeadOutput
from .smpl_regressor import SMPLRegression, SMPLRegressor

__all__ = [
    'DecoderOutput', 'FusionDecoder', 'FusionHead', 'FusionHeadOutput',
    'SUPERVISED_TERMS', 'SMPLRegression', 'SMPLRegressor'
]
