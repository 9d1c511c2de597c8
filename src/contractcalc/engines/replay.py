"""Replay positions through real candles: stop, target, liquidation and funding as the exchange does them.

A position opens at ``entry`` (default: the first candle's open) at the first
candle's open time and is followed candle by candle:

- **Triggers.**  The stop and the target trigger on the (last-price) candles;
  liquidation at the exchange's liquidation price (from
  :func:`contractcalc.liquidation_price`, computed once per position) triggers
  on the mark candles when given, else on the same candles.  A long's stop
  triggers when a candle's low reaches it (``low <= stop``), its target when
  the high does; a short the other way round.
- **Within one candle** the price is taken to move from the open: each level
  that the candle reaches is reached at its distance from the candle's open
  (the mark candle's open for liquidation).  On the adverse side the nearer
  level comes first: a long's stop above its liquidation price fills before
  liquidation (when a candle gaps through both, the one the price passed first:
  a long's higher level; equal levels go to liquidation).  When the adverse exit and the target
  both lie inside one candle, ``intrabar`` decides: ``pessimistic`` (default,
  the adverse one, as freqtrade and backtesting.py), ``optimistic`` (the target),
  ``nearest-first`` (the one nearer the open; a tie is adverse).  A candle that
  opens at or beyond a level (a gap) reaches it at the open, before the other.
- **Fills.**  A stop or target fills at its level, or at the open of a candle
  that gapped through it.  On liquidation the exit price is the liquidation
  price and the PnL is minus the isolated margin (the PnL at the bankruptcy
  price), with no closing fee.
- **Fees**: ``fee_rate`` × the value at entry, plus ``fee_rate`` × the value at
  exit for a stop or target (value ``Q·P`` linear, ``F/P`` inverse).
- **Funding**: at each funding time ``t`` with ``open time < t <= start of the
  exit candle`` the position pays ``s × value × rate``, its value taken at the
  open of the candle (mark candle when given) that starts at or most recently
  before ``t``; positive ``funding`` is paid.
- ``exit_time`` is the exit candle's timestamp, ``bars_held`` counts the
  candles from the first to the exit candle, both included.  With no exit the
  reason is ``open`` and the exit price the last close (unrealised PnL).

``pnl`` is the price PnL (linear ``s·Q·(X − E)``, inverse ``s·F·(1/E − 1/X)``),
``net_pnl = pnl − fees − funding``, all in the quote currency (linear) or the
coin (inverse).

Two kernels run the same rules: :func:`replay_one_kernel`, a plain loop over the
candles for one position (the reference), and :func:`replay_many_kernel`, which
takes arrays of positions over one candle series and finds each level's first
crossing by binary search in running extrema (``np.minimum.accumulate`` of the
lows is non-increasing, so the first candle whose low reaches ``S`` is one
``searchsorted``): ``O(M + N log M)`` for ``N`` positions over ``M`` candles.
Both take clean float inputs and check nothing; :func:`replay` validates once.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from contractcalc.core import kernels
from contractcalc.core.numeric import check, number, side_sign
from contractcalc.engines.liquidation import liquidation_price, model_for
from contractcalc.errors import InputError
from contractcalc.io.candles import (
    Candles,
    Funding,
    candles_from_rows,
    funding_from_rows,
    read_candles,
    read_freqtrade_candles,
    read_funding,
)
from contractcalc.venues.exchanges import ExchangePreset, exchange_preset

__all__ = [
    "EXIT_REASONS",
    "INTRABAR_POLICIES",
    "ReplayResult",
    "replay",
    "replay_many_kernel",
    "replay_one_kernel",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

INTRABAR_POLICIES = ("pessimistic", "optimistic", "nearest-first")
EXIT_REASONS = ("stop", "target", "liquidation", "open")
_PESSIMISTIC, _OPTIMISTIC, _NEAREST = range(3)
_STOP, _TARGET, _LIQUIDATION, _OPEN = range(4)


@dataclass(frozen=True)
class ReplayResult:
    """How a position ended (arrays of them for many positions); ``to_dict()`` gives the ``--json`` keys."""

    #: ``'stop'``, ``'target'``, ``'liquidation'`` or ``'open'`` (no exit by the last candle).
    exit_reason: Any
    #: Timestamp (ms) of the exit candle (the last candle when open).
    exit_time: Any
    #: Fill price: the level, a gapping candle's open, the liquidation price, or the last close.
    exit_price: Any
    #: Price PnL (minus the isolated margin on liquidation); unrealised when open.
    pnl: Any
    #: Fee at entry plus, for a stop or target, the fee at exit.
    fees: Any
    #: Funding paid (negative: received).
    funding: Any
    #: ``pnl − fees − funding``.
    net_pnl: Any
    #: Candles from the first to the exit candle, both included.
    bars_held: Any
    #: The exchange's liquidation price (``None``, NaN in arrays, where no price liquidates).
    liquidation_price: Any

    def to_dict(self) -> dict[str, Any]:
        """The fields by name, in the order of ``contractcalc replay --json``."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


# --------------------------------------------------------------------------- the scalar kernel

def replay_one_kernel(
    timestamp: Sequence[int], open_: Sequence[float], high: Sequence[float], low: Sequence[float],
    close: Sequence[float], mark_open: Sequence[float], mark_high: Sequence[float], mark_low: Sequence[float],
    funding_time: Sequence[int], funding_rate: Sequence[float], *,
    sign: int, inverse: bool, entry: float, size: float, stop: float, target: float, liquidation: float,
    margin: float, fee_rate: float, policy: int,
) -> tuple[int, int, float, float, float, float, float, int]:
    """One position, candle by candle (no checks; NaN levels never trigger).

    Returns ``(reason, exit_time, exit_price, pnl, fees, funding, net_pnl, bars_held)``
    with ``reason`` an index into :data:`EXIT_REASONS`.  Plain Python lists
    iterate fastest here.
    """
    s = sign
    has_stop, has_target, has_liquidation = stop == stop, target == target, liquidation == liquidation
    reason, fill, exit_index = _OPEN, close[-1], len(timestamp) - 1
    for i in range(len(timestamp)):
        o, mo = open_[i], mark_open[i]
        adverse, favourable = (low[i], high[i]) if s > 0 else (high[i], low[i])
        mark_adverse = mark_low[i] if s > 0 else mark_high[i]
        stop_hit = has_stop and s * (adverse - stop) <= 0
        target_hit = has_target and s * (favourable - target) >= 0
        liquidated = has_liquidation and s * (mark_adverse - liquidation) <= 0
        if not (stop_hit or target_hit or liquidated):
            continue
        # distance from the open to each level reached in this candle (0: gapped through it)
        first_adverse, adverse_distance = -1, math.inf
        if liquidated:
            first_adverse, adverse_distance = _LIQUIDATION, max(s * (mo - liquidation), 0.0)
        if stop_hit:
            stop_distance = max(s * (o - stop), 0.0)
            # equal distances (both gapped through): the price fell (long) through the higher level first
            if stop_distance < adverse_distance or (stop_distance == adverse_distance and s * (stop - liquidation) > 0):
                first_adverse, adverse_distance = _STOP, stop_distance
        if target_hit:
            target_distance = max(s * (target - o), 0.0)
            if first_adverse < 0:
                reason = _TARGET
            elif adverse_distance == 0 and target_distance > 0:
                reason = first_adverse
            elif target_distance == 0 and adverse_distance > 0:
                reason = _TARGET
            elif policy == _PESSIMISTIC:
                reason = first_adverse
            elif policy == _OPTIMISTIC:
                reason = _TARGET
            else:
                reason = _TARGET if target_distance < adverse_distance else first_adverse
        else:
            reason = first_adverse
        if reason == _STOP:
            fill = o if s * (o - stop) <= 0 else stop
        elif reason == _TARGET:
            fill = o if s * (o - target) >= 0 else target
        else:
            fill = liquidation
        exit_index = i
        break

    linear = not inverse

    def value(price: float) -> float:
        return float(kernels.position_value(linear, price, size))

    pnl = -margin if reason == _LIQUIDATION else kernels.position_pnl(linear, s, entry, fill, size)
    fees = fee_rate * value(entry) + (fee_rate * value(fill) if reason in (_STOP, _TARGET) else 0.0)
    funding = 0.0
    start, end = timestamp[0], timestamp[exit_index]
    candle = 0
    for t, rate in zip(funding_time, funding_rate, strict=True):
        if t <= start:
            continue
        if t > end:
            break
        while candle + 1 < len(timestamp) and timestamp[candle + 1] <= t:
            candle += 1
        funding += s * value(mark_open[candle]) * rate
    return reason, int(end), float(fill), float(pnl), float(fees), float(funding), float(pnl - fees - funding), \
        exit_index + 1


# --------------------------------------------------------------------------- the array kernel

def _first_at_or_below(running_min: FloatArray, levels: FloatArray) -> IntArray:
    """First index whose running minimum is <= each level (``len`` if none; NaN levels: none)."""
    found = np.searchsorted(-running_min, -levels, side="left")
    return np.where(np.isnan(levels), running_min.shape[0], found).astype(np.int64)


def _first_at_or_above(running_max: FloatArray, levels: FloatArray) -> IntArray:
    found = np.searchsorted(running_max, levels, side="left")
    return np.where(np.isnan(levels), running_max.shape[0], found).astype(np.int64)


def replay_many_kernel(
    timestamp: IntArray, open_: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray,
    mark_open: FloatArray, mark_high: FloatArray, mark_low: FloatArray,
    funding_time: IntArray, funding_rate: FloatArray, *,
    sign: IntArray, inverse: bool, entry: FloatArray, size: FloatArray, stop: FloatArray, target: FloatArray,
    liquidation: FloatArray, margin: FloatArray, fee_rate: FloatArray, policy: int,
) -> dict[str, npt.NDArray[Any]]:
    """Many positions over one candle series, all opening at the first candle (no checks).

    Every position argument is a 1-D array of one length ``N`` (NaN levels
    never trigger).  Returns arrays ``reason`` (index into
    :data:`EXIT_REASONS`), ``exit_time``, ``exit_price``, ``pnl``, ``fees``,
    ``funding``, ``net_pnl``, ``bars_held``.
    """
    count = timestamp.shape[0]
    long = sign > 0
    # running extrema: the first candle reaching a level is a binary search in them
    low_min = np.minimum.accumulate(low)
    high_max = np.maximum.accumulate(high)
    same_mark = mark_low is low and mark_high is high
    mark_low_min = low_min if same_mark else np.minimum.accumulate(mark_low)
    mark_high_max = high_max if same_mark else np.maximum.accumulate(mark_high)

    def first(levels: FloatArray, falling: npt.NDArray[np.bool_], running_min: FloatArray,
              running_max: FloatArray) -> IntArray:
        # ``falling``: the level is reached from above (a long's stop, a short's target)
        out = np.full(levels.shape, count, dtype=np.int64)
        if falling.any():
            out[falling] = _first_at_or_below(running_min, levels[falling])
        rising = ~falling
        if rising.any():
            out[rising] = _first_at_or_above(running_max, levels[rising])
        return out

    at_stop = first(stop, long, low_min, high_max)
    at_target = first(target, ~long, low_min, high_max)
    at_liquidation = first(liquidation, long, mark_low_min, mark_high_max)
    exit_index = np.minimum(np.minimum(at_stop, at_target), at_liquidation)
    exited = exit_index < count
    row = np.minimum(exit_index, count - 1)
    o, mo = open_[row], mark_open[row]
    s = sign.astype(np.float64)

    stop_hit = exited & (at_stop == exit_index)
    target_hit = exited & (at_target == exit_index)
    liquidated = exited & (at_liquidation == exit_index)
    with np.errstate(invalid="ignore"):
        liquidation_distance = np.where(liquidated, np.maximum(s * (mo - liquidation), 0.0), np.inf)
        stop_distance = np.where(stop_hit, np.maximum(s * (o - stop), 0.0), np.inf)
        target_distance = np.where(target_hit, np.maximum(s * (target - o), 0.0), np.inf)
    with np.errstate(invalid="ignore"):
        stop_first = (stop_distance < liquidation_distance) | (
            (stop_distance == liquidation_distance) & (s * (stop - liquidation) > 0))
    first_adverse = np.where(stop_first, _STOP, _LIQUIDATION)
    adverse_distance = np.where(stop_first, stop_distance, liquidation_distance)
    adverse_hit = stop_hit | liquidated
    if policy == _PESSIMISTIC:
        prefer_target = np.zeros(exit_index.shape, dtype=bool)
    elif policy == _OPTIMISTIC:
        prefer_target = np.ones(exit_index.shape, dtype=bool)
    else:
        prefer_target = target_distance < adverse_distance
    # a gap through one level (distance 0) comes before a level inside the candle
    gapped_adverse = (adverse_distance == 0) & (target_distance > 0)
    gapped_target = (target_distance == 0) & (adverse_distance > 0)
    prefer_target = (prefer_target & ~gapped_adverse) | gapped_target
    take_target = target_hit & (~adverse_hit | prefer_target)
    reason = np.where(~exited, _OPEN, np.where(take_target, _TARGET, first_adverse)).astype(np.int64)

    with np.errstate(invalid="ignore"):
        stop_fill = np.where(s * (o - stop) <= 0, o, stop)
        target_fill = np.where(s * (o - target) >= 0, o, target)
    fill = np.select([reason == _STOP, reason == _TARGET, reason == _LIQUIDATION],
                     [stop_fill, target_fill, liquidation], default=close[-1])

    linear = not inverse
    pnl = np.where(reason == _LIQUIDATION, -margin, kernels.position_pnl(linear, s, entry, fill, size))
    entry_value, exit_value = kernels.position_value(linear, entry, size), kernels.position_value(linear, fill, size)
    closes_with_fee = (reason == _STOP) | (reason == _TARGET)
    fees = fee_rate * entry_value + np.where(closes_with_fee, fee_rate * exit_value, 0.0)

    funding = np.zeros(exit_index.shape)
    if funding_time.shape[0]:
        counted = funding_time > timestamp[0]
        times, rates = funding_time[counted], funding_rate[counted]
        # the candle a funding time falls in (for its price) and the first candle starting at or after it
        price_row = np.searchsorted(timestamp, times, side="right") - 1
        first_row_after = np.searchsorted(timestamp, times, side="left")
        prices = mark_open[price_row]
        per_unit = rates / prices if inverse else rates * prices
        cumulative = np.concatenate(([0.0], np.cumsum(per_unit)))
        paid_count = np.searchsorted(first_row_after, row, side="right")
        funding = s * size * cumulative[paid_count]

    return {
        "reason": reason,
        "exit_time": timestamp[row],
        "exit_price": fill,
        "pnl": pnl,
        "fees": fees,
        "funding": funding,
        "net_pnl": pnl - fees - funding,
        "bars_held": row + 1,
    }


# --------------------------------------------------------------------------- the public function

CandleSource = Candles | str | os.PathLike[str] | Sequence[Sequence[float]]
FundingSource = Funding | str | os.PathLike[str] | Sequence[Sequence[float]]


def _candles(source: Any, field: str, symbol: str | None = None, timeframe: str | None = None) -> Candles:
    if isinstance(source, Candles):
        return source
    if isinstance(source, str | os.PathLike):
        if os.path.isdir(source):
            return _freqtrade_folder(source, field, symbol, timeframe)
        return read_candles(source, field=field)
    return candles_from_rows(source, field=field)


def _freqtrade_folder(folder: str | os.PathLike[str], field: str, symbol: str | None,
                      timeframe: str | None) -> Candles:
    for name, given in (("symbol", symbol), ("timeframe", timeframe)):
        if not given:
            raise InputError(name, f"is required when '{field}' is a freqtrade data folder", str(folder))
    assert symbol is not None and timeframe is not None
    return read_freqtrade_candles(folder, symbol, timeframe, candle_type="mark" if field == "mark_candles" else "",
                                  field=field)


def _funding(source: Any) -> Funding:
    if isinstance(source, Funding):
        return source
    if isinstance(source, str | os.PathLike):
        return read_funding(source, field="funding")
    return funding_from_rows(source, field="funding")


def _is_many_series(source: Any) -> bool:
    """A list of candle sources (not one list of rows)."""
    if not isinstance(source, list | tuple) or not source:
        return False
    first = source[0]
    return isinstance(first, Candles | str | os.PathLike) or (
        isinstance(first, list | tuple) and bool(first) and isinstance(first[0], list | tuple))


def _policy(intrabar: Any) -> int:
    word = str(intrabar).strip().lower() if isinstance(intrabar, str) else None
    if word not in INTRABAR_POLICIES:
        raise InputError("intrabar", "must be " + ", ".join(f"'{p}'" for p in INTRABAR_POLICIES[:-1])
                         + f" or '{INTRABAR_POLICIES[-1]}'", intrabar)
    return INTRABAR_POLICIES.index(word)


def _as_float(name: str, value: Any) -> Any:
    """A finite float (or float64 array), checked once; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = np.asarray(value)
    checked = number(name, value)
    if isinstance(checked, np.ndarray):
        return checked.astype(np.float64)
    return float(checked)


def _level(name: str, value: Any) -> Any:
    """A stop or target: ``None``, a positive price, or an array with NaN where a position has none."""
    if value is None:
        return None
    if isinstance(value, list | tuple | np.ndarray):
        raw = np.asarray(value, dtype=object if isinstance(value, list | tuple) else None)
        try:
            array = np.array([np.nan if v is None else v for v in raw.ravel()], dtype=np.float64).reshape(
                raw.shape) if raw.dtype.kind in "OU" else raw.astype(np.float64)
        except (TypeError, ValueError):
            raise InputError(name, "must hold prices (numbers, or NaN for none)", "an array") from None
        given = ~np.isnan(array)
        check(name, array[given], ">", 0)
        return array
    return float(check(name, value, ">", 0))


def _mark_candles(candles: Candles, mark: Candles) -> None:
    if len(mark) != len(candles):
        raise InputError("mark_candles", f"must have one candle per candle ({len(candles)}, the candles' count)",
                         len(mark))
    differ = np.flatnonzero(mark.timestamp != candles.timestamp)
    if differ.size:
        row = int(differ[0])
        raise InputError("mark_candles", f"row {row} must have the candles' timestamp ({int(candles.timestamp[row])})",
                         int(mark.timestamp[row]))


def replay(
    candles: Any,
    *,
    exchange: str,
    side: Any,
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
    max_leverage: Any = None,
    stop: Any = None,
    target: Any = None,
    intrabar: str = "pessimistic",
    fee_rate: Any = None,
    mark_candles: Any = None,
    funding: Any = None,
    timeframe: str | None = None,
) -> Any:
    """Replay an isolated position (or arrays of them) through candles; see the module for the rules.

    Parameters
    ----------
    candles : Candles, path, or ccxt rows ``[timestamp_ms, open, high, low, close(, volume)]``
        Or a list of these: many series, each replayed with the same positions
        (the result is then a list, one per series).
    exchange, side, quantity / contracts, contract_size, leverage, wallet_balance,
    maintenance_margin_rate, maintenance_amount, tiers, symbol, max_leverage
        As in :func:`contractcalc.liquidation_price` (isolated): they give the
        liquidation price and the margin lost at liquidation (``wallet_balance``,
        default the initial margin).
    entry : number, optional
        Entry price; default the first candle's open.
    stop, target : number, optional
        A stop below (long) or above (short) the entry, a target the other side.
        In arrays NaN means none.
    intrabar : 'pessimistic', 'optimistic' or 'nearest-first'
        Who wins when the adverse exit and the target both lie inside one candle.
    fee_rate : number, optional
        Fee on the value at entry and at a stop or target exit (default: the
        preset's taker rate).
    mark_candles : optional
        Mark-price candles with the candles' timestamps: liquidation and the
        funding value use them.
    funding : Funding, path or rows ``[timestamp_ms, rate]``, optional
    timeframe : str, optional
        With a freqtrade data folder as ``candles`` (and ``mark_candles``): the
        files ``<symbol>-<timeframe>[-futures].json|.feather`` (mark:
        ``-mark``) are read, ``symbol`` as freqtrade spells it (``BTC/USDT:USDT``).

    Every number and ``side`` may be a NumPy array (broadcast to one length):
    the positions are replayed together by :func:`replay_many_kernel`.

    Returns
    -------
    ReplayResult
        (or a list of them, one per candle series.)

    Examples
    --------
    Bybit's published isolated long (examples.md Y1: 1 BTC at 10,000, 50x,
    MMR 0.5 %, liquidation 9,850) through three candles: the second candle's
    low reaches the stop at 9,900, which lies above the liquidation price.

    >>> rows = [[0, 10000, 10050, 9950, 10000], [60000, 10000, 10020, 9880, 9900],
    ...         [120000, 9900, 9950, 9800, 9820]]
    >>> r = replay(rows, exchange="bybit-linear", side="long", quantity=1, leverage=50,
    ...            maintenance_margin_rate=0.005, stop=9900, fee_rate=0)
    >>> r.exit_reason, r.exit_price, r.pnl, r.bars_held, r.liquidation_price
    ('stop', 9900.0, -100.0, 2, 9850.0)

    Without the stop, the third candle reaches 9,850 and the whole 200 margin is lost:

    >>> r = replay(rows, exchange="bybit-linear", side="long", quantity=1, leverage=50,
    ...            maintenance_margin_rate=0.005, fee_rate=0)
    >>> r.exit_reason, r.exit_price, r.pnl, r.exit_time
    ('liquidation', 9850.0, -200.0, 120000)
    """
    policy = _policy(intrabar)
    preset = exchange_preset(exchange)
    many = _is_many_series(candles)
    sources = list(candles) if many else [candles]
    count = len(sources)
    series_list = [_candles(source, "candles", symbol, timeframe) for source in sources]
    marks_list = []
    for series, source in zip(series_list, _per_series(mark_candles, count, "mark_candles", many), strict=True):
        mark = _candles(source, "mark_candles", symbol, timeframe) if source is not None else series
        if mark is not series:
            _mark_candles(series, mark)
        marks_list.append(mark)
    funding_list = [_funding(source) if source is not None else None
                    for source in _per_series(funding, count, "funding", many)]

    s = side_sign(side)
    numbers = {name: _as_float(name, value) for name, value in {
        "entry": entry, "quantity": quantity, "contracts": contracts, "contract_size": contract_size,
        "leverage": leverage, "wallet_balance": wallet_balance, "maintenance_margin_rate": maintenance_margin_rate,
        "maintenance_amount": maintenance_amount, "max_leverage": max_leverage, "fee_rate": fee_rate,
    }.items()}
    fee = numbers.pop("fee_rate")
    if fee is None:
        fee = float(preset.taker_fee_rate)
    else:
        check("fee_rate", fee, ">=", 0)
        check("fee_rate", fee, "<", 1)
    stop_level, target_level = _level("stop", stop), _level("target", target)

    # every array keyword broadcasts to one shape of positions (checked before any arithmetic)
    given = {"side": s, **numbers, "fee_rate": fee, "stop": stop_level, "target": target_level}
    arrays = {name: x for name, x in given.items() if isinstance(x, np.ndarray)}
    shape: tuple[int, ...] = ()
    for name, array in arrays.items():
        try:
            shape = np.broadcast_shapes(shape, array.shape)
        except ValueError:
            raise InputError(name, f"must have the length of the other arrays ({shape[0] if shape else 1})",
                             f"an array of {array.size}") from None

    model = model_for(preset)
    fee_in_liquidation = model.counts_close_fee and fee_rate is not None
    first_opens = [float(series.open[0]) for series in series_list]
    if not many and not arrays:
        return _replay_one(series_list[0], marks_list[0], funding_list[0], preset, s, numbers, fee, stop_level,
                           target_level, policy, tiers, symbol, fee_in_liquidation, first_opens[0])

    # The array path: the positions (of ``shape``) flattened, repeated for each series, one call of the
    # liquidation engine for all of them, then one kernel call per series.
    per_series = int(np.prod(shape)) if shape else 1

    def tiled(value: Any) -> FloatArray:
        flat = np.broadcast_to(np.asarray(math.nan if value is None else value, dtype=np.float64), shape).ravel()
        return np.tile(flat, count)

    entries = tiled(numbers["entry"]) if numbers["entry"] is not None else np.repeat(first_opens, per_series)
    signs = np.tile(np.broadcast_to(np.asarray(s, dtype=np.int64), shape).ravel(), count)
    stops, targets, fees = tiled(stop_level), tiled(target_level), tiled(fee)
    for name, levels in (("stop", stops), ("target", targets)):
        if not shape:  # one position per series: the scalar message, with its series' entry
            for level, at in zip(levels.tolist(), entries.tolist(), strict=True):
                if not math.isnan(level):
                    _check_side(name, level, int(signs[0]), at, ())
        elif not np.isnan(levels).all():
            _check_side(name, levels, signs, entries, (levels.size,), per_series)
    flat_numbers: dict[str, Any] = {name: tiled(value) for name, value in numbers.items()
                                    if value is not None and name != "entry"}
    liquidation = liquidation_price(
        exchange=exchange, side=signs, entry=entries, tiers=tiers, symbol=symbol, margin_mode="isolated",
        taker_fee_rate=fees if fee_in_liquidation else None, **flat_numbers)
    total = count * per_series
    lps = np.broadcast_to(np.asarray(liquidation["liquidation_price"], dtype=np.float64), (total,))
    margins = np.broadcast_to(np.asarray(liquidation["wallet_balance"], dtype=np.float64), (total,))
    sizes = np.broadcast_to(np.asarray(_size(preset, symbol, flat_numbers), dtype=np.float64), (total,))
    inverse = preset.contract == "inverse"
    results = []
    for k, (series, mark, rates) in enumerate(zip(series_list, marks_list, funding_list, strict=True)):
        at = slice(k * per_series, (k + 1) * per_series)
        out = replay_many_kernel(
            series.timestamp, series.open, series.high, series.low, series.close, mark.open, mark.high, mark.low,
            rates.timestamp if rates is not None else np.zeros(0, dtype=np.int64),
            rates.rate if rates is not None else np.zeros(0),
            sign=signs[at], inverse=inverse, entry=entries[at], size=sizes[at], stop=stops[at], target=targets[at],
            liquidation=lps[at], margin=margins[at], fee_rate=fees[at], policy=policy)
        results.append(_result(out, lps[at], shape))
    return results if many else results[0]


def _per_series(source: Any, count: int, field: str, many: bool) -> list[Any]:
    """``source`` for each of ``count`` series: a list of them with many series, else the one source."""
    if source is None:
        return [None] * count
    if not many:
        return [source]
    if not isinstance(source, list | tuple) or len(source) != count:
        raise InputError(field, f"must be a list of {count} series (one per candle series)",
                         len(source) if isinstance(source, list | tuple) else type(source).__name__)
    return list(source)


def _size(preset: ExchangePreset, symbol: str | None, numbers: dict[str, Any]) -> Any:
    """The position size a formula takes: quantity ``Q``, or contracts × contract size (``F`` inverse)."""
    if numbers.get("quantity") is not None:
        return numbers["quantity"]
    per_contract = numbers.get("contract_size")
    if per_contract is None:
        per_contract = float(preset.contract_size(symbol) or 0)
    return numbers["contracts"] * per_contract


def _replay_one(series: Candles, mark: Candles, rates: Funding | None, preset: ExchangePreset, s: int,
                numbers: dict[str, Any], fee: float, stop: float | None, target: float | None, policy: int,
                tiers: Any, symbol: str | None, fee_in_liquidation: bool, first_open: float) -> ReplayResult:
    """One position over one series: the scalar kernel."""
    if numbers["entry"] is None:
        numbers = {**numbers, "entry": first_open}
    for name, level in (("stop", stop), ("target", target)):
        if level is not None:
            _check_side(name, level, s, numbers["entry"], ())
    liquidation = liquidation_price(
        exchange=preset.name, side=s, tiers=tiers, symbol=symbol, margin_mode="isolated",
        taker_fee_rate=fee if fee_in_liquidation else None, **numbers)
    lp = liquidation["liquidation_price"]
    funding_time = rates.timestamp.tolist() if rates is not None else []
    funding_rate = rates.rate.tolist() if rates is not None else []
    reason, exit_time, exit_price, pnl, fees, paid, net, bars = replay_one_kernel(
        series.timestamp.tolist(), series.open.tolist(), series.high.tolist(), series.low.tolist(),
        series.close.tolist(), mark.open.tolist(), mark.high.tolist(), mark.low.tolist(), funding_time, funding_rate,
        sign=int(s), inverse=preset.contract == "inverse", entry=float(numbers["entry"]),
        size=float(_size(preset, symbol, numbers)), stop=math.nan if stop is None else stop,
        target=math.nan if target is None else target, liquidation=math.nan if lp is None else float(lp),
        margin=float(liquidation["wallet_balance"]), fee_rate=float(fee), policy=policy)
    return ReplayResult(EXIT_REASONS[reason], exit_time, exit_price, pnl, fees, paid, net, bars,
                        None if lp is None else float(lp))


def _result(out: dict[str, npt.NDArray[Any]], lps: FloatArray, shape: tuple[int, ...]) -> ReplayResult:
    """The kernel's arrays as a result of ``shape`` (``()``: plain numbers, ``None`` for no liquidation price)."""
    if not shape:
        lp = float(lps[0])
        return ReplayResult(EXIT_REASONS[int(out["reason"][0])], int(out["exit_time"][0]),
                            float(out["exit_price"][0]), float(out["pnl"][0]), float(out["fees"][0]),
                            float(out["funding"][0]), float(out["net_pnl"][0]), int(out["bars_held"][0]),
                            None if math.isnan(lp) else lp)
    names = np.array(EXIT_REASONS)
    return ReplayResult(
        names[out["reason"]].reshape(shape), out["exit_time"].reshape(shape), out["exit_price"].reshape(shape),
        out["pnl"].reshape(shape), out["fees"].reshape(shape), out["funding"].reshape(shape),
        out["net_pnl"].reshape(shape), out["bars_held"].reshape(shape), np.array(lps).reshape(shape))


def _check_side(name: str, level: Any, s: Any, entry: Any, shape: tuple[int, ...], per_series: int = 0) -> None:
    """A long's stop below its entry and target above it; a short's the other way round (NaN: no level)."""
    beyond = -1 if name == "stop" else 1
    with np.errstate(invalid="ignore"):
        wrong = np.asarray(beyond * s * (np.asarray(level) - entry) <= 0)
    if not wrong.any():
        return
    if not shape:
        where = "below" if beyond * s < 0 else "above"
        shown = str(int(entry)) if float(entry).is_integer() else repr(float(entry))
        raise InputError(name, f"must be {where} the entry ({shown}) for a {'long' if s > 0 else 'short'}", level)
    position = int(np.argmax(np.broadcast_to(wrong, shape).ravel()))
    if per_series:  # positions repeated over many series: the position's own index
        position %= per_series
    rule = "below the entry for a long and above it for a short" if name == "stop" else \
        "above the entry for a long and below it for a short"
    raise InputError(name, f"must be {rule} (not so at position {position})",
                     float(np.broadcast_to(np.asarray(level, dtype=np.float64), shape).ravel()[position]))
