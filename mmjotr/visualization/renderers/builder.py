# Copyright (c) mmjotr contributors. All rights reserved.
"""Choose a renderer back end: offscreen GL when it works, else numpy."""
from typing import Optional, Union

from mmengine.logging import print_log

from .gl_renderer import GLRenderer
from .raster_renderer import RasterRenderer

__all__ = ['build_renderer', 'gl_unavailable_reason']

BACKENDS = ('auto', 'gl', 'raster')

#: Why GL failed in this process (None: untried or working). A failed GL
#: platform stays failed for the process, so it is tried once.
_GL_FAILURE: Optional[str] = None


def gl_unavailable_reason() -> Optional[str]:
    """None when an offscreen GL renderer can be made, else why not."""
    try:
        GLRenderer()
    except Exception as exc:  # ImportError, EGL/OSMesa errors, ...
        return _remember(exc)
    return None


def _remember(exc: Exception) -> str:
    global _GL_FAILURE
    _GL_FAILURE = f'{type(exc).__name__}: {exc}'.strip()
    return _GL_FAILURE


def build_renderer(backend: str = 'auto',
                   **kwargs) -> Union[GLRenderer, RasterRenderer]:
    """Make a renderer with the ``render(meshes, camera)`` interface.

    Args:
        backend (str): ``'gl'`` (pyrender, offscreen EGL/OSMesa; raises
            when unavailable), ``'raster'`` (numpy z-buffer, always works)
            or ``'auto'`` (GL when a context can be made, else raster, with
            the reason logged once).
        **kwargs: shading options shared by both (``ambient``,
            ``diffuse``, ``light_dir``, ``near``).

    Returns:
        GLRenderer | RasterRenderer
    """
    if backend not in BACKENDS:
        raise ValueError(f'build_renderer: unknown backend "{backend}"; '
                         f'choose from {BACKENDS}')
    if backend == 'raster':
        return RasterRenderer(**kwargs)
    if backend == 'auto' and _GL_FAILURE is not None:
        return RasterRenderer(**kwargs)
    try:
        return GLRenderer(**kwargs)
    except Exception as exc:
        reason = _remember(exc)
        if backend == 'gl':
            raise RuntimeError(
                f'offscreen GL rendering is unavailable ({reason}); install '
                'pyrender and Mesa EGL (libegl1, libgl1-mesa-dri) or OSMesa '
                "(libosmesa6), or use backend='raster'") from exc
        print_log(
            f'offscreen GL unavailable ({reason}); using the numpy '
            'rasteriser',
            logger='current')
        return RasterRenderer(**kwargs)
