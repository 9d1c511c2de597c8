"""The chance of liquidation, or of the stop before the target, within a horizon.

:func:`risk` answers "how likely am I to get there by tomorrow?" for one
position (or a whole book in one call, closed form): the price follows
geometric Brownian motion with annual volatility ``σ`` and drift ``μ``
(``--drift``, 0 by default: the price is a martingale, its logarithm drifts
at ``ν = μ − σ²/2``), and

- ``liquidation_probability`` is the chance that the price touches the
  liquidation price within the horizon, as if no stop or target were set
  (one barrier, :func:`contractcalc.core.barrier.touch_probability`);
- with both a stop and a target, ``stop_probability``, ``target_probability``
  and ``neither_probability`` say which is touched first (two barriers,
  :func:`contractcalc.core.barrier.exit_probabilities`); with only one of them,
  its one-barrier chance, the others ``None``.

The liquidation price is ``liquidation_price=`` or the exchange's, computed
once by :func:`contractcalc.liquidation_price` from the same keywords as the
``liquidation`` command.  ``monitoring`` an interval (``"1h"``) checks the
barriers only then (Broadie-Glasserman-Kou's shift in the closed form; the
paths checked at those times in Monte Carlo).

``method="monte-carlo"`` estimates the same figures from simulated paths
(:func:`simulate_exit`): log returns drawn from the normal distribution
(``returns="gbm"``), a Student-t scaled to the same variance
(``"student-t"``), or the candles' own standardised log returns resampled
(``"bootstrap"``); between two steps the chance that the path crossed a
barrier is the Brownian bridge's ``exp(−2 (x₀ − b)(x₁ − b) / (σ² Δt))``, so the
estimate is of the continuously monitored answer, not a biased discrete one.
Each path contributes its conditional chance (no second random draw), the
standard error is the paths' standard deviation over ``√paths``, and paths
are simulated in chunks of :data:`CHUNK_PATHS` so memory does not grow with
their number.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from contractcalc.core import barrier
from contractcalc.core.numeric import check_results, is_array, number, side_sign
from contractcalc.core.volatility import ESTIMATORS, annual_volatility, interval_years
from contractcalc.errors import InputError

__all__ = [
    "CHUNK_PATHS",
    "DEFAULT_PATHS",
    "DEFAULT_STEPS",
    "MAX_PATH_STEPS",
    "METHODS",
    "RESULT_KEYS",
    "RETURNS",
    "RiskResult",
    "duration_years",
    "first_touch_probabilities",
    "risk",
    "simulate_exit",
    "simulation_work",
    "touch_first",
]

Array = npt.NDArray[np.float64]

METHODS = ("closed-form", "monte-carlo")
RETURNS = ("gbm", "student-t", "bootstrap")
DEFAULT_PATHS = 100_000
DEFAULT_STEPS = 100
DEFAULT_DEGREES_OF_FREEDOM = 4
#: Paths simulated at once: about 10 float arrays of this length are alive at a time.
CHUNK_PATHS = 65_536
#: Monte Carlo's most work: paths x simulated steps (about a minute of CPU here, ~20M a second);
#: more is refused rather than left running for hours.
MAX_PATH_STEPS = 1_000_000_000

RESULT_KEYS = (
    "liquidation_price",
    "liquidation_probability",
    "stop_probability",
    "target_probability",
    "neither_probability",
    "volatility",
    "horizon_years",
    "standard_error",
)

_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_SECONDS_PER_YEAR = barrier.DAYS_PER_YEAR * 86400
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(s|min|m|h|d|w)\s*$", re.IGNORECASE)


def duration_years(name: str, value: Any) -> float:
    """A duration (``"90m"``, ``"24h"``, ``"7d"``, ``"1w"``, or a ``timedelta``) in years of 365 days.

    Units: ``s``, ``m`` (or ``min``), ``h``, ``d``, ``w``.  A bare number has
    no unit and is an error (is ``24`` hours or days?).

    >>> duration_years("horizon", "24h") * 365
    1.0
    >>> duration_years("horizon", "24")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'horizon' must be a duration with a unit (s, m, h, d, w), e.g. 24h (got '24')
    """
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    else:
        match = _DURATION.match(value) if isinstance(value, str) else None
        if match is None:
            raise InputError(name, "must be a duration with a unit (s, m, h, d, w), e.g. 24h", value)
        seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if not (math.isfinite(seconds) and seconds > 0):
        raise InputError(name, "must be > 0", value if not isinstance(value, timedelta) else str(value))
    return seconds / _SECONDS_PER_YEAR


@dataclass(frozen=True)
class RiskResult:
    """What :func:`risk` answers; :meth:`to_dict` gives exactly the ``--json`` keys.

    Scalars for one position, arrays for a book.  ``None`` where a figure does
    not apply; ``standard_error`` (the largest of the reported probabilities'
    standard errors, each in :attr:`standard_errors`) only for Monte Carlo.
    """

    liquidation_price: Any
    liquidation_probability: Any
    stop_probability: Any
    target_probability: Any
    neither_probability: Any
    volatility: Any
    horizon_years: float
    standard_error: float | None = None
    standard_errors: Mapping[str, float] | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object: the keys of :data:`RESULT_KEYS`, in that order."""
        return {key: getattr(self, key) for key in RESULT_KEYS}


# ---------------------------------------------------------------------------
# Validation helpers


def _floats(name: str, value: Any) -> Any:
    """A validated number as float (scalar) or float array."""
    value = number(name, value)
    if is_array(value):
        return np.asarray(value, dtype=float)
    x = float(value)
    if not math.isfinite(x):  # a Decimal beyond the double range (1e400): finite, but not as a float
        from contractcalc.errors import OutOfRange

        raise OutOfRange(name, "is too large to compute with (at most 1.8e308)", value)
    return x


def _positive(name: str, value: Any) -> Any:
    x = _floats(name, value)
    bad = np.asarray(x) <= 0
    if bad.any():
        raise InputError(name, "must be > 0", _item(value, bad))
    return x


def _liquidation_levels(value: Any) -> Any:
    """Given liquidation prices: > 0; in an array NaN stands for "no price liquidates" (as the engine gives)."""
    if isinstance(value, list | tuple) or is_array(value):
        arr = np.asarray(value, dtype=float)
        known = ~np.isnan(arr)
        _positive("liquidation_price", arr[known])
        return arr
    return _positive("liquidation_price", value)


def _item(value: Any, bad: Any) -> Any:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return value
    return arr.ravel()[int(np.argmax(np.ravel(np.broadcast_to(bad, arr.shape))))].item()


def _count(name: str, value: Any, default: int) -> int:
    if value is None:
        return default
    try:
        count = int(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(name, "must be a whole number", value) from None
    if count != value:
        raise InputError(name, "must be a whole number", value)
    if count <= 0:
        raise InputError(name, "must be > 0", value)
    return count


def _simulated_steps(t: float, dt: float, steps: int | None) -> int:
    """Steps a Monte Carlo path takes: one per monitoring time (discrete), else ``steps`` with a bridge."""
    if dt > 0:  # discrete monitoring: the paths are checked at those times only
        return max(1, round(t / dt))
    return steps or DEFAULT_STEPS


def simulation_work(horizon: Any, monitoring: Any = "continuous", paths: Any = None, steps: Any = None) -> int:
    """Paths x steps that ``risk(method="monte-carlo", ...)`` would simulate (the inputs checked).

    >>> simulation_work("1d", paths=1000, steps=50)
    50000
    >>> simulation_work("30d", monitoring="1h", paths=1000)  # one step per hour: 720
    720000
    """
    t = duration_years("horizon", horizon)
    n_steps = _count("steps", steps, DEFAULT_STEPS) if steps is not None else None
    return _count("paths", paths, DEFAULT_PATHS) * _simulated_steps(t, _monitoring_years(monitoring), n_steps)


def _seed(seed: Any) -> int | None:
    if seed is None:
        return None
    if seed == 0 and not isinstance(seed, bool):
        return 0
    return _count("seed", seed, 0)


def _monitoring_years(monitoring: Any) -> float:
    if monitoring is None or (isinstance(monitoring, str) and monitoring.strip().lower() == "continuous"):
        return 0.0
    if not isinstance(monitoring, str | timedelta) or (isinstance(monitoring, str)
                                                       and _DURATION.match(monitoring) is None):
        raise InputError("monitoring", "must be 'continuous' or a duration like 1h", monitoring)
    return duration_years("monitoring", monitoring)


def _side_check(name: str, level: Any, price: Any, below: Any, given: Any) -> None:
    """``level`` must be strictly below ``price`` where ``below``, strictly above elsewhere."""
    ok = np.where(below, level < price, level > price)
    if not np.all(ok):
        where_bad = ~np.asarray(ok)
        value = _item(given, where_bad) if np.ndim(given) else given
        below_here = bool(np.ravel(np.broadcast_to(below, np.shape(where_bad)))[int(np.argmax(np.ravel(where_bad)))])
        side = "long" if (below_here == (name != "target")) else "short"
        relation = "below" if below_here else "above"
        raise InputError(name, f"must be {relation} the price for a {side}", value)


def _load_candles(candles: Any) -> Any:
    from contractcalc.io.candles import Candles, candles_from_rows, read_candles

    if isinstance(candles, Candles):
        return candles
    if isinstance(candles, str | os.PathLike):
        return read_candles(candles)
    return candles_from_rows(candles)


# ---------------------------------------------------------------------------
# Closed form


def _closed_form(
    s: Any, price: Any, liq: Any, stop: Any, target: Any, sigma: Any, t: float, mu: Any, dt: float
) -> dict[str, Any]:
    nu = mu - sigma * sigma / 2
    shift = barrier.BGK_BETA * sigma * math.sqrt(dt) if dt > 0 else None
    shift0 = 0.0 if shift is None else shift
    out: dict[str, Any] = {}
    if liq is not None:
        valid = np.isfinite(liq)  # NaN: no price liquidates the position
        d = np.abs(np.log(np.where(valid, liq, price) / price) if not valid.all() else np.log(liq / price))
        if shift is not None:
            d = d + shift
        # validated: every liquidation price is strictly on its side (d > 0) and 0 < t < inf
        d, m, var = np.broadcast_arrays(d, -s * nu, sigma * sigma)
        p = barrier._touch_finite(d, m, var, t)
        out["liquidation_probability"] = p if valid.all() else np.where(valid, p, 0.0)
    if stop is not None and target is not None:
        a = np.where(s > 0, np.log(price / stop), np.log(price / target)) + shift0
        c = np.where(s > 0, np.log(target / price), np.log(stop / price)) + shift0
        lower, upper, neither = barrier._exit(a, c, nu, sigma, t)
        out["stop_probability"] = np.where(s > 0, lower, upper)
        out["target_probability"] = np.where(s > 0, upper, lower)
        out["neither_probability"] = neither
    else:
        for name, level, toward in (("stop", stop, -s), ("target", target, s)):
            if level is not None:
                d = np.abs(np.log(level / price)) + shift0
                shape = np.shape(d)
                p = barrier._touch(d, toward * nu, np.broadcast_to(sigma, shape), np.broadcast_to(t, shape))
                out[f"{name}_probability"] = p.reshape(shape)
    return out


# ---------------------------------------------------------------------------
# Monte Carlo


@dataclass(frozen=True)
class _Barriers:
    """One group of barriers in log price relative to the start (``-inf``/``inf``: none)."""

    lower: float
    upper: float


def simulate_exit(
    groups: Sequence[tuple[float, float]],
    *,
    nu: float,
    sigma: float,
    horizon_years: float,
    paths: int,
    steps: int,
    rng: np.random.Generator,
    returns: str = "gbm",
    degrees_of_freedom: float = DEFAULT_DEGREES_OF_FREEDOM,
    residuals: Array | None = None,
    bridge: bool = True,
) -> list[tuple[float, float, float, float, float, float]]:
    """Monte Carlo kernel: for each group ``(lower, upper)`` of log barriers, who is touched first by the horizon.

    Returns per group ``(P_lower, P_upper, P_neither, se_lower, se_upper, se_neither)``.
    Log returns per step are ``ν Δt + σ √Δt z`` with ``z`` standard normal,
    Student-t over ``√(df/(df − 2))`` or drawn from ``residuals``.  Per step
    each path adds its survival weight times the bridge crossing chance
    (``bridge=False``: a barrier counts only when a step ends beyond it, the
    discretely monitored answer).  Unchecked kernel: ``lower < 0 < upper``.
    """
    dt = horizon_years / steps
    drift_step = nu * dt
    scale = sigma * math.sqrt(dt)
    inv_var = 1 / (sigma * sigma * dt)
    t_scale = math.sqrt((degrees_of_freedom - 2) / degrees_of_freedom) if returns == "student-t" else 1.0
    n_groups = len(groups)
    sums = np.zeros((n_groups, 3))
    squares = np.zeros((n_groups, 3))
    factor = -2 * inv_var
    done = 0
    while done < paths:
        n = min(CHUNK_PATHS, paths - done)
        done += n
        # every array below is allocated once per chunk and updated in place
        x = np.zeros(n)
        z = np.empty(n)
        gap = np.empty(n)
        prob = np.empty(n)
        share = np.empty(n)
        alive = [np.ones(n) for _ in groups]
        hit_low = [np.zeros(n) for _ in groups]
        hit_up = [np.zeros(n) for _ in groups]
        # the previous step's distances to each barrier (clamped at 0: a path beyond stays beyond)
        last_low = [np.full(n, -low) for low, _ in groups]
        last_up = [np.full(n, up) for _, up in groups]
        for _ in range(steps):
            if returns == "gbm":
                rng.standard_normal(n, out=z)
            elif returns == "student-t":
                z[:] = rng.standard_t(degrees_of_freedom, n)
                z *= t_scale
            else:
                assert residuals is not None
                np.take(residuals, rng.integers(0, residuals.shape[0], n), out=z)
            z *= scale
            z += drift_step
            x += z
            for g, (low, up) in enumerate(groups):
                w = alive[g]
                for level, last, hits, above in ((low, last_low[g], hit_low[g], False),
                                                 (up, last_up[g], hit_up[g], True)):
                    if not math.isfinite(level):
                        continue
                    # distance to the barrier after the step, > 0 inside
                    if above:
                        np.subtract(level, x, out=gap)
                    else:
                        np.subtract(x, level, out=gap)
                    np.maximum(gap, 0.0, out=gap)
                    if bridge:
                        # Brownian bridge: exp(−2 g₀ g₁ / (σ²Δt)); 1 once the step ends beyond (g₁ = 0)
                        np.multiply(last, gap, out=prob)
                        prob *= factor
                        np.exp(prob, out=prob)
                    else:
                        np.less_equal(gap, 0.0, out=prob, casting="unsafe")
                    last[:] = gap
                    np.multiply(w, prob, out=share)
                    hits += share
                    w -= share
                if bridge and math.isfinite(low) and math.isfinite(up):
                    np.maximum(w, 0.0, out=w)  # both barriers within one step's reach (rare)
        for g in range(n_groups):
            for k, values in enumerate((hit_low[g], hit_up[g], alive[g])):
                sums[g, k] += values.sum()
                squares[g, k] += np.dot(values, values)
    mean = sums / paths
    var = np.maximum(squares / paths - mean * mean, 0.0) * paths / max(paths - 1, 1)
    se = np.sqrt(var / paths)
    return [(*(float(v) for v in mean[g]), *(float(v) for v in se[g])) for g in range(n_groups)]  # type: ignore[misc]


def _monte_carlo(
    s: int, price: float, liq: float | None, stop: float | None, target: float | None,
    sigma: float, t: float, mu: float, dt: float, *, paths: int, steps: int | None, rng: np.random.Generator,
    returns: str, degrees_of_freedom: float, residuals: Array | None,
) -> tuple[dict[str, Any], dict[str, float]]:
    nu = mu - sigma * sigma / 2
    inf = math.inf
    groups: list[tuple[float, float]] = []
    names: list[str] = []
    if liq is not None and math.isfinite(liq):
        b = math.log(liq / price)
        groups.append((b, inf) if b < 0 else (-inf, b))
        names.append("liquidation")
    if stop is not None or target is not None:
        low_level, up_level = (stop, target) if s > 0 else (target, stop)
        groups.append((math.log(low_level / price) if low_level is not None else -inf,
                       math.log(up_level / price) if up_level is not None else inf))
        names.append("pair")
    n_steps, bridge = _simulated_steps(t, dt, steps), dt <= 0
    results = simulate_exit(groups, nu=nu, sigma=sigma, horizon_years=t, paths=paths, steps=n_steps, rng=rng,
                            returns=returns, degrees_of_freedom=degrees_of_freedom, residuals=residuals,
                            bridge=bridge)
    out: dict[str, Any] = {}
    errors: dict[str, float] = {}
    for name, (p_low, p_up, p_none, se_low, se_up, se_none) in zip(names, results, strict=True):
        if name == "liquidation":
            out["liquidation_probability"] = p_low if liq is not None and liq < price else p_up
            errors["liquidation_probability"] = se_low if liq is not None and liq < price else se_up
            continue
        stop_p, target_p = (p_low, p_up) if s > 0 else (p_up, p_low)
        stop_se, target_se = (se_low, se_up) if s > 0 else (se_up, se_low)
        if stop is not None:
            out["stop_probability"], errors["stop_probability"] = stop_p, stop_se
        if target is not None:
            out["target_probability"], errors["target_probability"] = target_p, target_se
        if stop is not None and target is not None:
            out["neither_probability"], errors["neither_probability"] = p_none, se_none
    if liq is not None and not math.isfinite(liq):
        out["liquidation_probability"] = 0.0
    return out, errors


# ---------------------------------------------------------------------------
# The public calculator


def _liquidation_price(keywords: Mapping[str, Any]) -> Any:
    from contractcalc.engines.liquidation import liquidation_price

    result = liquidation_price(**{k: v for k, v in keywords.items() if v is not None})
    return result["liquidation_price"] if isinstance(result, Mapping) else result.liquidation_price


def _scalar_or_array(value: Any) -> Any:
    if value is None:
        return None
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def risk(
    side: Any,
    volatility: Any = None,
    horizon: Any = None,
    *,
    price: Any = None,
    liquidation_price: Any = None,
    exchange: str | None = None,
    entry: Any = None,
    quantity: Any = None,
    contracts: Any = None,
    contract_size: Any = None,
    leverage: Any = None,
    wallet_balance: Any = None,
    maintenance_margin_rate: Any = None,
    maintenance_amount: Any = None,
    tiers: Any = None,
    symbol: str | None = None,
    taker_fee_rate: Any = None,
    max_leverage: Any = None,
    extra_margin: Any = None,
    mark: Any = None,
    stop: Any = None,
    target: Any = None,
    drift: Any = 0,
    monitoring: Any = "continuous",
    method: str = "closed-form",
    paths: Any = None,
    steps: Any = None,
    seed: Any = None,
    rng: np.random.Generator | None = None,
    candles: Any = None,
    volatility_estimator: str | None = None,
    returns: str = "gbm",
    degrees_of_freedom: Any = None,
) -> RiskResult:
    """The chance of liquidation, and of the stop or the target first, within ``horizon``.

    Parameters
    ----------
    side : 'long' or 'short' (or an array of them)
    volatility : annual volatility as a fraction (0.8 = 80 %); or ``candles`` and ``volatility_estimator``
    horizon : a duration with a unit: ``"90m"``, ``"24h"``, ``"7d"``, ``"1w"`` (years are 365 days)
    price : the current price; default ``mark``, else ``entry``
    liquidation_price : the liquidation price; or ``exchange`` and the keywords of
        :func:`contractcalc.liquidation_price` (computed once)
    stop, target : stop-loss and take-profit prices
    drift : the price's annual drift ``μ`` (default 0: a martingale)
    monitoring : ``"continuous"`` or the interval at which the barriers are checked (``"1h"``)
    method : ``"closed-form"`` or ``"monte-carlo"`` (``paths``, ``steps``, ``seed`` or ``rng``,
        ``returns`` ``gbm``/``student-t``/``bootstrap``, ``degrees_of_freedom``)
    candles : a candle file (ccxt JSON rows or CSV), rows, or :class:`~contractcalc.io.candles.Candles`

    The long of the liquidation command's Bybit example (entry 10,000, 50x,
    liquidation 9,850) at 80 % volatility: touched within a day with
    probability ``Φ(z₋) + e^{2νb/σ²} Φ(z₊)``, ``b = ln 0.985``,
    ``ν = −σ²/2``, a 1.5 % fall being about 0.36 of a day's standard deviation:

    >>> result = risk("long", 0.8, "24h", price=10000, liquidation_price=9850)
    >>> round(result.liquidation_probability, 4), result.stop_probability
    (0.7236, None)
    >>> r = risk("long", 0.8, "7d", price=20000, stop=18000, target=24000)
    >>> round(r.stop_probability + r.target_probability + r.neither_probability, 12)
    1.0
    """
    s = side_sign(side)
    t = duration_years("horizon", horizon) if horizon is not None else None
    if t is None:
        raise InputError("horizon", "is required (a duration like 24h)")
    if method not in METHODS:
        raise InputError("method", "must be closed-form or monte-carlo", method)
    if returns not in RETURNS:
        raise InputError("returns", "must be one of " + ", ".join(RETURNS), returns)
    dt = _monitoring_years(monitoring)
    mu = _floats("drift", drift if drift is not None else 0)

    # volatility: given, or estimated from candles
    loaded = None
    if volatility_estimator is not None and volatility_estimator not in ESTIMATORS:
        raise InputError("volatility_estimator", "must be one of " + ", ".join(ESTIMATORS), volatility_estimator)
    if volatility is not None and volatility_estimator is not None:
        raise InputError("volatility", "and a volatility estimator both give the volatility: give one", volatility)
    if candles is not None:
        loaded = _load_candles(candles)
    if volatility is None:
        if loaded is None:
            raise InputError("volatility", "is required (or candles with a volatility estimator)")
        sigma: Any = annual_volatility(loaded.open, loaded.high, loaded.low, loaded.close,
                                       interval_years(loaded.timestamp), volatility_estimator or "yang-zhang")
        if not sigma > 0:
            raise InputError("candles", "give a volatility of 0: the prices never move")
    else:
        sigma = _positive("volatility", volatility)

    # the price and the barriers
    reference = price if price is not None else mark if mark is not None else entry
    if reference is None:
        raise InputError("price", "is required (or mark, or entry)")
    field_name = "price" if price is not None else "mark" if mark is not None else "entry"
    p0 = _positive(field_name, reference)
    long_side = np.asarray(s) > 0
    liq: Any = None
    liq_shown: Any = None
    if liquidation_price is not None:
        liq = liq_shown = _liquidation_levels(liquidation_price)
    elif exchange is not None:
        liq_shown = _liquidation_price(dict(
            exchange=exchange, side=side, entry=entry if entry is not None else reference, quantity=quantity,
            contracts=contracts, contract_size=contract_size, leverage=leverage, wallet_balance=wallet_balance,
            maintenance_margin_rate=maintenance_margin_rate, maintenance_amount=maintenance_amount, tiers=tiers,
            symbol=symbol, taker_fee_rate=taker_fee_rate, max_leverage=max_leverage, extra_margin=extra_margin,
            mark=mark))
        liq = np.nan if liq_shown is None else np.asarray(liq_shown, dtype=float)
    if liq is not None:
        finite = np.isfinite(liq)
        _side_check("liquidation_price", np.where(finite, liq, np.where(long_side, 0.0, np.inf)), p0, long_side,
                    liq_shown)
    stop_f = _positive("stop", stop) if stop is not None else None
    target_f = _positive("target", target) if target is not None else None
    if stop_f is not None:
        _side_check("stop", stop_f, p0, long_side, stop)
    if target_f is not None:
        _side_check("target", target_f, p0, ~long_side, target)
    if liq is None and stop_f is None and target_f is None:
        raise InputError("liquidation_price", "or a stop or a target is required: give at least one barrier")

    errors: dict[str, float] | None = None
    if method == "closed-form":
        # extreme inputs (a drift of 1e300) overflow inside the kernels to the right limits (0 or 1);
        # a result that is not a probability is refused below, so NumPy's warnings would only be noise
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            figures = _closed_form(s, p0, liq, stop_f, target_f, sigma, t, mu, dt)
        figures = {k: _scalar_or_array(v) for k, v in figures.items()}
        # a NaN chance (a volatility of 1e200: σ²T overflows) names the most extreme input
        check_results(figures, {"volatility": sigma, "drift": mu, "price": p0})
    else:
        scalars = [v for v in (s, p0, liq, stop_f, target_f, sigma, mu) if v is not None]
        if any(np.ndim(v) for v in scalars):
            raise InputError("method", "monte-carlo takes one position (single numbers), not arrays", method)
        n_paths = _count("paths", paths, DEFAULT_PATHS)
        n_steps = _count("steps", steps, DEFAULT_STEPS) if steps is not None else None
        work = n_paths * _simulated_steps(t, dt, n_steps)
        if work > MAX_PATH_STEPS:
            raise InputError("paths", f"times the steps simulated ({work // n_paths:,}) must be at most "
                             f"{MAX_PATH_STEPS:,} (about a minute of work)", paths)
        df = _floats("degrees_of_freedom", degrees_of_freedom) if degrees_of_freedom is not None else (
            DEFAULT_DEGREES_OF_FREEDOM)
        if returns == "student-t" and not df > 2:
            raise InputError("degrees_of_freedom", "must be > 2 (a finite variance)", degrees_of_freedom)
        residuals = None
        if returns == "bootstrap":
            if loaded is None:
                raise InputError("returns", "bootstrap needs candles (their returns are resampled)", returns)
            r = np.diff(np.log(loaded.close))
            if r.size < 2 or not np.std(r) > 0:
                raise InputError("candles", "must have at least 3 candles whose closes move, to bootstrap")
            residuals = (r - r.mean()) / r.std()
        generator = rng if rng is not None else np.random.default_rng(_seed(seed))
        figures, errors = _monte_carlo(
            int(s), float(p0), None if liq is None else float(liq), stop_f, target_f, float(sigma), t,
            float(mu), dt, paths=n_paths, steps=n_steps, rng=generator, returns=returns,
            degrees_of_freedom=float(df), residuals=residuals)
    return RiskResult(
        liquidation_price=liq_shown if liq_shown is None or not is_array(liq_shown) else np.asarray(liq_shown, float),
        liquidation_probability=figures.get("liquidation_probability"),
        stop_probability=figures.get("stop_probability"),
        target_probability=figures.get("target_probability"),
        neither_probability=figures.get("neither_probability"),
        volatility=sigma if not isinstance(sigma, np.ndarray) or sigma.ndim else float(sigma),
        horizon_years=t,
        standard_error=max(errors.values()) if errors else None,
        standard_errors=errors,
    )


# extreme inputs (a volatility of 1e300) overflow inside the kernels; NaN figures are refused by the
# callers (an answer out of range), so NumPy's warnings would only be noise on stderr
@np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore")
def first_touch_probabilities(
    side: Any,
    price: Any,
    volatility: Any,
    horizon_years: float,
    *,
    stop: Any = None,
    target: Any = None,
    liquidation_price: Any = None,
    drift: Any = 0.0,
    monitoring_years: float = 0.0,
) -> dict[str, Any]:
    """Which of the stop, the target and the liquidation price is touched first within the horizon.

    The stop and the liquidation price are on the same side of the price, so
    only the nearer of them can be touched first: it and the target are the
    two barriers (:func:`contractcalc.core.barrier.exit_probabilities`), the
    farther one gets 0.  A missing (``None``/NaN) level is never touched.
    Returns ``stop_first_probability``, ``target_first_probability``,
    ``liquidation_first_probability`` (``plan`` and ``size`` add them).  Unchecked
    beyond the barrier sides: the caller validated its numbers.

    >>> p = first_touch_probabilities("long", 20000, 0.8, 7 / 365, stop=15000, target=24000,
    ...                               liquidation_price=15060.24)
    >>> p["stop_first_probability"], round(p["liquidation_first_probability"], 4)
    (0.0, 0.012)
    """
    s = side_sign(side)
    p0 = np.asarray(price, dtype=float)
    sigma = np.asarray(volatility, dtype=float)
    nu = np.asarray(drift, dtype=float) - sigma * sigma / 2
    shift = barrier.BGK_BETA * sigma * math.sqrt(monitoring_years)

    def level(x: Any) -> Array:
        return np.full(np.shape(p0), np.nan) if x is None else np.asarray(x, dtype=float) * np.ones_like(p0)

    stop_l, target_l, liq_l = level(stop), level(target), level(liquidation_price)
    long_side = np.asarray(s) > 0
    # distances (log) to the loss side's nearer barrier and to the target; inf where absent
    with np.errstate(invalid="ignore", divide="ignore"):
        stop_d = np.where(np.isfinite(stop_l) & (stop_l > 0), np.abs(np.log(stop_l / p0)), np.inf)
        liq_d = np.where(np.isfinite(liq_l) & (liq_l > 0), np.abs(np.log(liq_l / p0)), np.inf)
        target_d = np.where(np.isfinite(target_l) & (target_l > 0), np.abs(np.log(target_l / p0)), np.inf)
    stop_nearer = stop_d <= liq_d
    loss_d = np.minimum(stop_d, liq_d)
    has_loss, has_target = np.isfinite(loss_d), np.isfinite(target_d)
    a = np.where(long_side, loss_d, target_d) + shift  # the lower barrier
    c = np.where(long_side, target_d, loss_d) + shift  # the upper barrier
    both = has_loss & has_target
    shape = np.broadcast_shapes(np.shape(a), np.shape(sigma), np.shape(nu))
    lower, upper, _ = barrier._exit(np.where(both, a, 1.0), np.where(both, c, 1.0), nu, sigma, horizon_years)
    loss_p = np.where(long_side, lower, upper)
    target_p = np.where(long_side, upper, lower)
    t_arr = np.full(shape, horizon_years)
    one_loss = barrier._touch(np.where(has_loss, loss_d + shift, 1.0), -s * nu, sigma * np.ones(shape), t_arr)
    one_target = barrier._touch(np.where(has_target, target_d + shift, 1.0), s * nu, sigma * np.ones(shape), t_arr)
    loss_p = np.where(both, loss_p, np.where(has_loss, one_loss.reshape(shape), 0.0))
    target_p = np.where(both, target_p, np.where(has_target, one_target.reshape(shape), 0.0))
    result = {
        "stop_first_probability": np.where(stop_nearer & np.isfinite(stop_d), loss_p, 0.0),
        "target_first_probability": target_p,
        "liquidation_first_probability": np.where(~stop_nearer & np.isfinite(liq_d), loss_p, 0.0),
    }
    return {k: float(v) if np.ndim(v) == 0 else v for k, v in result.items()}


#: The keys :func:`touch_first` adds to ``plan`` and ``size``.
TOUCH_FIRST_KEYS = ("stop_first_probability", "target_first_probability", "liquidation_first_probability")


def touch_first(
    side: Any,
    entry: Any,
    stop: Any,
    target: Any,
    liquidation_price: Any,
    volatility: Any,
    horizon: Any,
    drift: Any = None,
) -> dict[str, Any]:
    """``plan``'s and ``size``'s chances that the stop, the target or the liquidation price is touched first.

    Validates ``volatility`` (> 0), ``horizon`` (a duration) and ``drift``,
    both or neither of the first two; the prices were validated by the caller.
    ``liquidation_price`` ``None`` (not known): ``liquidation_first_probability``
    is ``None``; NaN (no price liquidates): never touched.  See
    :func:`first_touch_probabilities`.

    >>> p = touch_first("long", 20000, 15000, 24000, None, 0.8, "30d")
    >>> round(p["stop_first_probability"] + p["target_first_probability"], 4), p["liquidation_first_probability"]
    (0.6236, None)
    """
    if volatility is None or horizon is None:
        missing = "volatility" if volatility is None else "horizon"
        raise InputError(missing, "is required with " + ("'horizon'" if volatility is None else "'volatility'"))
    sigma = _positive("volatility", volatility)
    t = duration_years("horizon", horizon)
    mu = _floats("drift", drift) if drift is not None else 0.0
    liq = None if liquidation_price is None else np.asarray(liquidation_price, dtype=float)
    result = first_touch_probabilities(
        side, np.asarray(entry, dtype=float), sigma, t,
        stop=None if stop is None else np.asarray(stop, dtype=float),
        target=None if target is None else np.asarray(target, dtype=float),
        liquidation_price=liq, drift=mu)
    # a NaN chance (σ²T overflows, or σ too small to divide by) is the volatility's or the drift's doing
    check_results(result, {"volatility": sigma, "drift": mu})
    if liq is None:
        result["liquidation_first_probability"] = None
    return result
