# Copyright (c) mmjotr contributors. All rights reserved.
"""Images as the mesh pipeline wants them: uint8, three BGR channels.

Photos and frames come as grayscale, RGBA, 16-bit or float arrays; the crop
transforms and the detector expect 8-bit BGR. ``mmcv.imread`` reads files
(with ``flag='unchanged'`` so that 16-bit and alpha survive to be converted
here rather than being truncated by OpenCV).
"""
from typing import Union

import cv2
import mmcv
import numpy as np

__all__ = ['to_bgr_uint8', 'load_image']


def to_bgr_uint8(img: np.ndarray, name: str = 'image') -> np.ndarray:
    """Convert an image array to uint8 BGR ``(H, W, 3)``.

    Grayscale ``(H, W)`` / ``(H, W, 1)`` is replicated, BGRA loses its
    alpha, ``uint16`` is scaled by ``255 / 65535``, floats are taken as
    ``[0, 1]`` when their maximum is at most 1, else as ``[0, 255]``.

    Args:
        img (ndarray): the image.
        name (str): named in errors (a file path or frame index).

    Returns:
        ndarray[H, W, 3]: uint8 BGR (the input when already so).
    """
    if not isinstance(img, np.ndarray):
        raise TypeError(f'{name}: expected a numpy image, got '
                        f'{type(img).__name__}')
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3) or (img.ndim == 3
                                  and img.shape[2] not in (3, 4)):
        raise ValueError(f'{name}: expected an (H, W), (H, W, 3) or (H, W, 4)'
                         f' image, got shape {img.shape}')
    if img.shape[0] == 0 or img.shape[1] == 0:
        raise ValueError(f'{name}: empty image of shape {img.shape}')
    if img.dtype == np.uint16:
        img = (img.astype(np.float32) * (255. / 65535.) + 0.5).astype(np.uint8)
    elif img.dtype.kind == 'f':
        if not np.isfinite(img).all():
            raise ValueError(f'{name}: image holds NaN or Inf')
        scale = 255. if img.max() <= 1. else 1.
        img = np.clip(img * scale + 0.5, 0, 255).astype(np.uint8)
    elif img.dtype != np.uint8:
        raise ValueError(f'{name}: unsupported image dtype {img.dtype}')
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    elif img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(img)


def load_image(img: Union[str, np.ndarray]) -> np.ndarray:
    """Read an image file (or take an array) as uint8 BGR.

    Args:
        img (str | ndarray): a path or an image array (BGR order).

    Returns:
        ndarray[H, W, 3]: uint8 BGR.

    Raises:
        FileNotFoundError: the path does not exist.
        ValueError: the file is not a readable image.
    """
    if isinstance(img, np.ndarray):
        return to_bgr_uint8(img)
    try:
        array = mmcv.imread(img, flag='unchanged')
    except FileNotFoundError:
        raise FileNotFoundError(f'image not found: {img}') from None
    except Exception as exc:  # OpenCV/Pillow raise many types
        raise ValueError(f'{img}: not a readable image ({exc})') from None
    if array is None:
        raise ValueError(f'{img}: not a readable image')
    return to_bgr_uint8(array, name=str(img))
