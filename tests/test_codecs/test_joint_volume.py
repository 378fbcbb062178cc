# Copyright (c) mmjotr contributors. All rights reserved.
import numpy as np
import torch

from mmjotr.codecs import (crop_to_volume, depth_to_volume, grid_to_voxel,
                           unit_to_grid, unit_to_volume, volume_to_unit,
                           warp_depth)


def test_crop_to_volume_scales_by_a_quarter():
    xy = np.array([[256.0, 128.0], [4.0, 0.0]])
    np.testing.assert_allclose(crop_to_volume(xy), [[64, 32], [1, 0]])
    assert torch.equal(
        crop_to_volume(torch.tensor([8.0, 12.0])), torch.tensor([2.0, 3.0]))


def test_depth_maps_the_two_metre_range_onto_the_volume():
    # -1 m, the root, +1 m and +0.5 m: (dz / 1 + 1) / 2 * 64
    dz = np.array([-1., 0., 1., 0.5], np.float32)
    np.testing.assert_allclose(depth_to_volume(dz), [0., 32., 64., 48.])
    np.testing.assert_allclose(
        depth_to_volume(dz, depth_range=4., volume_size=8), [2., 4., 6., 5.])


def test_unit_cube_round_trip_and_grid():
    voxels = torch.tensor([[0., 32., 64.], [16., 48., 8.]])
    unit = volume_to_unit(voxels)
    torch.testing.assert_close(unit, voxels / 64)
    torch.testing.assert_close(unit_to_volume(unit), voxels)
    torch.testing.assert_close(unit_to_grid(unit), voxels / 32 - 1)


def test_depth_warp_before_the_grid():
    pts = torch.tensor([[0.2, 0.3, 0.5], [1., 0., -0.1]])
    lam = torch.tensor(3.)
    torch.testing.assert_close(
        warp_depth(pts, lam), torch.tensor([[0.2, 0.3, 0.125], [1., 0., 0.]]))
    torch.testing.assert_close(
        unit_to_grid(pts, lam),
        torch.tensor([[-0.6, -0.4, -0.75], [1., -1., -1.]]))


def test_grid_to_voxel_is_the_align_corners_inverse():
    # sizes (W, H, D) = (5, 3, 4): -1 -> 0, +1 -> size - 1
    pts = torch.tensor([[-1., -1., -1.], [1., 1., 1.], [0., 0.5, -0.5]])
    torch.testing.assert_close(
        grid_to_voxel(pts, (5, 3, 4)),
        torch.tensor([[0., 0., 0.], [4., 2., 3.], [2., 1.5, 0.75]]))
