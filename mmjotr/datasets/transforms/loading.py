# Copyright (c) mmjotr contributors. All rights reserved.
"""Image loading that refuses corrupt JPEG data instead of decoding it."""
from typing import Optional

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio

from mmjotr.registry import TRANSFORMS

__all__ = ['CorruptImageError', 'LoadCheckedImage', 'decode_image_checked']

_JPEG_MAGIC = b'\xff\xd8\xff'


class CorruptImageError(ValueError):
    """An image file that cannot be decoded without errors."""


def exif_orientation(data: bytes) -> int:
    """The EXIF orientation (1-8) of a JPEG's APP1 segment, 1 if none.

    Reads the marker segments up to the first scan; no pixels decoded.
    """
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in (0xD9, 0xDA):  # end of image, start of scan
            break
        length = int.from_bytes(data[pos + 2:pos + 4], 'big')
        if marker == 0xE1 and data[pos + 4:pos + 10] == b'Exif\x00\x00':
            tiff = pos + 10
            order = 'little' if data[tiff:tiff + 2] == b'II' else 'big'
            ifd = tiff + int.from_bytes(data[tiff + 4:tiff + 8], order)
            for i in range(int.from_bytes(data[ifd:ifd + 2], order)):
                entry = ifd + 2 + 12 * i
                if int.from_bytes(data[entry:entry + 2], order) == 0x0112:
                    value = int.from_bytes(data[entry + 8:entry + 10], order)
                    return value if 1 <= value <= 8 else 1
            return 1
        pos += 2 + length
    return 1


# EXIF orientation -> how to turn the stored pixels upright (as OpenCV's
# imdecode does, which mmpose's LoadImage uses)
_ORIENT = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: np.rot90(a, 1)[:, ::-1],
    8: lambda a: np.rot90(a, 1),
}


def decode_image_checked(data: bytes,
                         path: str,
                         check_jpeg: bool = True) -> np.ndarray:
    """Decode image bytes to BGR uint8, refusing corrupt JPEG data.

    libjpeg reports damaged entropy-coded data ("Corrupt JPEG data", "bad
    Huffman code", "premature end of data segment") as *warnings* and
    returns an image whose pixels after the damage are wrong; OpenCV (and
    so ``mmpose.LoadImage``) prints them to stderr without the file name
    and carries on. JPEG files are decoded here with libjpeg-turbo through
    ``simplejpeg`` with ``strict=True``, which turns every such warning
    into an error; the EXIF orientation is applied as OpenCV does, so the
    pixels equal ``mmpose.LoadImage``'s. Other formats go through OpenCV.

    Corruption that produces valid entropy codes cannot be seen by any
    decoder; it is rare for damage in the middle of a file.

    Args:
        data (bytes): the file content.
        path (str): named in errors.
        check_jpeg (bool): decode JPEG strictly (else with OpenCV).

    Returns:
        np.ndarray: uint8 (H, W, 3) BGR.

    Raises:
        CorruptImageError: naming ``path`` and the decoder's message.
    """
    if check_jpeg and data[:3] == _JPEG_MAGIC:
        import simplejpeg
        try:
            img = simplejpeg.decode_jpeg(data, colorspace='BGR', strict=True)
        except ValueError as err:
            if 'color conversion' not in str(err):  # e.g. CMYK: not damage
                raise CorruptImageError(
                    f'{path}: corrupt JPEG data ({err}); refusing the '
                    'partly wrong image the decoder would return') from err
        else:
            return np.ascontiguousarray(_ORIENT[exif_orientation(data)](img))
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise CorruptImageError(
            f'{path}: not a decodable image ({len(data)} bytes)')
    return img


@TRANSFORMS.register_module()
class LoadCheckedImage(BaseTransform):
    """Load an image like ``mmpose.LoadImage``, refusing corrupt files.

    Reads ``results['img_path']`` with mmengine's file backends and decodes
    it with :func:`decode_image_checked`: a JPEG whose decoder reports
    corrupt data raises :class:`CorruptImageError` naming the file. An
    ``img`` array already in ``results`` (inference on arrays) is used as
    is. Cost: libjpeg-turbo decodes as fast as OpenCV's build; the
    throughput of both loaders is printed by
    ``tools/analysis/benchmark_data.py``.

    Required keys: ``img_path`` (or ``img``). Added keys: ``img``
    (uint8 (H, W, 3) BGR, float32 with ``to_float32``), ``img_shape``,
    ``ori_shape``.

    Args:
        to_float32 (bool): convert the image to float32.
        check_jpeg (bool): refuse corrupt JPEG data (default). False
            decodes with OpenCV, like ``mmpose.LoadImage``.
        backend_args (dict, optional): mmengine file backend arguments.
    """

    def __init__(self,
                 to_float32: bool = False,
                 check_jpeg: bool = True,
                 backend_args: Optional[dict] = None) -> None:
        if check_jpeg:
            try:
                import simplejpeg  # noqa: F401
            except ImportError as err:
                raise ImportError(
                    'LoadCheckedImage(check_jpeg=True) needs simplejpeg '
                    '(pip install simplejpeg; tools/install.sh installs '
                    'it)') from err
        self.to_float32 = to_float32
        self.check_jpeg = check_jpeg
        self.backend_args = None if backend_args is None else dict(
            backend_args)

    def transform(self, results: dict) -> dict:
        if 'img' in results:
            img = results['img']
            if not isinstance(img, np.ndarray):
                raise TypeError('results["img"] must be an np.ndarray, got '
                                f'{type(img).__name__}')
            results.setdefault('img_path', None)
        else:
            path = results['img_path']
            try:
                data = fileio.get(path, backend_args=self.backend_args)
            except Exception as err:
                raise type(err)(f'{path}: cannot read the image ({err})')
            img = decode_image_checked(data, str(path), self.check_jpeg)
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(to_float32={self.to_float32}, '
                f'check_jpeg={self.check_jpeg}, '
                f'backend_args={self.backend_args})')
