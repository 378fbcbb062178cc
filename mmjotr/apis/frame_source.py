# Copyright (c) mmjotr contributors. All rights reserved.
"""Frames from an image, an array, a folder, a video file or a webcam.

mmengine's ``BaseInferencer`` lists inputs but reads no videos, and
mmpose's inferencer stops a video at its first unreadable frame and raises
on an unreadable image in a folder. Here every frame comes with its name
and index, an unreadable image or frame is reported (``image`` None with
the reason) and counted, and the caller carries on.
"""
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Iterator, List, Optional, Union

import cv2
import numpy as np
from mmengine.logging import print_log

from .image_io import load_image, to_bgr_uint8

__all__ = ['Frame', 'FrameSource', 'IMAGE_EXTENSIONS', 'VIDEO_EXTENSIONS']

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp',
                    '.ppm', '.pgm')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg',
                    '.mpeg')
#: Consecutive failed reads after which a video is taken to have ended.
MAX_CONSECUTIVE_FAILURES = 25


@dataclass
class Frame:
    """One input frame.

    Attributes:
        name (str): file name (images) or ``{video stem}_{index:06d}``.
        index (int): position in the source.
        image (ndarray, optional): uint8 BGR; None when unreadable.
        error (str, optional): why ``image`` is None.
    """
    name: str
    index: int
    image: Optional[np.ndarray]
    error: Optional[str] = None


@dataclass
class FrameSource:
    """Iterate the frames of an inference input.

    Args:
        inputs (str | int | ndarray | list): an image path, a folder of
            images (sorted by name, other files ignored), a video path, a
            webcam index (int or ``'webcam'`` = 0), an image array, or a
            list of paths / arrays.

    Attributes:
        kind (str): ``'image'``, ``'images'``, ``'folder'``, ``'video'`` or
            ``'webcam'``.
        fps (float): video frame rate (30 for non-videos / unknown).
        total (int, optional): number of frames when known.
        skipped (list[str]): ``'name: reason'`` of every unreadable frame
            (or truncated video tail) met so far.
        num_skipped (int): frames skipped so far; a truncated video's
            unreadable tail counts every frame its header announced.
    """
    inputs: Union[str, int, np.ndarray, list]
    kind: str = field(init=False)
    fps: float = field(init=False, default=30.)
    total: Optional[int] = field(init=False, default=None)
    skipped: List[str] = field(init=False, default_factory=list)
    num_skipped: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        src = self.inputs
        if isinstance(src, str) and src == 'webcam':
            self.inputs = src = 0
        if isinstance(src, bool):
            raise TypeError(f'unsupported input {src!r}')
        if isinstance(src, int):
            self.kind = 'webcam'
        elif isinstance(src, np.ndarray):
            self.kind, self.total = 'image', 1
        elif isinstance(src, (list, tuple)):
            self.kind, self.total = 'images', len(src)
        elif isinstance(src, str) and osp.isdir(src):
            self.kind = 'folder'
            self._files = sorted(
                f for f in os.listdir(src)
                if f.lower().endswith(IMAGE_EXTENSIONS))
            self.total = len(self._files)
            if not self._files:
                raise ValueError(f'folder {src} holds no images '
                                 f'({", ".join(IMAGE_EXTENSIONS)})')
        elif isinstance(src, str) and src.lower().endswith(VIDEO_EXTENSIONS):
            if not osp.isfile(src):
                raise FileNotFoundError(f'video not found: {src}')
            self.kind = 'video'
            cap = cv2.VideoCapture(src)
            if not cap.isOpened():
                raise ValueError(f'{src}: cannot open the video')
            fps = cap.get(cv2.CAP_PROP_FPS)
            self.fps = float(fps) if fps and np.isfinite(fps) else 30.
            count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            self.total = count if count > 0 else None
            cap.release()
        elif isinstance(src, str):
            if not osp.isfile(src):
                raise FileNotFoundError(f'input not found: {src}')
            self.kind, self.total = 'image', 1
        else:
            raise TypeError('inputs must be a path, a webcam index, an '
                            f'image array or a list, got {type(src)}')

    @property
    def stem(self) -> str:
        """Base name for outputs of a video / folder / webcam."""
        if self.kind == 'webcam':
            return f'webcam{self.inputs}'
        if isinstance(self.inputs, str):
            return osp.splitext(osp.basename(osp.normpath(self.inputs)))[0]
        return 'frames'

    def _skip(self, frame: Frame) -> Frame:
        self.skipped.append(f'{frame.name}: {frame.error}')
        self.num_skipped += 1
        print_log(
            f'skipping {frame.name}: {frame.error}',
            logger='current',
            level=30)
        return frame

    def _read_image(self, index: int, item, name: str) -> Frame:
        try:
            image = (
                to_bgr_uint8(item, name)
                if isinstance(item, np.ndarray) else load_image(item))
        except (OSError, ValueError, TypeError) as exc:
            return self._skip(Frame(name, index, None, str(exc)))
        return Frame(name, index, image)

    def __iter__(self) -> Iterator[Frame]:
        if self.kind == 'image':
            name = ('image' if isinstance(self.inputs, np.ndarray) else
                    osp.basename(self.inputs))
            frame = self._read_image(0, self.inputs, name)
            if frame.image is None:
                raise ValueError(frame.error)
            yield frame
        elif self.kind == 'images':
            for i, item in enumerate(self.inputs):
                name = (
                    osp.basename(item)
                    if isinstance(item, str) else f'image_{i:06d}.png')
                yield self._read_image(i, item, name)
        elif self.kind == 'folder':
            for i, name in enumerate(self._files):
                yield self._read_image(i, osp.join(self.inputs, name), name)
        else:
            yield from self._read_video()

    def _read_video(self) -> Iterator[Frame]:
        cap = cv2.VideoCapture(self.inputs)
        if not cap.isOpened():
            raise ValueError(f'cannot open {self.kind} {self.inputs}')
        index, failures = 0, 0
        try:
            while True:
                if self.total is not None and index >= self.total:
                    break
                ok, image = cap.read()
                name = f'{self.stem}_{index:06d}'
                if ok and image is not None:
                    failures = 0
                    yield Frame(name, index, to_bgr_uint8(image, name))
                elif self.kind == 'webcam' or self.total is None:
                    break
                else:
                    failures += 1
                    if failures > MAX_CONSECUTIVE_FAILURES:
                        # the failures so far were counted one by one
                        self.num_skipped += self.total - index
                        self.skipped.append(
                            f'{name}: frames {index}-{self.total - 1} '
                            'unreadable (truncated or corrupt video)')
                        print_log(
                            f'{self.inputs}: frames {index}-'
                            f'{self.total - 1} unreadable (truncated or '
                            'corrupt video)',
                            logger='current',
                            level=30)
                        break
                    yield self._skip(
                        Frame(name, index, None,
                              'unreadable frame (corrupt video data)'))
                index += 1
        finally:
            cap.release()
