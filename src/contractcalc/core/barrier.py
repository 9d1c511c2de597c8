"""The chance that a price following geometric Brownian motion touches a barrier within a horizon.

The price follows ``dS = μ S dt + σ S dW``, so its logarithm ``X_t = ln(S_t/S_0)``
is a Brownian motion with drift ``ν = μ − σ²/2`` and volatility ``σ`` (both
annual; years of 365 days, crypto trading around the clock).  A barrier ``B``
sits at the log distance ``d = |ln(B/S_0)|`` from the price.

**One barrier** (reflection principle with drift).  With ``m`` the log drift
*towards* the barrier (``ν`` for a barrier above, ``−ν`` below) the chance of
touching it by ``T`` is

.. math::

    P(d, T) = Φ\\Big(\\frac{-d + mT}{σ\\sqrt T}\\Big)
            + e^{2 m d / σ²}\\, Φ\\Big(\\frac{-d - mT}{σ\\sqrt T}\\Big),

which for ``ν = 0`` is ``2 Φ(−d / (σ√T))`` and for ``T → ∞`` is 1 when
``m >= 0`` and ``e^{2md/σ²}`` otherwise.

**Two barriers** ``L < S_0 < U`` (``a = ln(S_0/L)``, ``c = ln(U/S_0)``,
``w = a + c``): the chance that the lower is touched first by ``T``, that the
upper is, or neither.  Two series give them exactly:

- the **method of images** (Kunitomo & Ikeda 1992, flat barriers): the flux
  of the killed density through ``U`` is a sum of one-barrier first-passage
  densities of the images ``2nw`` of the start, so

  .. math:: P_U(T) = \\sum_{n=-∞}^{∞} e^{2νnw/σ²}\\, \\mathrm{sgn}(d_n)\\, P(|d_n|, T),
            \\quad d_n = c - 2nw,

  each term the one-barrier chance above with the drift towards its level
  (``ν`` for ``d_n > 0``, ``−ν`` otherwise); ``P_L`` mirrors it (``ν → −ν``,
  ``a ↔ c``).  Its terms fall like ``exp(−2n²w²/(σ²T))``: fast for short horizons.
- the **Fourier (eigenfunction) series** of the killed density,
  ``λ_n = n²π²σ²/(2w²)``, ``κ_n = λ_n + ν²/(2σ²)``:

  .. math::

     P_L(T) &= P_L(∞) - \\frac{σ²}{w} \\sum_{n≥1} \\frac{nπ}{w} \\sin\\frac{nπa}{w}
               \\frac{e^{-νa/σ² - κ_n T}}{κ_n}, \\\\
     P_U(T) &= P_U(∞) - \\frac{σ²}{w} \\sum_{n≥1} (-1)^{n+1} \\frac{nπ}{w} \\sin\\frac{nπa}{w}
               \\frac{e^{νc/σ² - κ_n T}}{κ_n},

  whose terms fall like ``exp(−n²π²σ²T/(2w²))``: fast for long horizons.

Each element uses the faster one and sums until the next term (its bound, for
Fourier) is below ``1e-12``.  Per term the two converge equally fast at
``σ²T/w² = 2/π``, but a Fourier term costs a fraction of an image term (no
``erfc``), so images are used only below ``σ²T/w² = 0.1`` (at most two image
terms; Fourier needs about ten there, and more the shorter the horizon).
The no-horizon limit (gambler's ruin with drift, ``k = 2ν/σ²``) is
``P_U(∞) = (1 − e^{−ka}) / (1 − e^{−kw})``, ``a / (a + c)`` when ``ν = 0``.

**Discrete monitoring** (Broadie, Glasserman & Kou 1997): a barrier checked
every ``Δt`` is touched about as often as a continuously monitored barrier
moved away from the price by the factor ``e^{β σ √Δt}``, ``β = −ζ(1/2)/√(2π) ≈ 0.5826``.

The kernels (names starting with ``_``) take clean float arrays and do no
checks; the public functions validate once and broadcast.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from contractcalc.errors import InputError

__all__ = [
    "BGK_BETA",
    "DAYS_PER_YEAR",
    "SERIES_TOLERANCE",
    "discrete_barrier_shift",
    "exit_probabilities",
    "exit_probabilities_no_horizon",
    "normal_cdf",
    "touch_probability",
]

Array = npt.NDArray[np.float64]

#: Years are 365 days: crypto trades around the clock.
DAYS_PER_YEAR = 365
#: Broadie-Glasserman-Kou's constant −ζ(1/2)/√(2π).
BGK_BETA = 0.5826
#: A series stops once its next term is below this.
SERIES_TOLERANCE = 1e-12
#: Images are summed below this ``σ²T/w²``, Fourier above.  Per term the rates ``2/x`` and ``π²x/2``
#: meet at ``2/π``, but an image term costs several Fourier terms: measured, the cheaper choice is lower.
_IMAGES_BELOW = 0.1
_MAX_TERMS = 10_000

# ---------------------------------------------------------------------------
# The normal distribution without SciPy: W. J. Cody's rational approximations
# of erfc (Math. Comp. 23 (1969) 631-637, the netlib specfun CALERF algorithm),
# accurate to about 1e-16 relative, on whole arrays.

_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03,
      1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
      8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
      2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
      3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
      6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
      2.33520497626869185e-3)
_SQRT2 = math.sqrt(2)
_LOG_HALF = math.log(0.5)


def _erfcx(y: Array) -> Array:
    """``exp(y²)·erfc(y)`` for ``y >= 0`` (no overflow or underflow for large ``y``).

    The middle interval's rational function is evaluated on the whole array (most
    arguments fall there), then the few elements of the other two intervals are replaced.
    """
    y = np.asarray(y, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        num = np.multiply(_C[8], y, out=np.empty_like(y))  # arrays (0-d too), so the updates stay in place
        den = np.array(y, copy=True)
        for i in range(7):
            num += _C[i]
            num *= y
            den += _D[i]
            den *= y
        num += _C[7]
        den += _D[7]
        out = np.divide(num, den, out=num)
    small = y <= 0.46875
    if small.any():
        z = y[small]
        ysq = z * z
        num, den = _A[4] * ysq, ysq
        for i in range(3):
            num = (num + _A[i]) * ysq
            den = (den + _B[i]) * ysq
        out[small] = np.exp(ysq) * (1 - z * (num + _A[3]) / (den + _B[3]))
    large = y > 4.0
    if large.any():
        z = y[large]
        inv = 1 / (z * z)
        num, den = _P[5] * inv, inv
        for i in range(4):
            num = (num + _P[i]) * inv
            den = (den + _Q[i]) * inv
        out[large] = (1 / math.sqrt(math.pi) - inv * (num + _P[4]) / (den + _Q[4])) / z
    return out


def _log_ncdf(x: Array) -> Array:
    """``ln Φ(x)``, accurate in both tails."""
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    neg = x <= 0
    if neg.any():
        z = x[neg]
        out[neg] = _LOG_HALF + np.log(_erfcx(-z / _SQRT2)) - z * z / 2
    pos = ~neg
    if pos.any():
        z = x[pos]
        out[pos] = np.log1p(-0.5 * _erfcx(z / _SQRT2) * np.exp(-z * z / 2))
    return out


def _ncdf(x: Array) -> Array:
    """``Φ(x)`` on an array (kernel)."""
    x = np.asarray(x, dtype=float)
    t = np.abs(x) / _SQRT2
    tail = 0.5 * _erfcx(t) * np.exp(-t * t)
    return np.where(x < 0, tail, 1 - tail)


def normal_cdf(x: Any) -> Any:
    """The standard normal distribution function ``Φ(x) = erfc(−x/√2)/2``, on arrays (no SciPy).

    >>> round(float(normal_cdf(1.959963984540054)), 12)
    0.975
    >>> float(normal_cdf(-10))
    7.619853024160...e-24
    """
    arr = np.asarray(x, dtype=float)
    out = _ncdf(np.atleast_1d(arr)).reshape(arr.shape)
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------------------------------
# Kernels (clean float arrays, no checks)


def _touch(d: Any, m: Any, sigma: Any, t: Any) -> Array:
    """One barrier at log distance ``d >= 0``, log drift ``m`` towards it: the chance of a touch by ``t``.

    ``t`` may be ``inf`` (the no-horizon limit) or 0.
    """
    d, m, sigma, t = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (d, m, sigma, t)))
    d, m, sigma, t = (np.ravel(v) for v in (d, m, sigma, t))
    var = sigma * sigma
    out = np.zeros_like(d)
    finite = np.isfinite(t) & (t > 0)
    if finite.all():
        out = _touch_finite(d, m, var, t)
    elif finite.any():
        out[finite] = _touch_finite(d[finite], m[finite], var[finite], t[finite])
    forever = np.isinf(t)
    if forever.any():
        out[forever] = np.exp(np.minimum(0, 2 * m[forever] * d[forever] / var[forever]))
    out[d <= 0] = 1.0
    return np.minimum(out, 1.0)  # type: ignore[no-any-return]


def _touch_finite(d: Array, m: Array, var: Array, t: Any) -> Array:
    """The reflection formula for ``0 < t < inf``, written so that nothing overflows.

    With ``z₁ = (mT − d)/(σ√T)`` and ``z₂ = (−d − mT)/(σ√T)``: ``P = Φ(z₁) + e^{2md/σ²} Φ(z₂)``.
    Where ``z₂ <= 0``, ``2md/σ² − z₂²/2 = −z₁²/2``, so the second term is
    ``½ erfcx(−z₂/√2) e^{−z₁²/2}``, sharing ``e^{−z₁²/2}`` with the first; where ``z₂ > 0``
    (a drift away from the barrier) ``e^{2md/σ²} <= 1`` and the product is taken as it is.
    """
    # u = z/√2, so that Φ(z) = ½ erfc(−u) and e^{−z²/2} = e^{−u²}
    scale = 1 / np.sqrt(2 * var * t)
    mt = m * t
    u1 = (mt - d) * scale
    u2 = (-d - mt) * scale
    gauss = np.exp(-u1 * u1)
    tail = 0.5 * _erfcx(np.abs(u1)) * gauss  # Φ(−|z₁|)
    first = np.where(u1 < 0, tail, 1 - tail)
    second = 0.5 * _erfcx(np.abs(u2)) * gauss
    away = u2 > 0
    if away.any() and np.ndim(second) == 0:  # one position (0-d inputs give NumPy scalars: no item assignment)
        second = np.exp(2 * m * d / var) * _ncdf(_SQRT2 * u2)
    elif away.any():
        second[away] = np.exp(2 * m[away] * d[away] / var[away]) * _ncdf(_SQRT2 * u2[away])
    return first + second  # type: ignore[no-any-return]


def _no_horizon(a: Array, c: Array, nu: Array, sigma: Array) -> tuple[Array, Array]:
    """``(P_L(∞), P_U(∞))`` for barriers ``a`` below and ``c`` above (log distances > 0)."""
    k = 2 * nu / (sigma * sigma)
    w = a + c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # the same ratio written so that no exponential overflows: k > 0 and k < 0
        up_pos = np.expm1(-k * a) / np.expm1(-k * w)
        up_neg = np.exp(k * c) * np.expm1(k * a) / np.expm1(k * w)
    # expm1 keeps its relative accuracy down to the smallest normal doubles; below (a subnormal
    # k·w) the ratio is a/w to every digit a double holds
    driftless = np.abs(k * w) < 1e-250
    upper = np.where(driftless, a / w, np.where(k > 0, up_pos, up_neg))
    upper = np.clip(upper, 0.0, 1.0)
    return 1 - upper, upper


def _images_side(near: Array, far: Array, nu: Array, sigma: Array, t: Array) -> Array:
    """``P(the barrier at log distance `near` above is touched first by t)``, the other at ``far`` below.

    The method-of-images series: ``Σ_n e^{2νnw/σ²} sgn(d_n) P(|d_n|, t)``, ``d_n = near − 2nw``,
    summed outwards from ``n = 0``; an element leaves the sum once both its new terms are below the
    tolerance.
    """

    def term(n: int, near: Array, w: Array, nu: Array, var: Array, t: Array, root: Array) -> Array:
        dn = near - 2 * n * w
        dist = np.abs(dn)
        m = np.where(dn > 0, nu, -nu)  # drift towards the image's level
        weight = 2 * nu * n * w / var
        first = weight + _log_ncdf((m * t - dist) / root)
        second = weight + 2 * m * dist / var + _log_ncdf((-dist - m * t) / root)
        return np.sign(dn) * (np.exp(first) + np.exp(second))  # type: ignore[no-any-return]

    w = near + far
    var = sigma * sigma
    root = np.sqrt(var * t)
    total = term(0, near, w, nu, var, t, root)
    active = np.arange(near.shape[0])
    args = (near, w, nu, var, t, root)
    for n in range(1, _MAX_TERMS):
        plus, minus = term(n, *args), term(-n, *args)
        total[active] += plus + minus
        going = np.maximum(np.abs(plus), np.abs(minus)) >= SERIES_TOLERANCE
        if not going.any():
            break
        active = active[going]
        args = tuple(v[going] for v in args)  # type: ignore[assignment]
    return total


def _exit_images(a: Array, c: Array, nu: Array, sigma: Array, t: Array) -> tuple[Array, Array]:
    upper = _images_side(c, a, nu, sigma, t)
    lower = _images_side(a, c, -nu, sigma, t)
    return lower, upper


def _exit_fourier(a: Array, c: Array, nu: Array, sigma: Array, t: Array) -> tuple[Array, Array]:
    lower_inf, upper_inf = _no_horizon(a, c, nu, sigma)
    var = sigma * sigma
    w = a + c
    drift_rate = nu * nu / (2 * var)
    tilt_lower = -nu * a / var
    tilt_upper = nu * c / var
    tilt_max = np.maximum(tilt_lower, tilt_upper)
    lower_sum = np.zeros_like(a)
    upper_sum = np.zeros_like(a)
    active = np.arange(a.shape[0])
    args = (a, w, var, drift_rate, tilt_lower, tilt_upper, tilt_max, t)
    for n in range(1, _MAX_TERMS):
        aa, ww, vv, dr, tl, tu, tm, tt = args
        k = n * math.pi / ww
        kappa = vv * k * k / 2 + dr
        common = vv / ww * k / kappa
        decay = -kappa * tt
        s = common * np.sin(k * aa)
        sign = 1.0 if n % 2 else -1.0
        lower_sum[active] += s * np.exp(tl + decay)
        upper_sum[active] += sign * s * np.exp(tu + decay)
        # sin(nπa/w) can vanish for one n while later terms do not: stop on the term's bound
        going = common * np.exp(tm + decay) >= SERIES_TOLERANCE
        if not going.any():
            break
        active = active[going]
        args = tuple(v[going] for v in args)  # type: ignore[assignment]
    return lower_inf - lower_sum, upper_inf - upper_sum


def _exit(a: Any, c: Any, nu: Any, sigma: Any, t: Any) -> tuple[Array, Array, Array]:
    """``(lower first, upper first, neither)`` by ``t`` for barriers ``a`` below, ``c`` above (log distances).

    Kernel: float arrays of one shape, ``a, c, sigma > 0``, ``t >= 0`` (``inf`` allowed).
    """
    a, c, nu, sigma, t = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, c, nu, sigma, t)))
    shape = a.shape
    a, c, nu, sigma, t = (np.ravel(v) for v in (a, c, nu, sigma, t))
    lower = np.zeros_like(a)
    upper = np.zeros_like(a)
    forever = np.isinf(t)
    if forever.any():
        lower[forever], upper[forever] = _no_horizon(a[forever], c[forever], nu[forever], sigma[forever])
    ratio = sigma * sigma * t / ((a + c) ** 2)
    live = np.isfinite(t) & (t > 0)
    for mask, kernel in ((live & (ratio < _IMAGES_BELOW), _exit_images),
                         (live & (ratio >= _IMAGES_BELOW), _exit_fourier)):
        if mask.any():
            lower[mask], upper[mask] = kernel(a[mask], c[mask], nu[mask], sigma[mask], t[mask])
    lower = np.clip(lower, 0.0, 1.0)
    upper = np.clip(upper, 0.0, 1.0)
    neither = np.clip(1 - lower - upper, 0.0, 1.0)
    return lower.reshape(shape), upper.reshape(shape), neither.reshape(shape)


# ---------------------------------------------------------------------------
# Public, validated functions (prices and annual figures)


def _floats(name: str, value: Any, *, positive: bool = False, allow_inf: bool = False) -> Array:
    arr = np.asarray(value, dtype=float) if not isinstance(value, np.ndarray) else value.astype(float)
    bad = np.isnan(arr) | (np.isinf(arr) if not allow_inf else np.isneginf(arr))
    if bad.any():
        raise InputError(name, "must be a finite number", _first(value, bad))
    if positive and (arr <= 0).any():
        raise InputError(name, "must be > 0", _first(value, arr <= 0))
    return arr


def _first(value: Any, mask: Any) -> Any:
    arr = np.asarray(value)
    return arr.ravel()[int(np.argmax(np.ravel(mask)))].item() if arr.ndim else arr.item()


def _horizon(horizon_years: Any) -> Array:
    t = _floats("horizon_years", horizon_years, allow_inf=True)
    if (t < 0).any():
        raise InputError("horizon_years", "must be >= 0", _first(horizon_years, t < 0))
    return t


def _shape_out(value: Array) -> Any:
    return float(value) if value.ndim == 0 else value


def discrete_barrier_shift(volatility: Any, interval_years: Any) -> Any:
    """Broadie-Glasserman-Kou's factor ``e^{β σ √Δt}`` that moves a discretely checked barrier away.

    A barrier below the price is divided by it, one above multiplied: the
    continuous formulas then give the chance of a touch seen at the checks.
    At 80 % volatility checked hourly: ``e^{0.5826 × 0.8 × √(1/8760)}``.

    >>> round(discrete_barrier_shift(0.8, 1 / 8760), 6)
    1.00499
    """
    sigma = _floats("volatility", volatility, positive=True)
    dt = _floats("interval_years", interval_years)
    if (dt < 0).any():
        raise InputError("interval_years", "must be >= 0", _first(interval_years, dt < 0))
    return _shape_out(np.exp(BGK_BETA * sigma * np.sqrt(dt)))


def touch_probability(
    price: Any, barrier: Any, volatility: Any, horizon_years: Any, drift: Any = 0.0, monitoring_years: Any = 0.0
) -> Any:
    """The chance that the price touches ``barrier`` (below or above it) within the horizon.

    Reflection principle with drift (module docstring): ``ν = drift − σ²/2``,
    ``b = ln(B/S₀)``; for ``b < 0``
    ``Φ((b − νT)/(σ√T)) + e^{2νb/σ²} Φ((b + νT)/(σ√T))``, mirrored above.
    ``horizon_years`` may be ``inf`` (will it ever touch?).  A
    ``monitoring_years`` > 0 applies the discrete-monitoring correction.

    With ``ν = 0`` (drift = σ²/2) it is ``2Φ(b/(σ√T))``: a barrier 10 % below
    at 80 % volatility over 30 days is touched with probability
    ``2Φ(ln 0.9 / (0.8 √(30/365)))``:

    >>> round(touch_probability(100, 90, 0.8, 30 / 365, drift=0.32), 6)
    0.64596
    >>> touch_probability(100, 90, 0.8, float("inf"), drift=0.32)
    1.0
    """
    s0 = _floats("price", price, positive=True)
    b = _floats("barrier", barrier, positive=True)
    sigma = _floats("volatility", volatility, positive=True)
    t = _horizon(horizon_years)
    mu = _floats("drift", drift)
    dt = _floats("monitoring_years", monitoring_years)
    if (dt < 0).any():
        raise InputError("monitoring_years", "must be >= 0", _first(monitoring_years, dt < 0))
    nu = mu - sigma * sigma / 2
    log_b = np.log(b / s0)
    d = np.abs(log_b) + np.where(log_b != 0, BGK_BETA * sigma * np.sqrt(dt), 0.0)
    m = np.where(log_b >= 0, nu, -nu)
    shape = np.broadcast_shapes(s0.shape, b.shape, sigma.shape, t.shape, mu.shape, dt.shape)
    return _shape_out(_touch(d, m, sigma, t).reshape(shape))


def exit_probabilities(
    price: Any,
    lower: Any,
    upper: Any,
    volatility: Any,
    horizon_years: Any,
    drift: Any = 0.0,
    monitoring_years: Any = 0.0,
) -> tuple[Any, Any, Any]:
    """``(lower first, upper first, neither)``: which of two barriers the price touches first within the horizon.

    Method-of-images or Fourier series, whichever converges faster (module
    docstring); ``horizon_years = inf`` gives the no-horizon limit.  Requires
    ``lower < price < upper``.

    Zero log drift (drift = σ²/2) and no horizon: ``P_L = c/(a + c)``,
    ``a = ln(S₀/L)``, ``c = ln(U/S₀)``.  At 100 between 80 and 125 the barriers
    are at equal log distances, so each is first half of the time:

    >>> [round(p, 12) for p in exit_probabilities(100, 80, 125, 0.5, float("inf"), drift=0.125)]
    [0.5, 0.5, 0.0]
    >>> [round(p, 6) for p in exit_probabilities(100, 80, 125, 0.5, 1 / 12, drift=0.125)]
    [0.122105, 0.122105, 0.75579]
    """
    s0 = _floats("price", price, positive=True)
    lo = _floats("lower", lower, positive=True)
    up = _floats("upper", upper, positive=True)
    if (lo >= s0).any():
        raise InputError("lower", "must be below the price", _first(np.broadcast_to(lo, np.broadcast_shapes(
            lo.shape, s0.shape)), np.broadcast_to(lo >= s0, np.broadcast_shapes(lo.shape, s0.shape))))
    if (up <= s0).any():
        raise InputError("upper", "must be above the price", _first(np.broadcast_to(up, np.broadcast_shapes(
            up.shape, s0.shape)), np.broadcast_to(up <= s0, np.broadcast_shapes(up.shape, s0.shape))))
    sigma = _floats("volatility", volatility, positive=True)
    t = _horizon(horizon_years)
    mu = _floats("drift", drift)
    dt = _floats("monitoring_years", monitoring_years)
    if (dt < 0).any():
        raise InputError("monitoring_years", "must be >= 0", _first(monitoring_years, dt < 0))
    shift = BGK_BETA * sigma * np.sqrt(dt)
    a = np.log(s0 / lo) + shift
    c = np.log(up / s0) + shift
    nu = mu - sigma * sigma / 2
    low, high, neither = _exit(a, c, nu, sigma, t)
    return _shape_out(low), _shape_out(high), _shape_out(neither)


def exit_probabilities_no_horizon(price: Any, lower: Any, upper: Any, volatility: Any, drift: Any = 0.0) -> Any:
    """``(lower first, upper first)`` with no time limit: gambler's ruin for Brownian motion with drift.

    ``k = 2ν/σ²``: ``P_U = (1 − e^{−ka}) / (1 − e^{−k(a + c)})``; ``ν = 0``:
    ``P_L = c/(a + c)``, ``P_U = a/(a + c)``.  Entry 100, stop 90, target
    120, zero log drift: ``ln(10/9) / ln(12/9)`` for the target.

    >>> [round(p, 6) for p in exit_probabilities_no_horizon(100, 90, 120, 0.6, drift=0.18)]
    [0.633761, 0.366239]
    """
    low, high, _ = exit_probabilities(price, lower, upper, volatility, float("inf"), drift)
    return low, high
