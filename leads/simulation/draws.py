"""Random draws the simulation modules share: picks, delays and the logistic link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

T = TypeVar("T")
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def pick(rng: np.random.Generator, options: Sequence[T]) -> T:
    """One of `options`, uniformly."""
    return options[int(rng.integers(len(options)))]


def sigmoid(x: FloatArray) -> FloatArray:
    """The logistic function, mapping logits to probabilities."""
    return 1.0 / (1.0 + np.exp(-x))


def delay_ms(rng: np.random.Generator, median_ms: float, sigma: float, size: int) -> IntArray:
    """Log-normal delays in milliseconds around `median_ms` (sigma in log space)."""
    return np.exp(rng.normal(np.log(median_ms), sigma, size)).astype(np.int64)


def uniform_ms(rng: np.random.Generator, low_ms: float, high_ms: float, size: int) -> IntArray:
    """Uniform delays in milliseconds in [low_ms, high_ms)."""
    return rng.uniform(low_ms, high_ms, size).astype(np.int64)
