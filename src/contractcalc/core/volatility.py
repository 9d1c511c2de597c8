"""Annual volatility from OHLC candles: close-to-close, Parkinson, Garman-Klass, Rogers-Satchell, Yang-Zhang.

Every estimator takes arrays ``open, high, low, close`` whose axis 0 is time
(one row per candle; further axes are independent series) and the candle's
length in years, and returns the annual volatility ``σ = √(v / Δ)`` where
``v`` is the estimated variance of the log return over one candle and ``Δ``
its length (years of 365 days).  With ``N`` candles, ``o = ln(O/C₋₁)`` the
gap from the previous close, ``u = ln(H/O)``, ``d = ln(L/O)``, ``c = ln(C/O)``:

==================  =========================================================================
close-to-close      sample variance (``N − 2`` degrees of freedom) of ``r = ln(C/C₋₁)``
Parkinson (1980)    ``v = Σ ln(H/L)² / (4 ln 2 · N)``
Garman-Klass (1980) ``v = (1/N) Σ [½ ln(H/L)² − (2 ln 2 − 1) c²]``
Rogers-Satchell     ``v = (1/N) Σ [u (u − c) + d (d − c)]``  (drift-independent)
Yang-Zhang (2000)   ``v = v_o + k v_c + (1 − k) v_RS``, ``k = 0.34 / (1.34 + (n + 1)/(n − 1))``
==================  =========================================================================

Yang-Zhang uses the ``n = N − 1`` candles that have a previous close:
``v_o`` and ``v_c`` are the sample variances of ``o`` and ``c``, ``v_RS`` the
Rogers-Satchell mean over them.  Close-to-close and Yang-Zhang need at least
three candles, the others one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from contractcalc.errors import InputError

__all__ = ["ESTIMATORS", "annual_volatility", "interval_years"]

Array = npt.NDArray[np.float64]

_MS_PER_YEAR = 365 * 24 * 3600 * 1000


def _close_to_close(o: Array, h: Array, lo: Array, c: Array) -> Array:
    r = np.diff(np.log(c), axis=0)
    return np.var(r, axis=0, ddof=1)  # type: ignore[no-any-return]


def _parkinson(o: Array, h: Array, lo: Array, c: Array) -> Array:
    return np.mean(np.log(h / lo) ** 2, axis=0) / (4 * math.log(2))  # type: ignore[no-any-return]


def _garman_klass(o: Array, h: Array, lo: Array, c: Array) -> Array:
    hl = np.log(h / lo)
    co = np.log(c / o)
    return np.mean(0.5 * hl**2 - (2 * math.log(2) - 1) * co**2, axis=0)  # type: ignore[no-any-return]


def _rs_terms(o: Array, h: Array, lo: Array, c: Array) -> Array:
    u, d, cc = np.log(h / o), np.log(lo / o), np.log(c / o)
    return u * (u - cc) + d * (d - cc)  # type: ignore[no-any-return]


def _rogers_satchell(o: Array, h: Array, lo: Array, c: Array) -> Array:
    return np.mean(_rs_terms(o, h, lo, c), axis=0)  # type: ignore[no-any-return]


def _yang_zhang(o: Array, h: Array, lo: Array, c: Array) -> Array:
    gap = np.log(o[1:] / c[:-1])
    body = np.log(c[1:] / o[1:])
    n = gap.shape[0]
    k = 0.34 / (1.34 + (n + 1) / (n - 1))
    rs = np.mean(_rs_terms(o[1:], h[1:], lo[1:], c[1:]), axis=0)
    return np.var(gap, axis=0, ddof=1) + k * np.var(body, axis=0, ddof=1) + (1 - k) * rs  # type: ignore[no-any-return]


#: estimator name → (variance of one candle's log return, fewest candles it needs)
ESTIMATORS: dict[str, tuple[Callable[[Array, Array, Array, Array], Array], int]] = {
    "close-to-close": (_close_to_close, 3),
    "parkinson": (_parkinson, 1),
    "garman-klass": (_garman_klass, 1),
    "rogers-satchell": (_rogers_satchell, 1),
    "yang-zhang": (_yang_zhang, 3),
}


def interval_years(timestamps_ms: Any) -> float:
    """The candles' length in years: the median step between timestamps (milliseconds), over 365-day years.

    >>> interval_years([0, 3_600_000, 7_200_000]) * 8760
    1.0
    """
    ts = np.asarray(timestamps_ms, dtype=float)
    if ts.ndim != 1 or ts.size < 2:
        raise InputError("candles", "must hold at least 2 candles to know their interval", int(ts.size))
    steps = np.diff(ts)
    if (steps <= 0).any():
        raise InputError("candles", "must be in increasing time order")
    return float(np.median(steps)) / _MS_PER_YEAR


def annual_volatility(
    open: Any, high: Any, low: Any, close: Any, interval_years: float, estimator: str = "yang-zhang"
) -> Any:
    """Annual volatility of OHLC candles of length ``interval_years`` by one of :data:`ESTIMATORS`.

    Two daily candles open 100, high 110, low 95, close 105, then open 105,
    high 108, low 100, close 102: Parkinson's daily variance is
    ``(ln(110/95)² + ln(108/100)²) / (2 · 4 ln 2)`` = 0.0049440, so
    ``σ = √(0.0049440 × 365)`` = 1.3433:

    >>> round(annual_volatility([100, 105], [110, 108], [95, 100], [105, 102], 1 / 365, "parkinson"), 4)
    1.3433
    """
    if estimator not in ESTIMATORS:
        raise InputError("volatility_estimator", "must be one of " + ", ".join(ESTIMATORS), estimator)
    kernel, fewest = ESTIMATORS[estimator]
    o, h, lo, c = (np.asarray(v, dtype=float) for v in (open, high, low, close))
    if not (o.shape == h.shape == lo.shape == c.shape) or o.ndim == 0:
        raise InputError("candles", "must give open, high, low and close of one shape")
    for name, arr in (("open", o), ("high", h), ("low", lo), ("close", c)):
        if not np.isfinite(arr).all() or (arr <= 0).any():
            raise InputError("candles", f"must have finite prices > 0 ({name})")
    if (h < np.maximum(o, c)).any() or (lo > np.minimum(o, c)).any():
        raise InputError("candles", "must have high >= open, close >= low")
    if o.shape[0] < fewest:
        raise InputError("candles", f"must hold at least {fewest} candles for {estimator}", o.shape[0])
    if not (math.isfinite(interval_years) and interval_years > 0):
        raise InputError("interval_years", "must be > 0", interval_years)
    variance = np.maximum(kernel(o, h, lo, c), 0.0)
    sigma = np.sqrt(variance / interval_years)
    return float(sigma) if np.ndim(sigma) == 0 else sigma
