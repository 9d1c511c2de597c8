"""A deliberately plain reference for :mod:`contractcalc.core.barrier`: scalar floats, textbook series.

Nothing here is clever or fast: the one-barrier chance is the reflection
formula as printed (``math.erfc``, no log space), the two-barrier chances are
the method-of-images series summed over a fixed ``|n| <= 60`` (no choice of
series, no stopping rule; enough while ``σ²T/(a + c)² <= 4``), and the no-horizon limit is the gambler's-ruin
ratio ``(e^{ka} − 1)/(e^{ka} − e^{−kc})``.  It exists to check the fast
kernels in the tests, on moderate inputs (no overflow handling).

Notation: ``a = ln(S₀/L)``, ``c = ln(U/S₀)`` (log distances), ``ν`` the log
drift, ``σ`` the volatility, ``T`` years.
"""

from __future__ import annotations

import math

__all__ = ["reference_exit", "reference_exit_no_horizon", "reference_touch"]


def _phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def _times(log_weight: float, p: float) -> float:
    """``e^{log_weight} × p`` without overflow when ``p`` is tiny (0 when ``p`` underflowed)."""
    return 0.0 if p == 0 else math.exp(log_weight + math.log(p))


def reference_touch(d: float, m: float, sigma: float, t: float, log_weight: float = 0.0) -> float:
    """Touch within ``t`` of a barrier at log distance ``d > 0``, ``m`` the log drift towards it.

    ``log_weight``: the result is multiplied by ``e^{log_weight}`` (for the images series).
    """
    root = sigma * math.sqrt(t)
    return (_times(log_weight, _phi((-d + m * t) / root))
            + _times(log_weight + 2 * m * d / sigma**2, _phi((-d - m * t) / root)))


def _first_upper(c: float, a: float, nu: float, sigma: float, t: float, terms: int) -> float:
    w = a + c
    total = 0.0
    for n in range(-terms, terms + 1):
        dn = c - 2 * n * w
        toward = nu if dn > 0 else -nu
        sign = 1.0 if dn > 0 else -1.0
        total += sign * reference_touch(abs(dn), toward, sigma, t, log_weight=2 * nu * n * w / sigma**2)
    return total


def reference_exit(a: float, c: float, nu: float, sigma: float, t: float, terms: int = 60) -> tuple[float, float]:
    """``(lower first, upper first)`` by ``t``: images series with a fixed number of terms."""
    upper = _first_upper(c, a, nu, sigma, t, terms)
    lower = _first_upper(a, c, -nu, sigma, t, terms)
    return lower, upper


def reference_exit_no_horizon(a: float, c: float, nu: float, sigma: float) -> tuple[float, float]:
    """``(lower first, upper first)`` with no time limit (scale function of drifted Brownian motion)."""
    if nu == 0:
        return c / (a + c), a / (a + c)
    k = 2 * nu / sigma**2
    upper = (math.exp(k * a) - 1) / (math.exp(k * a) - math.exp(-k * c))
    return 1 - upper, upper
