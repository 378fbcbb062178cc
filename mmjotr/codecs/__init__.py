# Copyright (c) mmjotr contributors. All rights reserved.
from .joint_volume import (DEPTH_RANGE, VOLUME_SIZE, crop_to_volume,
                           depth_to_volume, grid_to_voxel, unit_to_grid,
                           unit_to_volume, volume_to_crop, volume_to_unit,
                           warp_depth)

__all__ = [
    'VOLUME_SIZE', 'DEPTH_RANGE', 'crop_to_volume', 'volume_to_crop',
    'depth_to_volume', 'volume_to_unit', 'unit_to_volume', 'warp_depth',
    'unit_to_grid', 'grid_to_voxel'
]
