# Copyright (c) mmjotr contributors. All rights reserved.
"""The one-euro filter (Casiez et al., CHI 2012) for per-frame arrays.

A low-pass filter whose cutoff rises with the signal's speed: still poses
are smoothed strongly, fast motion passes with little lag. mmpose 1.x no
longer ships one (0.x had ``core/post_processing/one_euro_filter.py``), so
it is written here for numpy arrays of any shape, filtered element-wise.
"""
import math
from typing import Optional

import numpy as np

__all__ = ['OneEuroFilter']


def _alpha(cutoff: np.ndarray, dt: float) -> np.ndarray:
    tau = 1. / (2. * math.pi * cutoff)
    return 1. / (1. + tau / dt)


class OneEuroFilter:
    """Filter a stream of same-shape arrays.

    ``x_hat = a(f_c) x + (1 - a(f_c)) x_hat_prev`` with the cutoff
    ``f_c = min_cutoff + beta * |dx_hat|``, ``dx_hat`` the derivative
    low-passed at ``d_cutoff`` and ``a(f) = 1 / (1 + 1 / (2 pi f dt))``.

    Args:
        min_cutoff (float): cutoff (Hz) at rest; lower = smoother.
            Defaults to 1.0.
        beta (float): cutoff increase per unit of speed; higher = less lag
            in fast motion. Defaults to 0.0.
        d_cutoff (float): cutoff (Hz) of the derivative. Defaults to 1.0.
        fps (float): frame rate, for ``dt = 1 / fps``. Defaults to 30.
    """

    def __init__(self,
                 min_cutoff: float = 1.0,
                 beta: float = 0.0,
                 d_cutoff: float = 1.0,
                 fps: float = 30.) -> None:
        if min(min_cutoff, d_cutoff, fps) <= 0 or beta < 0:
            raise ValueError('OneEuroFilter: min_cutoff, d_cutoff and fps '
                             'must be positive and beta >= 0, got '
                             f'{min_cutoff}, {d_cutoff}, {fps}, {beta}')
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.dt = 1. / float(fps)
        self._x: Optional[np.ndarray] = None
        self._dx: Optional[np.ndarray] = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Filter the next sample (same shape every call)."""
        x = np.asarray(x, np.float64)
        if self._x is None:
            self._x, self._dx = x.copy(), np.zeros_like(x)
            return x.copy()
        if x.shape != self._x.shape:
            raise ValueError(f'OneEuroFilter: sample of shape {x.shape} '
                             f'after samples of shape {self._x.shape}')
        dx = (x - self._x) / self.dt
        a_d = _alpha(self.d_cutoff, self.dt)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        a = _alpha(self.min_cutoff + self.beta * np.abs(self._dx), self.dt)
        self._x = a * x + (1 - a) * self._x
        return self._x.copy()
