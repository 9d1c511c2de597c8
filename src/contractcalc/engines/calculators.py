"""The position calculators: one function per CLI command, exchange-exact.

``pnl``, ``target``, ``average_entry``, ``cost``, ``size`` and ``max_open``
mirror the commands of the same names.  Every keyword is the command's flag
with underscores and every function returns a ``dict`` keyed exactly by the
command's ``--json`` keys; the CLI and the HTTP API only parse and print.

Contract and exchange
---------------------
``contract`` is ``'linear'`` or ``'inverse'``; ``exchange`` (optional) names a
preset (:mod:`contractcalc.exchanges`) that fills in the contract kind, the
contract size (by ``symbol``) and the fee rates.  A keyword given explicitly
always wins over the preset; a ``contract`` that contradicts the preset is an
error.  Without a preset, fee rates default to 0.  With one, every fee rate
defaults to the preset's *taker* rate (the conservative assumption).

Sizes: a linear position is ``quantity`` base units, or ``contracts`` ×
``contract_size`` base units; an inverse position is ``contracts`` ×
``contract_size`` USD (the face value).  Amounts (PnL, margin, fees, notional)
are in the quote currency for linear contracts and in the base coin for
inverse ones.  Counts (``quantity``, ``contracts``) are exact, before rounding
down to an exchange's lot size.

The formulas are in :mod:`contractcalc.contracts`; :mod:`contractcalc.reference`
restates each calculator in plain ``Decimal`` for cross-checking.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from contractcalc.core import contracts as cx
from contractcalc.core import kernels
from contractcalc.core.numeric import (
    DOUBLE_MIN_NORMAL,
    Num,
    check,
    check_products,
    check_results,
    check_shapes,
    constant_like,
    is_array,
    is_plain_positive,
    number,
    one_number_type,
    one_number_type_of_arguments,
    positive,
    require,
    side_sign,
    where,
)
from contractcalc.core.seed import CONTRACT_ALIASES, contract_kind
from contractcalc.engines.plan import LOSS_SIDE, PROFIT_SIDE
from contractcalc.errors import InputError, format_value
from contractcalc.venues.exchanges import EXCHANGES, ExchangePreset, exchange_preset

# Each result class is imported where it is made: a frozen dataclass costs ~0.5 ms of CPU to
# create, and ``contractcalc pnl`` needs PnlResult alone (core/results/__init__.py).
if TYPE_CHECKING:
    from pathlib import Path

    from contractcalc.core.results.average_entry import AverageEntryResult
    from contractcalc.core.results.cost import CostResult
    from contractcalc.core.results.max_open import MaxOpenResult
    from contractcalc.core.results.pnl import PnlResult
    from contractcalc.core.results.size import SizeResult
    from contractcalc.core.results.target import TargetResult
    from contractcalc.venues.tiers import TierTable

__all__ = [
    "Market",
    "SizedPosition",
    "average_entry",
    "cost",
    "market",
    "max_open",
    "parse_fill",
    "pnl",
    "size",
    "size_position",
    "target",
]


# ---------------------------------------------------------------------------
# Contract kind, contract size and fee rates from the keywords and a preset


@dataclass(frozen=True)
class Market:
    """What a calculator needs to know about the market: kind, preset, contract size."""

    contract: str  # "linear" or "inverse"
    preset: ExchangePreset | None
    contract_size: Num | None
    symbol: str | None
    #: Why ``contract_size`` is unknown, as an error to raise when it is needed.
    missing_size: InputError | None = None

    def require_contract_size(self) -> Num:
        """The contract size, or the error explaining how to give it."""
        if self.contract_size is None:
            raise self.missing_size or InputError(
                "contract_size", "is required for inverse contracts (USD per contract), or give 'exchange'")
        return self.contract_size

    def fee_rate(self, name: str, given: Num | None, *like: Any) -> Num:
        """``given`` (validated) or the preset's taker rate, or 0 without a preset."""
        if given is not None:
            if self.preset is None or self.preset.min_fee_rate == 0:
                return check(name, check(name, given, ">=", 0), "<", 1)
            lowest = self.preset.min_fee_rate
            # a maker rebate: as negative as the exchange publishes, no more
            given = check(name, given, "<", 1)
            require(name, given, given >= constant_like(lowest, given),
                    f"must be >= {lowest} (the largest maker rebate {self.preset.name} publishes)")
            return given
        if self.preset is None:
            return 0
        return constant_like(self.preset.taker_fee_rate, *like)

    def size(self, quantity: Num | None, contracts: Num | None) -> Num:
        """Linear quantity ``Q`` or inverse face value ``F`` (:func:`contracts.position_size`)."""
        if contracts is not None and quantity is None and self.contract_size is None and self.missing_size:
            raise self.missing_size
        return cx.position_size(self.contract, quantity=quantity, contracts=contracts,
                                contract_size=self.contract_size)


def market(
    contract: str | None,
    exchange: str | None = None,
    symbol: str | None = None,
    contract_size: Num | None = None,
    *like: Any,
) -> Market:
    """Resolve ``contract``, ``exchange``, ``symbol`` and ``contract_size`` into a :class:`Market`.

    >>> m = market(None, "binance-coinm", "BTC/USD:BTC")
    >>> m.contract, m.contract_size
    ('inverse', 100.0)
    >>> market(None, "binance-coinm").require_contract_size()
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'symbol' is required to pick the contract size on binance-coinm (BTC 100, ...
    >>> market("linear", "binance-coinm")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'contract' must be inverse, as the exchange binance-coinm is (got 'linear')
    """
    preset = exchange_preset(exchange) if exchange is not None else None
    if contract is None:
        if preset is None:
            raise InputError("contract", "is required: 'linear' or 'inverse' (or give 'exchange')")
        kind = preset.contract
    else:
        kind = contract_kind(contract)
        if preset is not None and preset.contract != kind:
            raise InputError("contract", f"must be {preset.contract}, as the exchange {preset.name} is", contract)
    missing = None
    if contract_size is not None:
        contract_size = positive("contract_size", contract_size)
    elif preset is not None:
        per_symbol = {prefix for prefix, _ in preset.contract_sizes if prefix}
        found = preset.contract_size(symbol)
        if per_symbol and not symbol and found is not None:
            # the size depends on the symbol: an error only if a calculation needs it
            sizes = ", ".join(f"{p or 'others'} {format_value(s)}" for p, s in preset.contract_sizes)
            missing = InputError("symbol", f"is required to pick the contract size on {preset.name} ({sizes}), "
                                 "or give 'contract_size'")
            found = None
        contract_size = None if found is None else constant_like(found, *like)
    return Market(kind, preset, contract_size, symbol, missing)


def _fee_like(*inputs: Any) -> tuple[Any, ...]:
    return tuple(x for x in inputs if x is not None)


# ---------------------------------------------------------------------------
# pnl

_SIDE_SIGNS: dict[str, int] = {"long": 1, "short": -1}
_PRESETS: dict[str, ExchangePreset] = dict(EXCHANGES)
_TAKER_FLOATS: dict[str, float] = {name: float(p.taker_fee_rate) for name, p in EXCHANGES.items()}
_INF = math.inf


def _rate_ok(x: Any) -> bool:
    """A plain fee rate in [0, 1)."""
    t = type(x)
    return (t is float or t is int) and 0 <= x < 1


def _pnl_plain(
    side: Any, entry: Any, exit: Any, contract: Any, quantity: Any, contracts: Any, contract_size: Any,
    leverage: Any, open_fee_rate: Any, close_fee_rate: Any, funding_rate: Any, funding_intervals: Any,
    funding_mark: Any, exchange: Any,
) -> PnlResult | None:
    """:func:`pnl` on plain floats (or ints): ``None`` for anything else, which the general path then handles."""
    s = _SIDE_SIGNS.get(side) if type(side) is str else None
    if s is None or not is_plain_positive(entry) or not is_plain_positive(exit):
        return None
    kind = CONTRACT_ALIASES.get(contract) if type(contract) is str else None
    if exchange is None:
        if kind is None:
            return None
        default_fee: Any = 0
    else:
        preset = _PRESETS.get(exchange) if type(exchange) is str else None
        if preset is None or (contract is not None and kind != preset.contract):
            return None
        kind = preset.contract
        default_fee = _TAKER_FLOATS[preset.name]
    linear = kind == "linear"
    if quantity is not None:
        if not linear or contracts is not None or not is_plain_positive(quantity):
            return None
        q = quantity
    elif (contracts is not None and contract_size is not None and is_plain_positive(contracts)
          and is_plain_positive(contract_size)):
        q = contracts * contract_size
    else:
        return None
    if open_fee_rate is None:
        f_o = default_fee
    elif _rate_ok(open_fee_rate):
        f_o = open_fee_rate
    else:
        return None
    if close_fee_rate is None:
        f_c = default_fee
    elif _rate_ok(close_fee_rate):
        f_c = close_fee_rate
    else:
        return None
    if linear:
        gain = s * q * (exit - entry)
        notional = q * entry
        fees = notional * f_o + q * exit * f_c
        breakeven = entry * (1 + s * f_o) / (1 - s * f_c)
    else:
        gain = s * q * (1 / entry - 1 / exit)
        notional = q / entry
        fees = notional * f_o + q / exit * f_c
        breakeven = entry * (1 + s * f_c) / (1 - s * f_o)
    if notional < DOUBLE_MIN_NORMAL:
        return None  # the size or the value underflowed: the general path names the input
    margin = roe = None
    if leverage is not None:
        if not is_plain_positive(leverage):
            return None
        margin = notional / leverage
        if margin < DOUBLE_MIN_NORMAL:
            return None
        roe = gain / margin
    if funding_rate is None:
        if funding_intervals is not None or funding_mark is not None:
            return None
        funding: Any = 0 * fees
    else:
        t = type(funding_rate)
        if not ((t is float or t is int) and -_INF < funding_rate < _INF):
            return None
        intervals = 1 if funding_intervals is None else funding_intervals
        t = type(intervals)
        if not ((t is float or t is int) and 0 <= intervals < _INF):
            return None
        mark = entry if funding_mark is None else funding_mark
        if not is_plain_positive(mark):
            return None
        funding = s * (q * mark if linear else q / mark) * funding_rate * intervals
    net = gain - fees - funding
    if not (-_INF < net < _INF and -_INF < notional < _INF and -_INF < breakeven < _INF
            and (roe is None or -_INF < roe < _INF)):
        return None  # out of range: the general path names the input
    from contractcalc.core.results.pnl import PnlResult

    return PnlResult(gain, margin, roe, notional, fees, funding, net, breakeven)


def pnl(
    *,
    side: Any,
    entry: Num,
    exit: Num,
    contract: str | None = None,
    quantity: Num | None = None,
    contracts: Num | None = None,
    contract_size: Num | None = None,
    leverage: Num | None = None,
    open_fee_rate: Num | None = None,
    close_fee_rate: Num | None = None,
    funding_rate: Num | None = None,
    funding_intervals: Num | None = None,
    funding_mark: Num | None = None,
    exchange: str | None = None,
    symbol: str | None = None,
) -> PnlResult:
    """PnL of a position closed at ``exit``, with margin, ROE, fees and funding.

    Keys (``contractcalc pnl --json``):

    - ``pnl``: ``s·Q·(X − E)`` linear, ``s·F·(1/E − 1/X)`` inverse;
    - ``initial_margin``, ``roe`` (PnL / IM, a fraction): ``None`` without ``leverage``;
    - ``notional``: the value at entry (``Q·E`` quote, ``F/E`` coin);
    - ``fees``: open fee on the value at entry plus close fee on the value at exit;
    - ``funding``: paid over ``funding_intervals`` (default 1) at ``funding_rate``,
      valued at ``funding_mark`` (default: the entry price); negative when received;
    - ``net_pnl`` = pnl − fees − funding;
    - ``breakeven_price``: the exit at which PnL pays the open and close fees.

    examples.md Y16 (long 0.2 @ 7,000 → 7,500: 100 USDT) with 10x:

    >>> r = pnl(contract="linear", side="long", entry=7000, exit=7500, quantity=0.2, leverage=10)
    >>> r["pnl"], r["initial_margin"], round(r["roe"], 4), r["notional"]
    (100.0, 140.0, 0.7143, 1400.0)

    examples.md Y19 (inverse long 1,000 USD @ 5,000 → 5,500: 0.01819 BTC):

    >>> pnl(contract="inverse", side="long", entry=5000, exit=5500, contracts=1000, contract_size=1)["pnl"]
    0.0181818
    """
    fast = _pnl_plain(side, entry, exit, contract, quantity, contracts, contract_size, leverage, open_fee_rate,
                      close_fee_rate, funding_rate, funding_intervals, funding_mark, exchange)
    if fast is not None:
        return _bybit_roi(fast, exchange, side, entry, leverage, close_fee_rate)
    inputs = {
        "entry": entry, "exit": exit, "quantity": quantity, "contracts": contracts, "contract_size": contract_size,
        "leverage": leverage, "open_fee_rate": open_fee_rate, "close_fee_rate": close_fee_rate,
        "funding_rate": funding_rate, "funding_intervals": funding_intervals, "funding_mark": funding_mark,
    }
    one_number_type(inputs)
    check_shapes({"side": side, **inputs})
    m = market(contract, exchange, symbol, contract_size, entry, exit)
    s = side_sign(side)
    entry, exit = positive("entry", entry), positive("exit", exit)
    q = m.size(quantity, contracts)
    like = _fee_like(entry, exit, q)
    f_o = m.fee_rate("open_fee_rate", open_fee_rate, *like)
    f_c = m.fee_rate("close_fee_rate", close_fee_rate, *like)

    # validated: the kernels from here on
    linear = m.contract == "linear"
    gain = kernels.position_pnl(linear, s, entry, exit, q)
    notional = kernels.position_value(linear, entry, q)
    margin = roe = None
    if leverage is not None:
        leverage = positive("leverage", leverage)
        margin = kernels.initial_margin(linear, entry, q, leverage)
    # products of positive inputs: 0 or a subnormal double means they underflowed (a 0 pnl or fee may be an answer)
    check_products({"notional": notional, "initial_margin": margin}, inputs)
    if margin is not None:
        roe = gain / margin
    fees = notional * f_o + kernels.position_value(linear, exit, q) * f_c
    if funding_rate is None:
        if funding_intervals is not None:
            raise InputError("funding_intervals", "needs 'funding_rate'", funding_intervals)
        if funding_mark is not None:
            raise InputError("funding_mark", "needs 'funding_rate'", funding_mark)
        funding: Num = 0 * fees
    else:
        intervals = 1 if funding_intervals is None else funding_intervals
        mark = entry if funding_mark is None else positive("funding_mark", funding_mark)
        funding = cx.funding_payment(m.contract, s, mark, q, funding_rate, intervals)
    from contractcalc.core.results.pnl import PnlResult
    result = PnlResult(
        gain, margin, roe, notional, fees, funding, gain - fees - funding,
        kernels.breakeven_price(linear, s, entry, f_o, f_c),
    )
    check_results(result, inputs)
    return _bybit_roi(result, exchange, side, entry, leverage, f_c)


def _bybit_roi(
    result: PnlResult, exchange: Any, side: Any, entry: Any, leverage: Any, close_fee_rate: Any
) -> PnlResult:
    """Under a Bybit preset, ``result`` with Bybit's ROI: PnL / (initial margin + fee to close at bankruptcy).

    Bybit's position margin holds the fee to close at the bankruptcy price ``BP`` (linear
    ``E·(1 − s/L)``, inverse ``E·L/(L + s)``): value(BP)·taker, where value(BP) is the
    notional × BP/E (linear) or × E/BP (inverse). Bybit's USDT example: 0.2 BTC long from
    7,000 to 7,500 at 10x: 100 / (140 + 0.2 × 6,300 × 0.055 %) = 100 / 140.693 = 71.07 %.
    """
    if exchange is None or leverage is None or result.initial_margin is None:
        return result
    preset = exchange_preset(exchange)
    if preset.liquidation_model != "bybit":
        return result
    s = side_sign(side)
    rate = close_fee_rate if close_fee_rate is not None else constant_like(preset.taker_fee_rate, result.pnl)
    # value(BP) / value(E): linear BP/E = 1 − s/L, inverse E/BP = 1 + s/L; where no price is bankrupt (a 1x
    # linear long's BP is 0, a 1x inverse short's infinite) the position is worth 0 there: no fee to close
    ratio = 1 - s / leverage if preset.contract == "linear" else 1 + s / leverage
    scale = where(ratio > 0, ratio, constant_like(0, ratio))
    position_margin = result.initial_margin + result.notional * scale * rate
    return dataclasses.replace(result, roi=result.pnl / position_margin)


# ---------------------------------------------------------------------------
# target


#: ``target``'s floor on the ROE: -100 % is the bankruptcy price.
ROE_FLOOR_RULE = "must be > -1 (-100 % is the bankruptcy price, beyond liquidation)"

#: An ROE above this (1000 %) is more likely a percentage typed as a fraction (``50`` for 50 %).
ROE_LIKELY_PERCENT = 10


def check_typed_roe(roe: Num) -> None:
    """The CLI's and the API's check on a typed ROE: at or below -100 % is refused.

    An ROE of -100 % loses the whole margin: that exit is the bankruptcy price, beyond the
    liquidation price, so no trade reaches it.  (The library's :func:`target` computes any
    reachable ROE, as the reference does; a person typing -100 % has made a mistake.)

    >>> check_typed_roe(-1)
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'roe' must be > -1 (-100 % is the bankruptcy price, beyond liquidation) (got -1)
    """
    require("roe", roe, number("roe", roe) > -1, ROE_FLOOR_RULE)


@one_number_type_of_arguments
def target(
    *,
    side: Any,
    entry: Num,
    leverage: Num,
    roe: Num,
    contract: str | None = None,
    exchange: str | None = None,
) -> TargetResult:
    """The exit price that makes ``roe`` (PnL / initial margin, a fraction) at ``leverage``.

    Linear ``E·(1 + s·ROE/L)``; inverse ``E / (1 − s·ROE/L)``.  Fees are not
    included (see ``pnl``'s ``breakeven_price``).

    examples.md Y16 backwards: 100 USDT on a 140 USDT margin (long @ 7,000, 10x):

    >>> target(contract="linear", side="long", entry=7000, leverage=10, roe=100 / 140)
    TargetResult(target_price=7500.0)

    """
    m = market(contract, exchange)
    from contractcalc.core.results.target import TargetResult
    result = TargetResult(cx.target_price(m.contract, side, entry, leverage, roe))
    check_results(result, {"entry": entry, "leverage": leverage, "roe": roe})
    return result


# ---------------------------------------------------------------------------
# average-entry


def parse_fill(fill: Any, index: int = 0) -> tuple[Num, Num]:
    """One fill as ``(size, price)``: from ``'0.5@5000'``, a pair, or ``{'size', 'price'}``.

    Text is read as ``Decimal``, its numbers as traders type them (``1,000@1,500.5``:
    :mod:`contractcalc.core.typed_numbers`; no ``%`` in a size or a price).

    >>> parse_fill("0.5@5000")
    (Decimal('0.5'), Decimal('5000'))
    >>> parse_fill("-1,000@1,500.5")
    (Decimal('-1000'), Decimal('1500.5'))
    >>> parse_fill("0.5 at 5000", 1)
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'fill' must be SIZE@PRICE, e.g. 0.5@5000 (got '0.5 at 5000' at index 1)
    """
    rule = "must be SIZE@PRICE, e.g. 0.5@5000"
    if isinstance(fill, str):
        from contractcalc.core.typed_numbers import typed_number_or_none

        parts = fill.split("@")
        if len(parts) != 2 or "%" in fill:
            raise InputError("fill", rule, fill, index)
        size_text, price_text = (typed_number_or_none(part) for part in parts)
        if size_text is None or price_text is None:
            raise InputError("fill", rule, fill, index)
        size_, price = size_text, price_text
        if not (size_.is_finite() and price.is_finite()):
            raise InputError("fill", rule, fill, index)
    elif isinstance(fill, Mapping):
        if set(fill) != {"size", "price"}:
            raise InputError("fill", "must have exactly 'size' and 'price'", ", ".join(map(str, fill)), index)
        size_, price = fill["size"], fill["price"]
    elif isinstance(fill, Sequence) and len(fill) == 2:
        size_, price = fill
    else:
        raise InputError("fill", rule, fill if not isinstance(fill, Sequence) else str(fill), index)
    return size_, price


@one_number_type_of_arguments
def average_entry(
    *, fill: Sequence[Any], contract: str | None = None, exchange: str | None = None, side: str | None = None
) -> AverageEntryResult:
    """The average entry of several fills, and their total size.

    ``fill`` lists ``'SIZE@PRICE'`` texts, ``(size, price)`` pairs or
    ``{'size', 'price'}`` objects.  Linear (sizes in base units): the
    size-weighted mean ``ΣQi·Pi / ΣQi``.  Inverse (sizes in contracts or USD):
    the harmonic mean ``ΣFi / Σ(Fi/Pi)``.

    examples.md Y13 (linear 0.5 @ 5,000 + 0.3 @ 6,000: 5,375) and Y15
    (inverse 50 @ 10,000 + 50 @ 15,000: 12,000):

    >>> average_entry(contract="linear", fill=["0.5@5000", "0.3@6000"]).to_dict()
    {'average_entry': Decimal('5375'), 'total_size': Decimal('0.8')}
    >>> average_entry(contract="inverse", fill=[(50, 10000), (50, 15000)])
    AverageEntryResult(average_entry=12000.0, total_size=100)
    """
    m = market(contract, exchange)
    if isinstance(fill, str):
        fill = [fill]
    if isinstance(fill, Mapping) or not isinstance(fill, Sequence) or not fill:
        raise InputError("fill", "must list at least one fill, e.g. ['0.5@5000', '0.3@6000']")
    pairs = [parse_fill(item, k) for k, item in enumerate(fill)]
    if side is not None or any(_is_close(q) for q, _ in pairs):
        return _with_closes(m.contract, pairs, side if side is not None else "long", fill)
    sizes = [_fill_number("size", q, k) for k, (q, _) in enumerate(pairs)]
    prices = [_fill_number("price", p, k) for k, (_, p) in enumerate(pairs)]
    from contractcalc.core.results.average_entry import AverageEntryResult
    result = AverageEntryResult(cx.average_entry(m.contract, sizes, prices), sum(sizes[1:], sizes[0]))
    check_results(result, {"fill": fill})
    return result


def _is_close(size: Any) -> bool:
    """A negative (closing) fill size; arrays of sizes are opening fills only."""
    return not is_array(size) and isinstance(size, int | float | Decimal) and not isinstance(size, bool) and size < 0


def _with_closes(contract: str, pairs: Sequence[tuple[Any, Any]], side: Any, fill: Any) -> AverageEntryResult:
    """Fills in order: a positive size adds at its price, a negative one closes part of the position.

    A close leaves the average entry unchanged (BitMEX's and Bybit's rule) and realises
    ``s·q·(P − E)`` (linear) or ``s·q·(1/E − 1/P)`` coin (inverse, q in USD) on the q closed.
    """
    s = side_sign(side)
    if is_array(s):
        raise InputError("side", "must be one side when fills close part of the position", "an array")
    size: Any = None
    entry: Any = None
    realized: Any = None
    for k, (q, price) in enumerate(pairs):
        price = _fill_number("price", price, k)
        q = number("fill", q)
        if is_array(q):
            raise InputError("fill", "sizes must be single numbers when a fill closes part of the position",
                             "an array", k)
        if q == 0:
            raise InputError("fill", "size must be > 0 (open) or < 0 (close)", q, k)
        if q > 0:
            entry = price if size is None or size == 0 else cx.average_entry(contract, [size, q], [entry, price])
            size = q if size is None else size + q
            continue
        closed = -q
        if size is None or closed > size:
            raise InputError("fill", f"closes {format_value(closed)}, more than the open size "
                             f"({format_value(size if size is not None else 0)})", q, k)
        gain = (closed * (price - entry) if contract == "linear" else closed * (1 / entry - 1 / price)) * s
        realized = gain if realized is None else realized + gain
        size = size - closed
        if size == 0:
            entry = None
    if realized is None:
        realized = 0 * size if size is not None else 0
    from contractcalc.core.results.average_entry import AverageEntryResult
    result = AverageEntryResult(entry, size, realized)
    check_results(result, {"fill": fill})
    return result


def _fill_number(part: str, value: Any, index: int) -> Num:
    try:
        value = number("fill", value)
    except InputError as error:
        raise InputError("fill", f"{part} {error.rule}", error.value, index) from None
    ok = value > 0
    if not (ok.all() if is_array(ok) else ok):
        raise InputError("fill", f"{part} must be > 0", value if not is_array(value) else "an array",
                         index)
    return value


# ---------------------------------------------------------------------------
# cost


def _tier_table(
    m: Market, tiers: str | Path | Mapping[str, Any] | None, symbol: str | None, *, required: bool
) -> TierTable | None:
    """An explicit tier file or preset name, else the newest shipped table of the exchange."""
    # imported here: pnl, target, size and the rest start without the tier and file modules (CLI start-up)
    from contractcalc.io.tiers import load_tiers
    from contractcalc.venues.tiers import preset_table

    if tiers is not None:
        return load_tiers(tiers, symbol)
    if m.preset is not None and symbol:
        table = preset_table(m.preset.name, symbol)
        if table is None and required:
            raise InputError("tiers", f"is required: no table ships for {symbol} on {m.preset.name}")
        return table
    if required:
        raise InputError("tiers", "is required (a ccxt fetch_leverage_tiers JSON file or a preset), "
                         "or give 'exchange' and 'symbol' of a shipped table")
    return None


@one_number_type_of_arguments
def cost(
    *,
    side: Any,
    entry: Num,
    leverage: Num,
    contract: str | None = None,
    quantity: Num | None = None,
    contracts: Num | None = None,
    contract_size: Num | None = None,
    mark: Num | None = None,
    fee_rate: Num | None = None,
    exchange: str | None = None,
    symbol: str | None = None,
    tiers: str | None = None,
) -> CostResult:
    """The cost of opening an order at ``entry``: margin, open loss and fees.

    - ``initial_margin``: value at entry / L;
    - ``open_loss`` (Binance): the loss the order shows at once at ``mark``
      (0 without ``mark``), ``max(0, −PnL(entry → mark))``;
    - ``open_fee``: fee on the value at entry; ``close_fee`` (Bybit): fee on
      the value at the bankruptcy price (0 where there is none);
    - ``bankruptcy_price``: where the initial margin is lost, linear
      ``E·(1 − s/L)``, inverse ``E·L/(L + s)`` (``None``: none, e.g. a 1x long);
    - ``cost`` = initial_margin + open_loss + open_fee + close_fee.

    Binance's "Cost" is IM + open loss (pass ``fee_rate=0``); Bybit's "order
    cost" is IM + open fee + close fee.  With a tier table (``tiers``, or
    ``exchange`` and ``symbol`` of a shipped one) the leverage is checked
    against the cap of the tier that holds the notional.

    examples.md Y6: long 1 BTC @ 8,000, 50x, fee 0.075 %: 160 + 6 + 5.88 = 171.88.

    >>> r = cost(contract="linear", side="long", entry=8000, leverage=50, quantity=1, fee_rate=0.00075)
    >>> r["initial_margin"], r["open_fee"], r["close_fee"], r["bankruptcy_price"], r["cost"]
    (160.0, 6.0, 5.88, 7840.0, 171.88)
    """
    check_shapes({"side": side, "entry": entry, "leverage": leverage, "quantity": quantity, "contracts": contracts,
                  "contract_size": contract_size, "mark": mark, "fee_rate": fee_rate})
    m = market(contract, exchange, symbol, contract_size, entry, leverage)
    s = side_sign(side)
    entry = positive("entry", entry)
    leverage = positive("leverage", leverage)
    q = m.size(quantity, contracts)
    f = m.fee_rate("fee_rate", fee_rate, entry, leverage, q)
    margin = cx.initial_margin(m.contract, entry, q, leverage)
    # products of positive inputs: 0 or a subnormal double means they underflowed (a 0 open loss may be an answer)
    check_products({"notional": cx.position_value(m.contract, entry, q), "initial_margin": margin}, {
        "entry": entry, "leverage": leverage, "quantity": quantity, "contracts": contracts,
        "contract_size": contract_size})
    table = _tier_table(m, tiers, symbol, required=False)
    if table is not None:
        table.check_leverage(leverage, cx.position_value(m.contract, entry, q))
    loss = 0 * margin if mark is None else cx.open_loss(m.contract, s, entry, positive("mark", mark), q)
    # The value at the bankruptcy price, written so that "no bankruptcy price" gives 0:
    # linear Q·BP = Q·E − s·IM, inverse F/BP = F/E + s·IM.
    value_at_bankruptcy = cx.position_value(m.contract, entry, q) - s * margin * (1 if m.contract == "linear" else -1)
    value_at_bankruptcy = where(value_at_bankruptcy > 0, value_at_bankruptcy, 0 * margin)
    open_fee = cx.fee(m.contract, entry, q, f)
    close_fee = value_at_bankruptcy * f
    from contractcalc.core.results.cost import CostResult
    result = CostResult(
        margin, loss, open_fee, close_fee, cx.bankruptcy_price_for_leverage(m.contract, s, entry, leverage),
        margin + loss + open_fee + close_fee,
    )
    check_results(result, {"entry": entry, "leverage": leverage, "quantity": quantity, "contracts": contracts,
                           "contract_size": contract_size, "mark": mark, "fee_rate": fee_rate},
                  skip=("bankruptcy_price",))
    return result


# ---------------------------------------------------------------------------
# size


@dataclass(frozen=True)
class SizedPosition:
    """A position sized from risk: what :func:`size` reports, and what a liquidation check needs.

    ``size`` is the linear quantity ``Q`` or the inverse face value ``F``.
    """

    contract: str
    side: Any  # +1 / -1 (or an array of them)
    entry: Num
    stop: Num
    size: Num
    contract_size: Num | None
    balance: Num
    risk_amount: Num
    notional: Num
    leverage_needed: Num
    reward_risk_ratio: Num | None
    market: Market

    def result(self) -> dict[str, Any]:
        """The ``contractcalc size --json`` keys."""
        count_key, count = ("quantity", self.size)
        if self.contract == "inverse":
            count_key, count = "contracts", self.size / self.contract_size
        return {
            count_key: count,
            "notional": self.notional,
            "risk_amount": self.risk_amount,
            "leverage_needed": self.leverage_needed,
            "reward_risk_ratio": self.reward_risk_ratio,
        }


def size_position(
    *,
    side: Any,
    balance: Num,
    risk_rate: Num,
    entry: Num,
    stop: Num,
    target: Num | None = None,
    contract: str | None = None,
    contract_size: Num | None = None,
    open_fee_rate: Num | None = None,
    close_fee_rate: Num | None = None,
    max_leverage: Num | None = None,
    exchange: str | None = None,
    symbol: str | None = None,
) -> SizedPosition:
    """The sizing behind :func:`size`, as a :class:`SizedPosition` (keywords as there)."""
    check_shapes({"side": side, "balance": balance, "risk_rate": risk_rate, "entry": entry, "stop": stop,
                  "target": target, "contract_size": contract_size})
    m = market(contract, exchange, symbol, contract_size, balance, entry)
    s = side_sign(side)
    balance = positive("balance", balance)
    risk_rate = check("risk_rate", risk_rate, ">", 0, rule="must be in (0, 1]")
    check("risk_rate", risk_rate, "<=", 1, rule="must be in (0, 1]")
    entry, stop = positive("entry", entry), positive("stop", stop)
    require("stop", stop, s * (entry - stop) > 0, LOSS_SIDE)
    like = (balance, entry, stop)
    f_o = m.fee_rate("open_fee_rate", open_fee_rate, *like)
    f_c = m.fee_rate("close_fee_rate", close_fee_rate, *like)
    if m.contract == "inverse":
        m.require_contract_size()

    risk_amount = balance * risk_rate
    # Loss per unit of size at the stop, fees to open (at entry) and close (at the stop) included:
    # linear per base unit |E − S| + E·f_o + S·f_c; inverse per USD |1/E − 1/S| + f_o/E + f_c/S.
    if m.contract == "linear":
        per_unit = abs(entry - stop) + entry * f_o + stop * f_c
    else:
        per_unit = abs(1 / entry - 1 / stop) + f_o / entry + f_c / stop
    q = risk_amount / per_unit
    linear = m.contract == "linear"
    notional = kernels.position_value(linear, entry, q)
    leverage_needed = notional / balance

    ratio = None
    if target is not None:
        target = positive("target", target)
        require("target", target, s * (target - entry) > 0, PROFIT_SIDE)
        reward = (
            kernels.position_pnl(linear, s, entry, target, q)
            - notional * f_o
            - kernels.position_value(linear, target, q) * f_c
        )
        ratio = reward / risk_amount
    if max_leverage is not None:
        max_leverage = positive("max_leverage", max_leverage)
        shown = "" if is_array(leverage_needed) else f", {_short(leverage_needed)}"
        require("max_leverage", max_leverage, leverage_needed <= max_leverage,
                f"must be >= the leverage the position needs (notional / balance{shown}); "
                "lower 'risk_rate' or widen the stop")
    return SizedPosition(m.contract, s, entry, stop, q, m.contract_size, balance, risk_amount, notional,
                         leverage_needed, ratio, m)


def _short(value: Any) -> str:
    """A number for a message, with at most 6 significant digits."""
    return format(float(value), ".6g")


@one_number_type_of_arguments
def size(
    *,
    side: Any,
    balance: Num,
    risk_rate: Num,
    entry: Num,
    stop: Num,
    target: Num | None = None,
    contract: str | None = None,
    contract_size: Num | None = None,
    open_fee_rate: Num | None = None,
    close_fee_rate: Num | None = None,
    max_leverage: Num | None = None,
    exchange: str | None = None,
    symbol: str | None = None,
    leverage: Num | None = None,
    maintenance_margin_rate: Num | None = None,
    maintenance_amount: Num | None = None,
    tiers: str | None = None,
    volatility: Num | None = None,
    horizon: Any = None,
    drift: Num | None = None,
    round: bool = False,
) -> SizeResult:
    """The position that loses ``balance × risk_rate`` at the stop, fees included.

    Linear: ``Q = R / (|E − S| + E·f_o + S·f_c)`` base units (key ``quantity``).
    Inverse: ``F = R / (|1/E − 1/S| + f_o/E + f_c/S)`` USD, reported as
    ``contracts`` = F / contract size.  Also:

    - ``notional``: the value at entry; ``risk_amount``: R = balance × risk_rate;
    - ``leverage_needed`` = notional / balance: the least leverage that opens it;
    - ``reward_risk_ratio``: net PnL at ``target`` (fees included) / R; ``None``
      without a target.

    ``max_leverage``: an :class:`InputError` when the position needs more.

    With ``exchange`` and a maintenance rate (``maintenance_margin_rate``,
    ``tiers``, a shipped table for ``symbol``, or on Hyperliquid
    ``max_leverage``, the asset's cap), the stop is checked against the
    exchange's liquidation price of the position margined isolated at
    ``leverage`` (:func:`contractcalc.liquidation.stop_check`): keys
    ``liquidation_price`` and ``stop_before_liquidation_exact`` (``None``
    without ``leverage``) and ``max_leverage_for_stop``, the highest leverage
    whose liquidation price is at or beyond the stop.

    With ``volatility`` and ``horizon`` (and ``drift``): the chances that the
    stop, the target or the liquidation price is touched first within the
    horizon (:func:`contractcalc.engines.risk.touch_first`).

    With ``round`` (and ``exchange`` and ``symbol``): the size is rounded DOWN to the
    market's lot (ccxt's recorded markets), the notional, ``risk_amount`` (then the loss at
    the stop of the rounded size) and ``leverage_needed`` scale with it, the liquidation
    price is rounded to the tick toward the entry; ``lot_size`` and ``price_tick`` say which
    (:mod:`contractcalc.engines.rounding`).

    Hand check: 10,000 USDT, 1 % risk, long @ 50,000, stop 49,000, no fees:
    100 / 1,000 = 0.1 BTC, notional 5,000, leverage 0.5; target 53,000: 3:1.

    >>> r = size(contract="linear", side="long", balance=10000, risk_rate=0.01, entry=50000, stop=49000, target=53000)
    >>> r.to_dict()
    {'quantity': 0.1, 'notional': 5000.0, 'risk_amount': 100.0, 'leverage_needed': 0.5, 'reward_risk_ratio': 3.0}
    """
    sized = size_position(
        side=side, balance=balance, risk_rate=risk_rate, entry=entry, stop=stop, target=target,
        contract=contract, contract_size=contract_size, open_fee_rate=open_fee_rate,
        close_fee_rate=close_fee_rate, max_leverage=max_leverage, exchange=exchange, symbol=symbol,
    )
    rules = None
    if round:
        from contractcalc.engines.rounding import round_sized, rules_for

        rules = rules_for(exchange, symbol, side, balance, risk_rate, entry, stop)
        sized = round_sized(sized, rules, risk_rate)
    result = sized.result()
    asked = {"leverage": leverage, "maintenance_margin_rate": maintenance_margin_rate,
             "maintenance_amount": maintenance_amount, "tiers": tiers}
    given = next(((name, value) for name, value in asked.items() if value is not None), None)
    if given is not None and exchange is None:
        raise InputError(given[0], "needs 'exchange' (it is for the exchange's liquidation check)", given[1])
    if exchange is not None:
        from contractcalc.engines.liquidation import has_rates, stop_check

        hyperliquid = exchange_preset(exchange).liquidation_model == "hyperliquid"
        cap = max_leverage if hyperliquid else None
        if given is not None or has_rates(exchange, symbol, maintenance_margin_rate, tiers, cap):
            result.update(stop_check(
                exchange, sized.side, sized.entry, sized.stop, size=sized.size, leverage=leverage,
                maintenance_margin_rate=maintenance_margin_rate, maintenance_amount=maintenance_amount,
                tiers=tiers, symbol=symbol, max_leverage=cap,
            ))
    if volatility is not None or horizon is not None:
        from contractcalc.engines.risk import touch_first

        result.update(touch_first(sized.side, sized.entry, sized.stop, target, result.get("liquidation_price"),
                                  volatility, horizon, drift))
    from contractcalc.core.results.size import SizeResult
    sized_result = SizeResult(**result)
    if rules is not None:
        from contractcalc.engines.rounding import round_size_result

        sized_result = round_size_result(sized_result, rules, sized.side)
    check_results(sized_result, {"balance": balance, "risk_rate": risk_rate, "entry": entry, "stop": stop,
                                 "target": target, "contract_size": contract_size},
                  skip=("liquidation_price", "max_leverage_for_stop"))
    return sized_result


# ---------------------------------------------------------------------------
# max-open


@one_number_type_of_arguments
def max_open(
    *,
    balance: Num,
    leverage: Num,
    entry: Num,
    exchange: str | None = None,
    symbol: str | None = None,
    tiers: str | None = None,
    contract: str | None = None,
    contract_size: Num | None = None,
    round: bool = False,
) -> MaxOpenResult:
    """The largest position ``balance`` opens at ``leverage`` under the tier caps (Binance "Max Open").

    ``max_notional = min(balance × L, upper bound of the highest tier whose
    maxLeverage >= L)``, the notional in the tiers' unit (quote for linear,
    coin for inverse).  Linear: ``max_quantity = max_notional / E`` base
    units; inverse: ``max_contracts = max_notional × E / contract size``.
    A leverage above tier 1's cap is an error naming the tier and its cap.
    Fees and open loss are not deducted.

    Tiers: ``tiers`` (a ccxt ``fetch_leverage_tiers()`` JSON file, or a shipped
    preset name), else the newest shipped table for ``exchange`` and ``symbol``.

    examples.md B7 (2021 table: tier 2 up to 250,000 at 100x, tier 3 up to
    1,000,000 at 50x): 10,000 USDT at 50x opens 500,000 notional, 10 BTC @ 50,000.

    With ``round`` (and ``exchange`` and ``symbol``) the size is rounded DOWN to the market's
    lot and the max notional follows it; ``lot_size`` says which.

    >>> r = max_open(tiers="binance-usdm-BTCUSDT-2021-03-18", contract="linear",
    ...              balance=10000, leverage=50, entry=50000)
    >>> r["max_quantity"], r["max_notional"]
    (10.0, 500000)
    """
    m = market(contract, exchange, symbol, contract_size, balance, entry)
    balance = positive("balance", balance)
    leverage = positive("leverage", leverage)
    entry = positive("entry", entry)
    table = _tier_table(m, tiers, symbol, required=True)
    assert table is not None
    if is_array(leverage):
        import numpy as np

        caps = [float(t.max_leverage) for t in table.tiers]
        # the bounds in the inputs' type: a Decimal (object) array must not meet floats
        bounds = np.array([constant_like(t.max_notional, balance, leverage, entry) for t in table.tiers])
        allowed = np.array(caps)[None, :] >= np.asarray(leverage, dtype=float).reshape(-1, 1)
        table.check_leverage(leverage, 0 * leverage)
        top = (allowed * np.arange(1, len(caps) + 1)).max(axis=1) - 1
        cap_notional: Any = bounds[top].reshape(np.shape(leverage))
    else:
        table.check_leverage(leverage, 0 * leverage)  # tier 1's cap: error naming it
        allowed_tiers = [t for t in table.tiers if leverage <= constant_like(t.max_leverage, leverage)]
        cap_notional = constant_like(allowed_tiers[-1].max_notional, balance, leverage, entry)
    by_margin = balance * leverage
    max_notional = where(by_margin < cap_notional, by_margin, cap_notional)
    from contractcalc.core.results.max_open import MaxOpenResult

    if m.contract == "linear":
        result = MaxOpenResult(max_quantity=max_notional / entry, max_notional=max_notional)
    else:
        result = MaxOpenResult(max_contracts=max_notional * entry / m.require_contract_size(),
                               max_notional=max_notional)
    if round:
        from contractcalc.engines.rounding import round_max_open, rules_for

        result = round_max_open(result, rules_for(exchange, symbol, balance, leverage, entry),
                                m.contract == "linear", entry, m.contract_size)
    check_results(result, {"balance": balance, "leverage": leverage, "entry": entry, "contract_size": contract_size})
    return result
