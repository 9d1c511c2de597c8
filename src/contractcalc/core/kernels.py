"""Unchecked kernels: the position and liquidation formulas on clean numbers, with no validation.

Every public calculator validates its inputs once (naming the field) and then
calls these; inner loops (stop checks, plans, sizing, cross margin, risk,
replay, stress) call them directly, never a public function again.

Contract for every kernel
-------------------------
- Inputs are clean: finite numbers of **one** type, ``float`` (or ``int``),
  ``Decimal``, or float64 NumPy arrays that broadcast together.  Prices,
  sizes and leverages are > 0, rates are in ``[0, 1)``, balances >= 0.
  Nothing is checked: garbage in, garbage out (NaN, inf, or an exception of
  NumPy/``decimal``).
- ``linear`` is a plain ``bool`` (``True``: USDT-margined, size ``Q`` in base
  units; ``False``: inverse, size ``F`` = face value in USD).
- ``s`` is the side sign, +1 (long) or -1 (short), a number or an array.
- "No price" is NaN (``float('nan')``, ``Decimal('NaN')`` or NaN in the
  array), never ``None``: the public functions turn a scalar NaN into ``None``.
- Formulas are written in plain arithmetic with integer constants only, so
  one kernel serves ``float``, ``Decimal`` and arrays; NumPy is imported only
  by the array-only kernels.

Signatures (``Num`` = float | Decimal | ndarray)::

    linear_pnl(s, entry, exit, quantity) -> Num                  s·Q·(X − E)
    inverse_pnl(s, entry, exit, face_value) -> Num               s·F·(1/E − 1/X)
    position_pnl(linear, s, entry, exit, size) -> Num
    position_value(linear, price, size) -> Num                   Q·P  or  F/P
    breakeven_price(linear, s, entry, open_fee_rate, close_fee_rate) -> Num
    initial_margin(linear, entry, size, leverage) -> Num         value(E)/L
    bankruptcy_price(linear, s, entry, size, balance) -> Num     NaN where none
    maintenance_margin(linear, price, size, rate, amount) -> Num value(P)·MMR − cum
    liquidation_coefficients(linear, mm_at_entry, s, entry, size, balance, rate, amount, fee) -> (A, B)
    isolated_liquidation_price(linear, mm_at_entry, s, entry, size, balance, rate, amount, fee) -> Num
    binance_liquidation_price(linear, s, entry, size, balance, rate, amount) -> Num
    bybit_liquidation_price(linear, s, entry, size, balance, rate, amount) -> Num
    bybit_cross_bankruptcy_price(linear, s, entry, size, balance, fee) -> Num    the fee to close included
    bybit_fee_to_close(linear, s, entry, size, balance, fee) -> Num               f·value(that price)
    bybit_cross_liquidation_price(linear, s, entry, size, balance, rate, amount, fee) -> Num
    okx_liquidation_price(linear, s, entry, size, balance, rate, amount, fee) -> Num   (Gate, Bitget)
    hyperliquid_liquidation_price(linear, s, entry, size, balance, max_leverage) -> Num
    Bands.from_tiers(lows, rates, amounts, caps=None, tiers=None) -> Bands   (build once per table)
    Bands.index(notional) -> int | ndarray                        the band holding a notional
    Bands.maintenance_margin(notional) -> Num                     notional·MMR_k − cum_k
    tiered_liquidation_price(linear, mm_at_entry, s, entry, size, balance, bands, fee) -> (price, index)

``mm_at_entry`` is Bybit's valuation of the maintenance margin at the entry
price; ``fee`` is the taker rate OKX (Gate, Bitget) counts as the fee to
close at the mark (0 elsewhere).  Bybit's cross margin counts the fee to close
at the *bankruptcy* price instead (``bybit_cross_*``).  The closed forms and the reasoning are in
:mod:`contractcalc.engines.liquidation` and ``docs/liquidation.md``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = [
    "Bands",
    "bankruptcy_price",
    "binance_liquidation_price",
    "breakeven_price",
    "bybit_cross_bankruptcy_price",
    "bybit_cross_liquidation_price",
    "bybit_fee_to_close",
    "bybit_liquidation_price",
    "hyperliquid_liquidation_price",
    "initial_margin",
    "inverse_pnl",
    "isolated_liquidation_price",
    "linear_pnl",
    "liquidation_coefficients",
    "maintenance_margin",
    "okx_liquidation_price",
    "position_pnl",
    "position_value",
    "tiered_liquidation_price",
]

Num = Any

_INF = math.inf


# ---------------------------------------------------------------------------
# Position primitives


def linear_pnl(s: Num, entry: Num, exit: Num, quantity: Num) -> Num:
    """Linear PnL in the quote currency: ``s·Q·(X − E)``.

    examples.md Y16: long 0.2 @ 7,000 → 7,500: 100 USDT.

    >>> linear_pnl(1, 7000.0, 7500.0, 0.2)
    100.0
    """
    return s * quantity * (exit - entry)


def inverse_pnl(s: Num, entry: Num, exit: Num, face_value: Num) -> Num:
    """Inverse PnL in the coin: ``s·F·(1/E − 1/X)``.

    examples.md Y19: long 1,000 USD @ 5,000 → 5,500: 0.0181818 BTC.

    >>> round(inverse_pnl(1, 5000.0, 5500.0, 1000.0), 7)
    0.0181818
    """
    return s * face_value * (1 / entry - 1 / exit)


def position_pnl(linear: bool, s: Num, entry: Num, exit: Num, size: Num) -> Num:
    """:func:`linear_pnl` or :func:`inverse_pnl`."""
    if linear:
        return s * size * (exit - entry)
    return s * size * (1 / entry - 1 / exit)


def breakeven_price(linear: bool, s: Num, entry: Num, open_fee_rate: Num, close_fee_rate: Num) -> Num:
    """The exit at which the PnL pays the fees to open and to close.

    Linear ``E·(1 + s·f_o) / (1 − s·f_c)``; inverse ``E·(1 + s·f_c) / (1 − s·f_o)``.
    Hand check: long @ 10,000, 0.05 % both ways: 10,010.005.

    >>> breakeven_price(True, 1, 10000.0, 0.0005, 0.0005)
    10010.005
    """
    if linear:
        return entry * (1 + s * open_fee_rate) / (1 - s * close_fee_rate)
    return entry * (1 + s * close_fee_rate) / (1 - s * open_fee_rate)


def position_value(linear: bool, price: Num, size: Num) -> Num:
    """The notional at ``price``: ``Q·P`` (quote) or ``F/P`` (coin).

    >>> position_value(True, 9253.3, 1.0), round(position_value(False, 10104.0, 1000.0), 7)
    (9253.3, 0.0989707)
    """
    return size * price if linear else size / price


def initial_margin(linear: bool, entry: Num, size: Num, leverage: Num) -> Num:
    """``value(E) / L``.

    examples.md B1: 1 BTC @ 9,253.30, 20x: 462.665 USDT.

    >>> initial_margin(True, 9253.30, 1.0, 20.0)
    462.665
    """
    return (size * entry if linear else size / entry) / leverage


def _nan_where(value: Num, ok: Any) -> Num:
    """``value`` where ``ok``; NaN elsewhere (a float, ``Decimal`` or array NaN)."""
    if hasattr(ok, "shape") or hasattr(value, "shape"):
        import numpy as np

        if getattr(value, "dtype", None) is not None and value.dtype.kind == "O":
            return np.where(ok, value, np.array(Decimal("NaN"), dtype=object))
        return np.where(ok, value, np.nan)
    if ok:
        return value
    return Decimal("NaN") if isinstance(value, Decimal) else math.nan


def bankruptcy_price(linear: bool, s: Num, entry: Num, size: Num, balance: Num) -> Num:
    """The price at which the loss equals ``balance``; NaN where no positive price does.

    Linear ``E − s·WB/Q``; inverse ``1 / (1/E + s·WB/F)``.  examples.md Y5:
    long 1 BTC @ 10,000 with 200 of margin: 9,800.

    >>> bankruptcy_price(True, 1, 10000.0, 1.0, 200.0)
    9800.0
    >>> bankruptcy_price(True, 1, 100.0, 1.0, 100.0)
    nan
    """
    if linear:
        result = entry - s * balance / size
        return _nan_where(result, result > 0)
    inverse_price = 1 / entry + s * balance / size
    ok = inverse_price > 0
    if hasattr(ok, "shape"):
        import numpy as np

        safe = np.where(ok, inverse_price, 1 / entry)
        return _nan_where(1 / safe, ok)
    return 1 / inverse_price if ok else _nan_where(inverse_price, False)


def maintenance_margin(linear: bool, price: Num, size: Num, rate: Num, amount: Num) -> Num:
    """``value(P)·MMR − cum``.

    examples.md B9: F = 10,000 USD at 25,000, MMR 0.4 %: 0.0016 BTC.

    >>> round(maintenance_margin(False, 25000.0, 10000.0, 0.004, 0.0), 10)
    0.0016
    """
    return (size * price if linear else size / price) * rate - amount


# ---------------------------------------------------------------------------
# Isolated liquidation price, one rate


def liquidation_coefficients(
    linear: bool, mm_at_entry: bool, s: Num, entry: Num, size: Num, balance: Num, rate: Num, amount: Num, fee: Num
) -> tuple[Num, Num]:
    """``(A, B)`` with margin balance − requirement = ``A + B·x`` (``x = P`` linear, ``1/P`` inverse).

    - linear: ``A = WB + cum − s·Q·E``, ``B = Q·(s − f) − Q·MMR``;
      Bybit ``A = WB + cum − s·Q·E − Q·E·MMR``, ``B = s·Q``;
    - inverse: ``A = WB + cum + s·F/E``, ``B = −F·(s + f) − F·MMR``;
      Bybit ``A = WB + cum + s·F/E − F/E·MMR``, ``B = −s·F``.

    The operations are ordered as the general band solver's
    (:mod:`contractcalc.engines.liquidation`), so both give the same bits.
    """
    if linear:
        if mm_at_entry:
            return balance - s * size * entry + amount - size * entry * rate, s * size
        return balance - s * size * entry + amount, size * (s - fee) - size * rate
    if mm_at_entry:
        return balance + s * size / entry + amount - size / entry * rate, -s * size
    return balance + s * size / entry + amount, -size * (s + fee) - size * rate


def _root_price(linear: bool, s: Num, big_a: Num, big_b: Num) -> Num:
    """The price where ``A + B·x = 0``; NaN where no finite positive price liquidates."""
    if hasattr(big_a, "shape") or hasattr(big_b, "shape") or hasattr(s, "shape"):
        import numpy as np

        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # inverse, g = A + B/P: a long (s > 0) needs A > 0, a short A < 0
            price = -big_a / big_b if linear else np.where(s * big_a > 0, -big_b / big_a, np.nan)
            if getattr(price, "dtype", None) is not None and price.dtype.kind == "O":
                ok = np.array([_finite_positive(p) for p in np.ravel(price)], dtype=bool).reshape(np.shape(price))
                return np.where(ok, price, np.array(Decimal("NaN"), dtype=object))
            return np.where((price > 0) & (price < np.inf), price, np.nan)
    if linear:
        price = -big_a / big_b
    elif s * big_a > 0:
        price = -big_b / big_a
    else:
        return Decimal("NaN") if isinstance(big_a, Decimal) else math.nan
    return price if _finite_positive(price) else (Decimal("NaN") if isinstance(price, Decimal) else math.nan)


def _finite_positive(price: Any) -> bool:
    if isinstance(price, Decimal):
        return bool(price.is_finite() and price > 0)
    return bool(0 < price < _INF)


def isolated_liquidation_price(
    linear: bool, mm_at_entry: bool, s: Num, entry: Num, size: Num, balance: Num, rate: Num, amount: Num, fee: Num
) -> Num:
    """The isolated liquidation price with one maintenance rate and amount; NaN where no price liquidates.

    ``−A/B`` (linear) or ``−B/A`` (inverse) from :func:`liquidation_coefficients`.

    examples.md Y1 (Bybit, long 1 BTC @ 10,000, 50x, MMR 0.5 %): 9,850.

    >>> isolated_liquidation_price(True, True, 1, 10000.0, 1.0, 200.0, 0.005, 0.0, 0.0)
    9850.0
    """
    if linear and not mm_at_entry and _float64_arrays(s, entry, size, balance, rate, amount, fee):
        return _linear_price_float64(s, entry, size, balance, rate, amount, fee)
    big_a, big_b = liquidation_coefficients(linear, mm_at_entry, s, entry, size, balance, rate, amount, fee)
    return _root_price(linear, s, big_a, big_b)


def _float64_arrays(*values: Any) -> bool:
    """Some value is a float64 ndarray and every other one is a float64 ndarray or a plain number."""
    import numpy as np

    found = False
    for v in values:
        if type(v) is np.ndarray:
            if v.dtype != np.float64:
                return False
            found = True
        elif type(v) is not float and type(v) is not int:
            return False
    return found


def _linear_price_float64(s: Any, entry: Any, size: Any, balance: Any, rate: Any, amount: Any, fee: Any,
                          value: Any = None, scratch: tuple[Any, ...] = ()) -> Any:
    """:func:`isolated_liquidation_price` for linear float64 arrays, in place (the same bits, fewer temporaries).

    ``−A = s·Q·E − WB − cum`` and ``B = s·Q − Q·MMR`` (``fee`` 0), or
    ``Q·(s − f) − Q·MMR``.  ``value``, when given, is ``Q·E`` already computed
    (``s·(Q·E)`` and ``(s·Q)·E`` are the same bits: ``s`` is ±1).  ``scratch``
    lists arrays among ``value``, ``balance`` and ``s`` that the caller no
    longer needs: they are overwritten instead of allocating new ones (fresh
    pages cost more than the arithmetic).
    """
    import numpy as np

    shape = np.broadcast_shapes(*(np.shape(v) for v in (s, entry, size, balance, rate, amount, fee)))

    def spare(candidate: Any) -> Any:
        usable = any(candidate is x for x in scratch) and np.shape(candidate) == shape
        return candidate if usable else None

    if value is None:
        value = np.multiply(size, entry)  # (s·Q)·E and s·(Q·E) are the same bits: s is ±1
        scratch = (*scratch, value)
    minus_a = np.multiply(s, value, out=spare(value))
    if np.shape(minus_a) != shape:
        minus_a = np.array(np.broadcast_to(minus_a, shape), dtype=np.float64)
    np.subtract(minus_a, balance, out=minus_a)  # −(WB − s·Q·E), exactly
    if not (type(amount) in (float, int) and amount == 0):
        np.subtract(minus_a, amount, out=minus_a)
    if type(fee) in (float, int) and fee == 0:
        s_size = np.multiply(s, size, out=spare(s))
    else:
        s_size = np.multiply(size, np.subtract(s, fee))
    size_rate = np.multiply(size, rate, out=spare(balance))
    in_place = np.shape(size_rate) == np.broadcast_shapes(np.shape(size_rate), np.shape(s_size))
    big_b = np.subtract(s_size, size_rate, out=size_rate if in_place else None)
    price = np.divide(minus_a, big_b, out=minus_a)
    del big_b, size_rate
    return mask_invalid_prices(price, spare=s_size if np.shape(s_size) == shape and s_size is not s else None)


def mask_invalid_prices(price: Any, spare: Any = None) -> Any:
    """NaN in place wherever ``price`` is not a finite positive number (a float64 array).

    ``price × ok / ok`` with ``ok`` 1.0 or 0.0 keeps a valid price exactly and
    makes 0/0 = NaN elsewhere: cheaper than ``np.where`` on a random mask.
    ``spare``: a float64 array of the same shape that may be overwritten.
    """
    import numpy as np

    ok = np.greater(price, 0)
    if spare is not None and spare is not price and spare.dtype == np.float64 and spare.flags.writeable:
        np.copyto(spare, ok)
        weight = spare
    else:
        weight = ok.astype(np.float64)
    with np.errstate(invalid="ignore"):
        np.multiply(price, weight, out=price)
        np.divide(price, weight, out=price)
    if np.fmax.reduce(price, axis=None) == np.inf:
        price[np.isinf(price)] = np.nan
    return price


def binance_liquidation_price(linear: bool, s: Num, entry: Num, size: Num, balance: Num, rate: Num,
                              amount: Num) -> Num:
    """Binance: ``LP = (WB + cum − s·Q·E) / (Q·MMR − s·Q)`` (linear; inverse ``F·(MMR + s) / (WB + cum + s·F/E)``).

    Hand check: long 1 BTC @ 10,000, 10x (WB 1,000), MMR 0.4 %: 9,036.14.

    >>> round(binance_liquidation_price(True, 1, 10000.0, 1.0, 1000.0, 0.004, 0.0), 2)
    9036.14
    """
    return isolated_liquidation_price(linear, False, s, entry, size, balance, rate, amount, 0)


def bybit_liquidation_price(linear: bool, s: Num, entry: Num, size: Num, balance: Num, rate: Num,
                            amount: Num) -> Num:
    """Bybit: the maintenance margin valued at entry, ``LP = E − s·(WB − MM) / Q``.

    examples.md Y2: short 1 BTC @ 8,000, 40x (WB 200), MMR 0.5 %: 8,160.

    >>> bybit_liquidation_price(True, -1, 8000.0, 1.0, 200.0, 0.005, 0.0)
    8160.0
    """
    return isolated_liquidation_price(linear, True, s, entry, size, balance, rate, amount, 0)


def bybit_cross_bankruptcy_price(linear: bool, s: Num, entry: Num, size: Num, balance: Num, fee: Num) -> Num:
    """Bybit cross: the price where the margin balance is the fee to close there; NaN where none.

    ``WB + s·PnL(BP) = f·value(BP)``: linear ``BP = (s·Q·E − WB) / (Q·(s − f))``,
    inverse ``BP = F·(s + f) / (WB + s·F/E)`` (Bybit's ``1.00075 × Q / (Q/E + AB − OM)``
    for a long at the 0.075 % taker rate).  Bybit's inverse cross example
    (help centre, "How to calculate Liquidation Price (Inverse Contract)"): 0.5 BTC,
    long 10,000 contracts at 8,000: 1.00075 × 10,000 / 1.75 = 5,718.57.

    >>> round(bybit_cross_bankruptcy_price(False, 1, 8000.0, 10000.0, 0.5, 0.00075), 2)
    5718.57
    """
    if linear:
        price = (s * size * entry - balance) / (size * (s - fee))
        return _nan_where(price, price > 0)
    denominator = balance + s * size / entry
    ok = s * denominator > 0  # a long needs a positive denominator, a short (s + f < 0) a negative one
    if hasattr(ok, "shape"):
        import numpy as np

        return _nan_where(size * (s + fee) / np.where(ok, denominator, 1), ok)
    return size * (s + fee) / denominator if ok else _nan_where(denominator, False)


def bybit_fee_to_close(linear: bool, s: Num, entry: Num, size: Num, balance: Num, fee: Num) -> Num:
    """Bybit cross: the taker fee to close at the bankruptcy price, ``f·value(BP)``.

    0 where there is no bankruptcy price (a linear long whose balance covers a
    fall to zero, an inverse short whose coin covers any rise): the fee at a
    price of 0 (linear) or of infinity (inverse) is 0.  Bybit's example:
    10,000 × 0.00075 / 5,718.57 = 0.00131152 BTC.

    >>> round(bybit_fee_to_close(False, 1, 8000.0, 10000.0, 0.5, 0.00075), 8)
    0.00131152
    """
    price = bybit_cross_bankruptcy_price(linear, s, entry, size, balance, fee)
    if hasattr(price, "shape"):
        import numpy as np

        if price.dtype.kind == "O":
            ok = np.array([_finite_positive(p) for p in np.ravel(price)], dtype=bool).reshape(np.shape(price))
        else:
            ok = np.isfinite(price) & (price > 0)
        safe = np.where(ok, price, 1)
        return np.where(ok, (size * safe if linear else size / safe) * fee, 0 * fee)
    if not _finite_positive(price):
        return 0 * fee
    return (size * price if linear else size / price) * fee


def bybit_cross_liquidation_price(linear: bool, s: Num, entry: Num, size: Num, balance: Num, rate: Num,
                                  amount: Num, fee: Num) -> Num:
    """Bybit cross: the maintenance margin at entry plus the fee to close at the bankruptcy price.

    ``WB + s·PnL(LP) = value(E)·MMR − cum + f·value(BP)``, so the fee comes off
    the balance: :func:`bybit_liquidation_price` with ``WB − f·value(BP)``.
    Bybit's inverse example: ``10,000·(1/8,000 − 1/LP) = −(0.5 − 1.25 × 0.5 % −
    10,000 × 0.00075 / 5,718.57)``: LP = 5,739.08, which Bybit shows rounded up to
    its 0.5 tick, 5,739.50 (a long's prices are rounded up, a short's down).

    >>> round(bybit_cross_liquidation_price(False, 1, 8000.0, 10000.0, 0.5, 0.005, 0.0, 0.00075), 2)
    5739.08
    """
    fee_to_close = bybit_fee_to_close(linear, s, entry, size, balance, fee)
    return isolated_liquidation_price(linear, True, s, entry, size, balance - fee_to_close, rate, amount, 0 * fee)


def okx_liquidation_price(linear: bool, s: Num, entry: Num, size: Num, balance: Num, rate: Num, amount: Num,
                          fee: Num) -> Num:
    """OKX (Gate, Bitget): the fee to close counts, ``LP = (E − s·(WB + cum)/Q) / (1 − s·(MMR + f))``."""
    return isolated_liquidation_price(linear, False, s, entry, size, balance, rate, amount, fee)


def hyperliquid_liquidation_price(linear: bool, s: Num, entry: Num, size: Num, balance: Num,
                                  max_leverage: Num) -> Num:
    """Hyperliquid: ``MMR = 1 / (2 × max leverage)``, no amount, no fee."""
    return isolated_liquidation_price(linear, False, s, entry, size, balance, 1 / (2 * max_leverage), 0, 0)


# ---------------------------------------------------------------------------
# Tier bands


@dataclass(frozen=True, eq=False)
class Bands:
    """A tier table as notional bands ``low_k <= notional < low_(k+1)``: built once per table.

    ``lows[0]`` is 0.  ``rates`` and ``amounts`` are the maintenance rate and
    amount of each band; ``caps`` the leverage caps; ``tiers`` the
    exchange's tier numbers.  ``continuous`` says whether the maintenance
    margin ``N·MMR_k − cum_k`` is continuous at every boundary (``cum`` by the
    recurrence): then the liquidation price is found by one ``searchsorted``
    (:func:`tiered_liquidation_price`), else by trying every band.
    The float64 arrays (``*_array``) are made on first use by an array call.
    """

    lows: tuple[float, ...]
    rates: tuple[float, ...]
    amounts: tuple[float, ...]
    caps: tuple[float, ...] = ()
    tiers: tuple[int, ...] = ()
    continuous: bool = True
    #: The largest notional the table holds (inf: no bound).
    top: float = _INF
    _arrays: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_tiers(
        cls,
        lows: Sequence[Any],
        rates: Sequence[Any],
        amounts: Sequence[Any],
        caps: Sequence[Any] | None = None,
        tiers: Sequence[int] | None = None,
        top: Any = _INF,
    ) -> Bands:
        """Bands from the tiers' lower bounds (the first is taken as 0), rates, amounts (and caps, numbers).

        >>> b = Bands.from_tiers([0, 50000, 250000], [0.004, 0.005, 0.01], [0, 50, 1300])
        >>> b.index(60000.0), b.maintenance_margin(60000.0), b.continuous
        (1, 250.0, True)
        """
        low = (0.0, *(float(x) for x in lows[1:]))
        rate = tuple(float(x) for x in rates)
        amount = tuple(float(x) for x in amounts)
        continuous = all(
            math.isclose(low[k] * rate[k - 1] - amount[k - 1], low[k] * rate[k] - amount[k], rel_tol=1e-9,
                         abs_tol=1e-9 * max(1.0, low[k] * rate[k]))
            for k in range(1, len(low))
        )
        return cls(low, rate, amount, tuple(float(c) for c in caps or ()),
                   tuple(int(t) for t in tiers or range(1, len(low) + 1)), continuous, float(top))

    @property
    def max_rate(self) -> float:
        """The highest maintenance rate of any band."""
        return max(self.rates)

    def array(self, name: str) -> Any:
        """``lows``, ``rates``, ``amounts``, ``caps`` (float64) or ``tiers`` (int64) as an array (made once)."""
        found = self._arrays.get(name)
        if found is None:
            import numpy as np

            found = np.array(getattr(self, name), dtype=np.int64 if name == "tiers" else np.float64)
            found.setflags(write=False)
            self._arrays[name] = found
        return found

    def index(self, notional: Num) -> Any:
        """The band holding ``notional`` (at a boundary: the upper band; beyond the last: the last)."""
        if hasattr(notional, "shape"):
            return count_at_or_above(notional, self.lows[1:])
        return bisect.bisect_right(self.lows, float(notional)) - 1

    def maintenance_margin(self, notional: Num) -> Num:
        """``notional·MMR_k − cum_k`` in the band holding ``notional``."""
        k = self.index(notional)
        if hasattr(k, "shape"):
            return notional * self.array("rates")[k] - self.array("amounts")[k]
        return notional * self.rates[k] - self.amounts[k]


def count_at_or_above(values: Any, floors: Sequence[float], below: bool = False) -> Any:
    """For each value, how many ``floors`` it is at or above (``below``: at or below); an int array.

    For the few floors of a tier table, one comparison per floor accumulated in
    ``uint8`` is several times faster than ``np.searchsorted`` (a branchy binary
    search per element); ``searchsorted`` takes over for long tables.
    """
    import numpy as np

    if len(floors) > 24 or np.ndim(values) == 0:
        ordered = np.sort(np.asarray(floors, dtype=np.float64))
        if below:  # floors f with v <= f: −f <= −v
            return np.searchsorted(np.sort(-ordered), -np.asarray(values), side="right")
        return np.searchsorted(ordered, values, side="right")
    count = np.zeros(np.shape(values), dtype=np.uint8)
    compare = np.less_equal if below else np.greater_equal
    hit = np.empty(np.shape(values), dtype=bool)
    for floor in floors:
        compare(values, floor, out=hit)
        np.add(count, hit, out=count, casting="unsafe")
    return count


def tiered_liquidation_price(
    linear: bool, mm_at_entry: bool, s: Num, entry: Num, size: Num, balance: Num, bands: Bands, fee: Num
) -> tuple[Num, Any]:
    """The isolated liquidation price with the tier at that price, and the band index there.

    The maintenance rate is the one of the band holding the notional *at the
    liquidation price* (Bybit: at the entry value).  With ``N`` the notional
    at the price (``Q·P`` or ``F/P``), the margin balance minus requirement is
    ``c − h(N)`` with ``c = WB − s·Q·E`` (linear) or ``WB + s·F/E``
    (inverse) and ``h(N) = MM(N) + (f ∓ s)·N``, monotone in ``N``.  For a
    continuous ``MM`` the band of the root is where ``c`` falls among
    ``h(low_k)``: one ``searchsorted`` per side, then the closed form of that
    band.  Tables with jumps in ``MM`` fall back to trying every band (the
    general solver of :mod:`contractcalc.engines.liquidation`).

    Floats and float arrays only.  Returns ``(price with NaN where none, band index)``.

    >>> b = Bands.from_tiers([0, 50000, 250000], [0.004, 0.005, 0.01], [0, 50, 1300])
    >>> price, k = tiered_liquidation_price(True, False, 1, 10000.0, 10.0, 10000.0, b, 0.0)
    >>> round(price, 4), k
    (9040.201, 1)
    """
    array = hasattr(s, "shape") or hasattr(entry, "shape") or hasattr(size, "shape") or hasattr(balance, "shape")
    if mm_at_entry:  # Bybit: the band of the entry value, fixed
        k = bands.index(size * entry if linear else size / entry)
        rate, amount = (bands.array("rates")[k], bands.array("amounts")[k]) if array else (bands.rates[k],
                                                                                            bands.amounts[k])
        return isolated_liquidation_price(linear, True, s, entry, size, balance, rate, amount, fee), k
    if not array:
        return _tiered_scalar(linear, s, entry, size, balance, bands, fee)
    import numpy as np

    lows = bands.array("lows")
    mm_at_low = lows * bands.array("rates") - bands.array("amounts")
    c = balance - s * size * entry if linear else balance + s * size / entry
    if np.ndim(fee) == 0 and bands.continuous:
        sign_in_h = -1 if linear else 1  # h(N) = MM(N) + f·N − s·N (linear), + s·N (inverse)
        h_long = mm_at_low + (fee + sign_in_h) * lows  # s = +1
        h_short = mm_at_low + (fee - sign_in_h) * lows  # s = −1
        k = _band_of_root(np, c, s, linear, h_long[1:], h_short[1:])
    else:
        k = _band_by_trial(np, linear, s, entry, size, balance, bands, fee)
    rates, amounts = bands.array("rates"), bands.array("amounts")
    price = isolated_liquidation_price(linear, False, s, entry, size, balance, rates[k], amounts[k], fee)
    return price, k


def _band_of_root(np: Any, c: Any, s: Any, linear: bool, h_long: Any, h_short: Any) -> Any:
    """The band holding the root of ``c = h(N)``: a decreasing ``h`` counts ``h(low_j) >= c``, else ``<= c``."""

    def count(h: Any, values: Any, decreasing: bool) -> Any:
        if h.size == 0:
            return np.zeros(np.shape(values), dtype=np.uint8)
        return count_at_or_above(values, [float(x) for x in h], below=decreasing)

    # h's slope is MMR + f − 1 < 0 for a linear long and an inverse short, MMR + f + 1 > 0 otherwise
    # (never read from h itself: one boundary says nothing about the direction)
    if np.ndim(s) == 0:
        return count(h_long, c, linear) if s > 0 else count(h_short, c, not linear)
    longs = s > 0
    if longs.all():
        return count(h_long, c, linear)
    if not longs.any():
        return count(h_short, c, not linear)
    return np.where(longs, count(h_long, c, linear), count(h_short, c, not linear))


def _band_by_trial(np: Any, linear: bool, s: Any, entry: Any, size: Any, balance: Any, bands: Bands,
                   fee: Any) -> Any:
    """Every band's root, kept where it lies in its own band; a long takes the highest, a short the lowest."""
    rising = s > 0
    best_long = np.full(np.broadcast_shapes(np.shape(s), np.shape(entry), np.shape(size), np.shape(balance)),
                        -np.inf)
    best_short = np.full(best_long.shape, np.inf)
    k_long = np.zeros(best_long.shape, dtype=np.intp)
    k_short = np.zeros(best_long.shape, dtype=np.intp)
    lows = bands.lows
    for k, (rate, amount) in enumerate(zip(bands.rates, bands.amounts, strict=True)):
        root = isolated_liquidation_price(linear, False, s, entry, size, balance, rate, amount, fee)
        low_n, high_n = lows[k], lows[k + 1] if k + 1 < len(lows) else np.inf
        notional = size * root if linear else size / root
        inside = (notional >= low_n) & (notional < high_n)
        better_long = inside & (root > best_long)
        best_long = np.where(better_long, root, best_long)
        k_long = np.where(better_long, k, k_long)
        better_short = inside & (root < best_short)
        best_short = np.where(better_short, root, best_short)
        k_short = np.where(better_short, k, k_short)
    return np.where(rising, k_long, k_short)


def _tiered_scalar(linear: bool, s: Any, entry: Any, size: Any, balance: Any, bands: Bands,
                   fee: Any) -> tuple[Any, int]:
    """Scalar floats: walk the bands for the one whose root lies in it (continuous tables: exactly one)."""
    c = balance - s * size * entry if linear else balance + s * size / entry
    sign_in_h = (-1 if linear else 1) * s
    lows, rates, amounts = bands.lows, bands.rates, bands.amounts
    k = 0
    if bands.continuous:
        decreasing = fee + sign_in_h + rates[0] < 0
        for j in range(1, len(lows)):
            h = lows[j] * rates[j] - amounts[j] + (fee + sign_in_h) * lows[j]
            if (h >= c) if decreasing else (h <= c):
                k = j
            else:
                break
        return isolated_liquidation_price(linear, False, s, entry, size, balance, rates[k], amounts[k], fee), k
    best: Any = math.nan
    for j, (rate, amount) in enumerate(zip(rates, amounts, strict=True)):
        root = isolated_liquidation_price(linear, False, s, entry, size, balance, rate, amount, fee)
        if math.isnan(root):
            continue
        notional = size * root if linear else size / root
        high = lows[j + 1] if j + 1 < len(lows) else _INF
        if lows[j] <= notional < high and (math.isnan(best) or (root > best if s > 0 else root < best)):
            best, k = root, j
    return best, k
