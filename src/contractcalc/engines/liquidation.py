"""The liquidation price, computed the way each exchange does, for every margin mode.

One principle gives every formula (``shared/reference/formulas.md``,
"Liquidation price"): a position is liquidated when its **margin balance**
(wallet balance + unrealized PnL at the mark) falls to its **maintenance
requirement** (maintenance margin, plus the fee to close where the exchange
counts it).  The exchanges differ only in how they value that requirement
(:data:`MODELS`):

======================  ====================================================  ==========
model (exchanges)       requirement at mark ``P``                              fee
======================  ====================================================  ==========
``binance``             ``value(P) × MMR − cum``                               none
``bybit``               ``value(E) × MMR − cum`` (valued at the entry price)   none
``okx`` (Gate, Bitget)  ``value(P) × MMR − cum + value(P) × f``                taker
``hyperliquid``         ``value(P) × MMR``, ``MMR = 1 / (2 × max leverage)``   none
======================  ====================================================  ==========

with ``value(P) = Q × P`` (linear, quote currency) or ``F / P`` (inverse, coin).
Writing the margin balance ``WB + s × PnL(P)`` against the requirement, every
leg contributes ``a + b × x`` with ``x = P`` (linear) or ``x = 1 / P``
(inverse), so the balance minus the requirement is ``g = WB + a + b × x``:

- linear: ``a = cum − s·Q·E``, ``b = Q·(s − MMR − f)``; Bybit ``a = cum − s·Q·E − Q·E·MMR``, ``b = s·Q``;
- inverse: ``a = cum + s·F/E``, ``b = −F·(s + MMR + f)``; Bybit ``a = cum + s·F/E − F/E·MMR``, ``b = −s·F``.

``g = 0`` solved for ``P`` is Binance's ``LP = (WB + cum − s·Q·E) / (Q·MMR − s·Q)``,
Bybit's ``E − s·(IM + extra − MM) / Q``, OKX's ``(E − s·WB/Q) / (1 − s·(MMR + f))``
and their inverse forms.

**Tiers.**  The maintenance rate depends on the tier holding the position's
notional, and the exchange measures it at the mark, which equals the
liquidation price at the moment of liquidation.  So the tier is the one
holding the notional *at the liquidation price*, not at entry: the price is
solved in every tier and the self-consistent solution (the one whose notional
lies in its own tier) is kept (:func:`liquidation_price`, ``docs/liquidation.md``).
Bybit's formula values maintenance margin at the entry price, so its tier is
the one of the entry value.

**No liquidation by price.**  Where no positive price solves the equation (a
1x linear long, an inverse short whose coin margin covers its value) the
liquidation price is ``None`` (NaN in arrays), never a negative price.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Collection, Mapping, Sequence
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
    is_plain_finite,
    is_plain_nonnegative,
    is_plain_positive,
    one_number_type,
    positive,
    side_sign,
    where,
)
from contractcalc.core.results.liquidation import NOTES, LiquidationResult, Reason, StopCheckResult
from contractcalc.engines.models import (
    MODEL_FORMULAS,
    MODELS,
    LiquidationModel,
    _any_array,
    _coefficients,
    _fee_rate,
    _float_arrays,
    _infinity,
    _maximum,
    _minimum,
    _rate,
    _root,
    _valid_price,
    model_for,
)
from contractcalc.errors import InputError
from contractcalc.venues.exchanges import EXCHANGES, ExchangePreset, exchange_preset

if TYPE_CHECKING:
    # pathlib in annotations only; the tier modules are imported where a table is used, so a
    # liquidation price from a rate starts without them (CLI start-up, docs/design.md)
    from pathlib import Path

    from contractcalc.venues.tiers import TierTable

__all__ = [
    "MODELS",
    "MODEL_FORMULAS",
    "Band",
    "LiquidationModel",
    "bands_for",
    "liquidation_price",
    "maintenance_margin",
    "model_for",
]


def _nan_like(value: Num) -> Any:
    import numpy as np

    if value.dtype.kind == "O":
        return np.array(Decimal("NaN"), dtype=object)
    return np.nan


def _masked(value: Num, ok: Any) -> Num:
    """``value`` where ``ok``; elsewhere ``None`` (scalar) or NaN (array)."""
    if is_array(value) or is_array(ok):
        import numpy as np

        value = np.asarray(value)
        if value.dtype.kind not in "fO":
            value = value.astype(float)
        shape = np.broadcast_shapes(np.shape(value), np.shape(ok))
        return np.where(np.broadcast_to(ok, shape), np.broadcast_to(value, shape), _nan_like(value))
    return value if ok else None


def _pick(values: Sequence[Any], index: Any) -> Any:
    """``values[index]`` for a scalar index, or gathered by an index array."""
    if len(values) == 1:
        return values[0]
    if is_array(index):
        import numpy as np

        dtype = object if any(isinstance(v, Decimal) for v in values) else None
        return np.asarray(values, dtype=dtype)[index]
    return values[int(index)]


def _rate_and_amount(bands: Sequence[Band], index: Any) -> tuple[Any, Any]:
    """The maintenance rate and amount of the band at ``index`` (gathered for an index array)."""
    return _pick([b.rate for b in bands], index), _pick([b.amount for b in bands], index)


def _maintenance_margin(bands: Sequence[Band], index: Any, value: Num) -> Num:
    """``value × rate − amount`` with the rate and amount of the band at ``index``."""
    rate, amount = _rate_and_amount(bands, index)
    return value * rate - amount


# ---------------------------------------------------------------------------
# Maintenance margin


def maintenance_margin(
    contract: str, price: Num, size: Num, maintenance_margin_rate: Num, maintenance_amount: Num = 0
) -> Num:
    """Maintenance margin at ``price``: ``value(P) × MMR − cum``.

    ``value(P)`` is ``Q × P`` for a linear contract (quote currency) and
    ``F / P`` for an inverse one (coin), ``size`` being ``Q`` or ``F``
    (:func:`contractcalc.contracts.position_size`).

    examples.md B9 (Binance COIN-M): 100 BTCUSD contracts of 100 USD
    (F = 10,000 USD) at a mark of 25,000, MMR 0.4 %: 0.0016 BTC.
    Y23 (Bybit, tiered): a position value of 3,500 in the 3.5 % tier with a
    deduction of 30: 92.5.

    >>> maintenance_margin("inverse", 25000, 100 * 100, 0.004)
    0.0016
    >>> maintenance_margin("linear", 3500, 1, 0.035, 30)
    92.5
    """
    rate = _rate("maintenance_margin_rate", maintenance_margin_rate)
    amount = check("maintenance_amount", maintenance_amount, ">=", 0)
    return cx.position_value(contract, price, size) * rate - amount


# ---------------------------------------------------------------------------
# The solver for one position (scalars or arrays) and for a hedged group


@dataclass(frozen=True)
class Band:
    """One maintenance tier as a notional band ``low <= notional < high``."""

    tier: int  # the exchange's tier number; 0 when the rate was given directly
    low: Decimal
    high: Decimal  # Infinity for the last tier
    rate: Any
    amount: Any
    cap: Decimal | None = None


#: Built bands by table identity: ``id(table) -> (table, value)`` (the table is kept so its id stays unique).
_BAND_CACHE: dict[tuple[int, str], tuple[TierTable, Any]] = {}


def _cached(table: TierTable, what: str, build: Any) -> Any:
    key = (id(table), what)
    found = _BAND_CACHE.get(key)
    if found is not None and found[0] is table:
        return found[1]
    if len(_BAND_CACHE) > 256:
        _BAND_CACHE.clear()
    value = build(table)
    _BAND_CACHE[key] = (table, value)
    return value


def bands_for(table: TierTable) -> kernels.Bands:
    """The :class:`~contractcalc.core.kernels.Bands` of ``table`` (floats), built once per table.

    >>> from contractcalc.venues.tiers import load_tiers
    >>> bands = bands_for(load_tiers("binance-usdm-BTCUSDT-2021-03-18"))
    >>> bands.index(60000.0), bands.rates[:3], bands.continuous
    (1, (0.004, 0.005, 0.01), True)
    """
    return _cached(table, "kernel", _kernel_bands)  # type: ignore[no-any-return]


def _kernel_bands(table: TierTable) -> kernels.Bands:
    return kernels.Bands.from_tiers(
        [t.min_notional for t in table.tiers],
        [t.maintenance_margin_rate for t in table.tiers],
        [t.maintenance_amount for t in table.tiers],
        [t.max_leverage for t in table.tiers],
        [t.tier for t in table.tiers],
        table.max_notional,
    )


def _bands(table: TierTable) -> list[Band]:
    return list(_cached(table, "decimal", _decimal_bands))


def _decimal_bands(table: TierTable) -> tuple[Band, ...]:
    last = len(table.tiers) - 1
    return tuple(
        Band(
            tier=t.tier,
            low=Decimal(0) if k == 0 else t.min_notional,
            high=Decimal("Infinity") if k == last else t.max_notional,
            rate=t.maintenance_margin_rate,
            amount=t.maintenance_amount,
            cap=t.max_leverage,
        )
        for k, t in enumerate(table.tiers)
    )


def _price_band(kind: str, band_low: Num, band_high: Num, size: Num, inf: Num) -> tuple[Num, Num]:
    """The mark prices at which a position of ``size`` has a notional in ``[low, high)``."""
    if kind == "linear":
        low = band_low / size
        high = inf if _is_infinite(band_high) else band_high / size
        return low, high
    low = 0 * size if _is_infinite(band_high) else size / band_high
    high = inf if band_low == 0 else size / band_low
    return low, high


def _is_infinite(x: Any) -> bool:
    return not is_array(x) and not (x.is_finite() if isinstance(x, Decimal) else math.isfinite(x))


def _solve(
    kind: str,
    model: LiquidationModel,
    s: Num,
    entry: Num,
    size: Num,
    balance: Num,
    bands: Sequence[Band],
    fee: Num,
) -> tuple[Num, Any]:
    """The liquidation price (raw: may be ±inf or ≤ 0) and the index of the band holding it.

    Per band, the equation is solved with that band's rate and amount; the
    liquidation set ``{P: g(P) <= 0}`` restricted to the band's prices is an
    interval whose end nearest the entry is a candidate.  A long is
    liquidated at the highest candidate, a short at the lowest.  For tables
    whose maintenance margin is continuous (cum by the recurrence) this is the
    one self-consistent solution; for a table with jumps it is the first price
    reached where the balance falls to the requirement.
    """
    like = (entry, size, balance, fee, bands[0].rate)
    inf = _infinity(*like)
    rising = s > 0
    # a and b are linear in the band's rate and amount: hoist what does not depend on the band
    a0, b0 = _coefficients(kind, model, s, size, entry, 0 * fee, 0 * fee, fee)
    a0 = balance + a0
    rate_in_a = cx.position_value(kind, entry, size) if model.mm_at_entry else None
    best_long, best_short = -inf, inf
    for band in bands:
        if rate_in_a is not None:  # Bybit: the requirement is fixed at entry
            big_a, big_b = a0 + band.amount - rate_in_a * band.rate, b0
        else:
            big_a, big_b = a0 + band.amount, b0 - size * band.rate
        root = _root(kind, big_a, big_b, rising, inf)
        low, high = _price_band(kind, band.low, band.high, size, inf)
        # a long's set is (0, root] ∩ band; its highest point is min(root, high)
        cand_long = _minimum(root, high)
        better_long = (root >= low) & (root > 0) & (cand_long >= best_long)
        best_long = where(better_long, cand_long, best_long)
        # a short's set is [root, ∞) ∩ band; its lowest point is max(root, low)
        cand_short = _maximum(root, low)
        better_short = (root < high) & (cand_short < best_short)
        best_short = where(better_short, cand_short, best_short)
    price = where(rising, best_long, best_short)
    if len(bands) == 1:
        return price, 0
    # the tier is the one holding the notional at that price (at a boundary: the upper one, by definition)
    safe = where(_valid_price(price), price, entry)
    return price, _band_index(bands, cx.position_value(kind, safe, size))


def _solve_group(
    kind: str,
    model: LiquidationModel,
    legs: Sequence[_Leg],
    balance: Num,
    mark: Num,
) -> tuple[Num | None, list[int]]:
    """The one liquidation price shared by the legs of a hedged symbol (scalars).

    The legs' tiers change at breakpoint prices; between two breakpoints every
    leg's tier is fixed and ``g = A + B·x`` (``x = P`` or ``1/P``), so the
    liquidation set ``{P: g(P) <= 0}`` there is an interval in closed form.
    A hedged pair need not be monotone in the price (a net long whose short
    leg reaches a high tier is also liquidated by a large rise), so the answer
    is the point of that set nearest the mark, below or above.  If the mark is
    inside the set already, it is the nearest end of that part of the set (the
    price the mark must reach to be safe again), as for a single position.
    Returns ``(price or None, band index per leg at that price)``.
    """
    inf = _infinity(balance, mark, *(leg.size for leg in legs))
    zero = 0 * mark
    points: set[Any] = set()
    if not model.mm_at_entry:
        for leg in legs:
            for band in leg.bands[1:]:
                points.add(band.low / leg.size if kind == "linear" else leg.size / band.low)
    edges = [zero, *sorted(points), inf]

    def indices_at(price: Num) -> list[int]:
        return [int(_band_index(leg.bands, leg.value(leg.entry if model.mm_at_entry else price))) for leg in legs]

    pieces: list[tuple[Num, Num, list[int]]] = []  # the set, as [low, high] intervals with their tiers
    for low, high in itertools.pairwise(edges):
        inside = high / 2 if low == 0 else (low * 2 if _is_infinite(high) else (low + high) / 2)
        indices = indices_at(inside)
        big_a, big_b = balance, zero
        for leg, k in zip(legs, indices, strict=True):
            band = leg.bands[k]
            a, b = _coefficients(kind, model, leg.s, leg.size, leg.entry, band.rate, band.amount, leg.fee)
            big_a, big_b = big_a + a, big_b + b
        found = _below_zero(kind, big_a, big_b, low, high, inf)
        if found is not None:
            pieces.append((*found, indices))
    if not pieces:
        return None, indices_at(mark)
    pieces.sort(key=lambda piece: piece[0])
    inside_now = [p for p in pieces if p[0] <= mark <= p[1]]
    if inside_now:  # already liquidated: the nearest end of the part of the set holding the mark
        start = pieces.index(inside_now[0])
        first, last = start, start
        while first > 0 and pieces[first - 1][1] >= pieces[first][0]:
            first -= 1
        while last + 1 < len(pieces) and pieces[last + 1][0] <= pieces[last][1]:
            last += 1
        ends = [(pieces[first][0], pieces[first][2]), (pieces[last][1], pieces[last][2])]
    else:
        below = [p for p in pieces if p[1] < mark]
        above = [p for p in pieces if p[0] > mark]
        ends = ([(below[-1][1], below[-1][2])] if below else []) + ([(above[0][0], above[0][2])] if above else [])
    ends = [(price, indices) for price, indices in ends if _valid_price(price)]
    if not ends:
        return None, indices_at(mark)
    price, indices = min(ends, key=lambda end: abs(end[0] - mark))
    return price, indices


def _below_zero(kind: str, big_a: Num, big_b: Num, low: Num, high: Num, inf: Num) -> tuple[Num, Num] | None:
    """``[from, to]``: the prices in ``[low, high]`` where ``A + B·x <= 0`` (``x = P`` or ``1/P``), or ``None``."""
    if kind == "linear":  # A + B·P <= 0
        if big_b == 0:
            return (low, high) if big_a <= 0 else None
        root = -big_a / big_b
        upper = big_b > 0  # the set is P <= root
    else:  # A + B/P <= 0  ⇔  A·P + B <= 0
        if big_a == 0:
            return (low, high) if big_b <= 0 else None
        root = -big_b / big_a
        upper = big_a > 0
        if not upper and root <= 0:
            return low, high
    if upper:
        return (low, _minimum(root, high)) if root >= low and root > 0 else None
    return (_maximum(root, low), high) if root <= high else None


def _band_index(bands: Sequence[Band], notional: Num) -> Any:
    """Index of the band holding ``notional`` (beyond the last band: the last)."""
    if _float_arrays(notional):
        import numpy as np

        return np.searchsorted(np.array([float(b.low) for b in bands[1:]]), notional, side="right")
    index: Any = 0
    for band in bands[1:]:
        index = index + where(notional >= constant_like(band.low, notional), 1, 0)
    return index


@dataclass(frozen=True)
class _Leg:
    """One position inside a cross account (scalars, in one number type)."""

    kind: str
    s: int
    size: Any
    entry: Any
    mark: Any
    bands: tuple[Band, ...]
    fee: Any

    def value(self, price: Any) -> Any:
        return self.size * price if self.kind == "linear" else self.size / price


# ---------------------------------------------------------------------------
# Inputs


def _contract_size(preset: ExchangePreset, symbol: str | None, contract_size: Num | None, *like: Any) -> Num | None:
    """The given contract size, or the exchange's for ``symbol`` in the number type of ``like``."""
    if contract_size is not None:
        return contract_size
    sizes = {size for _, size in preset.contract_sizes}
    if symbol is None and len(sizes) > 1:
        raise InputError(
            "contract_size",
            f"is required with 'contracts' on {preset.name} unless 'symbol' is given (sizes differ by symbol)",
        )
    size = preset.contract_size(symbol)
    return None if size is None else constant_like(size, *like)


def _rate_source(
    preset: ExchangePreset,
    tiers: Any,
    symbol: str | None,
    rate: Num | None,
    amount: Num | None,
    max_leverage: Num | None,
) -> tuple[TierTable | None, Num | None, Num | None]:
    """``(table, rate, amount)``: either a tier table or a rate and amount given directly."""
    hyperliquid = preset.liquidation_model == "hyperliquid"
    if max_leverage is not None and not hyperliquid:
        raise InputError(
            "max_leverage",
            "is for hyperliquid only (elsewhere give 'maintenance_margin_rate' or 'tiers')",
            max_leverage,
        )
    if max_leverage is not None:
        max_leverage = positive("max_leverage", max_leverage)
        from contractcalc.core.numeric import require

        require("max_leverage", max_leverage, 2 * max_leverage > 1,
                "must be > 0.5 (the maintenance rate 1 / (2 × max leverage) must be < 1)")
    if tiers is not None:
        for name, given in (("maintenance_margin_rate", rate), ("maintenance_amount", amount)):
            if given is not None:
                raise InputError(name, "cannot be combined with 'tiers' (the tier gives it)", given)
        return _table(tiers, symbol), None, None
    if rate is None and amount is None and symbol is not None and not (hyperliquid and max_leverage is not None):
        # as plan, size and max-open: a symbol with a shipped table needs nothing more (the newest table;
        # on hyperliquid a given max leverage is the rate instead, MMR = 1 / (2 × max leverage))
        from contractcalc.venues.tiers import preset_tables_for

        newest = preset_tables_for(preset.name, symbol)
        if newest:
            return _table(newest[0].name, symbol), None, None
    if rate is None:
        if hyperliquid and max_leverage is not None:
            amount = check("maintenance_amount", amount, ">=", 0) if amount is not None else 0
            return None, 1 / (2 * max_leverage), amount
        from contractcalc.venues.tiers import preset_tables_for

        shipped = ", ".join(p.name for p in preset_tables_for(preset.name)) or "none"
        needed = "'max_leverage' (MMR = 1 / (2 × max leverage)) or " if hyperliquid else ""
        raise InputError(
            "maintenance_margin_rate",
            f"is required: give {needed}'maintenance_margin_rate' or 'tiers' with 'symbol' "
            f"(shipped tier tables for {preset.name}: {shipped})",
        )
    if hyperliquid and max_leverage is not None:
        raise InputError("maintenance_margin_rate", "cannot be combined with 'max_leverage' (give one)", rate)
    rate = _rate("maintenance_margin_rate", rate)
    amount = check("maintenance_amount", amount if amount is not None else 0 * rate, ">=", 0)
    return None, rate, amount


def _table(tiers: Any, symbol: str | None) -> TierTable:
    """The tier table; shipped presets are parsed once (they never change)."""
    from contractcalc.io.tiers import load_tiers
    from contractcalc.venues.tiers import PRESET_TABLES, TierTable

    if isinstance(tiers, TierTable):
        return tiers
    if isinstance(tiers, str) and tiers in PRESET_TABLES:
        return _preset(tiers, symbol)
    return load_tiers(tiers, symbol)


@functools.lru_cache(maxsize=64)
def _preset(name: str, symbol: str | None) -> TierTable:
    from contractcalc.io.tiers import load_tiers

    return load_tiers(name, symbol)


def _bands_like(bands: Sequence[Band], *like: Any) -> list[Band]:
    """The bands with their bounds, rate and amount in the number type of ``like``."""
    return [
        Band(
            b.tier,
            constant_like(b.low, *like),
            constant_like(b.high, *like),
            constant_like(b.rate, *like),
            constant_like(b.amount, *like),
            b.cap,
        )
        for b in bands
    ]


def _check_requirement(rate: Num, fee: Num) -> None:
    from contractcalc.core.numeric import require

    require("maintenance_margin_rate", rate, rate + fee < 1, "plus 'taker_fee_rate' must be < 1")


# ---------------------------------------------------------------------------
# Fast paths: plain floats, and float arrays (validated once, then the kernels)
#
# Each fast path accepts only the inputs it can validate cheaply and returns
# ``None`` for anything else (a wrong value included): the general path then
# validates again and raises the error that names the field.  So the fast
# paths never change what an error says, only how fast a right answer comes.

_PRESETS: dict[str, ExchangePreset] = dict(EXCHANGES)
_SIDE_SIGNS: dict[Any, int] = {"long": 1, "short": -1}
_INF = math.inf

#: Every field of a liquidation result; ``outputs=`` picks among them.
OUTPUTS: tuple[str, ...] = (
    "liquidation_price", "bankruptcy_price", "maintenance_margin", "maintenance_margin_rate",
    "maintenance_amount", "tier", "tier_at_entry", "initial_margin", "wallet_balance",
    "distance_to_liquidation", "margin_ratio", "note",
)
_ALL_OUTPUTS = frozenset(OUTPUTS)


def _outputs(outputs: Collection[str] | None) -> frozenset[str]:
    if outputs is None:
        return _ALL_OUTPUTS
    if isinstance(outputs, str):
        outputs = (outputs,)
    wanted = frozenset(outputs)
    unknown = sorted(wanted - _ALL_OUTPUTS)
    if unknown:
        raise InputError("outputs", f"must name result fields ({', '.join(OUTPUTS)})", unknown[0])
    return wanted | {"liquidation_price"}


def _float_fee(preset: ExchangePreset) -> float:
    found = _TAKER_FLOATS.get(preset.name)
    if found is None:
        found = _TAKER_FLOATS[preset.name] = float(preset.taker_fee_rate)
    return found


_TAKER_FLOATS: dict[str, float] = {}


def _plain_table(tiers: Any, symbol: str | None) -> TierTable | None:
    if tiers is None:  # a rate given: no tier module to import
        return None
    from contractcalc.venues.tiers import PRESET_TABLES, TierTable

    if isinstance(tiers, TierTable):
        return tiers
    if type(tiers) is str and tiers in PRESET_TABLES:
        return _preset(tiers, symbol)
    return None


def _reason(linear: bool, s: int, raw: float, ok: bool, entry: Any, mark: Any) -> Reason:
    """The scalar :class:`Reason` (the note's code)."""
    if not ok:
        return Reason.NO_PRICE_FALL if s > 0 else (Reason.NO_PRICE if linear else Reason.NO_PRICE_RISE_INVERSE)
    if (raw >= entry) if s > 0 else (raw <= entry):
        return Reason.LIQUIDATED_AT_ENTRY
    if mark is not None and ((raw >= mark) if s > 0 else (raw <= mark)):
        return Reason.MARK_BEYOND
    return Reason.PRICE


def _isolated_plain(
    preset: ExchangePreset, side: Any, entry: Any, quantity: Any, contracts: Any, contract_size: Any,
    leverage: Any, wallet_balance: Any, rate: Any, amount: Any, tiers: Any, symbol: Any, taker_fee_rate: Any,
    max_leverage: Any, extra_margin: Any, mark: Any, wanted: frozenset[str],
) -> LiquidationResult | None:
    """One isolated position in plain floats (or ints): validated in place, computed by the kernels."""
    s = _SIDE_SIGNS.get(side) if type(side) is str else (side if type(side) is int and side in (1, -1) else None)
    if s is None or not is_plain_positive(entry):
        return None
    linear = preset.contract == "linear"
    if quantity is not None:
        if contracts is not None or contract_size is not None or not linear or not is_plain_positive(quantity):
            return None
        size = quantity
    elif (contracts is not None and contract_size is not None and is_plain_positive(contracts)
          and is_plain_positive(contract_size)):
        size = contracts * contract_size
    else:
        return None
    if (leverage is not None and not is_plain_positive(leverage)) or (mark is not None and not is_plain_positive(mark)):
        return None
    model = MODELS[preset.liquidation_model]
    table = None
    if tiers is not None:
        if rate is not None or amount is not None or max_leverage is not None:
            return None
        table = _plain_table(tiers, symbol)
        if table is None:
            return None
    elif max_leverage is not None:
        if (model.name != "hyperliquid" or rate is not None or not is_plain_positive(max_leverage)
                or 2 * max_leverage <= 1):
            return None
        if amount is None:
            amount = 0
        elif not is_plain_nonnegative(amount):
            return None
        rate = 1 / (2 * max_leverage)
        if leverage is not None and not leverage <= max_leverage:
            return None
    elif rate is not None:
        if not (is_plain_nonnegative(rate) and rate < 1):
            return None
        if amount is None:
            amount = 0 * rate
        elif not is_plain_nonnegative(amount):
            return None
    else:
        return None
    if model.counts_close_fee:
        if taker_fee_rate is None:
            fee: Any = _float_fee(preset)
        elif is_plain_nonnegative(taker_fee_rate) and taker_fee_rate < 1:
            fee = taker_fee_rate
        else:
            return None
    elif taker_fee_rate is None:
        fee = 0
    else:
        return None
    value = size * entry if linear else size / entry
    if not DOUBLE_MIN_NORMAL <= value < _INF:
        return None  # out of range (or underflowed): the general path names the input
    initial = value / leverage if leverage is not None else None
    if initial is not None and not DOUBLE_MIN_NORMAL <= initial < _INF:
        return None
    if wallet_balance is None:
        if initial is None or not 0 < initial < _INF:
            return None
        balance = initial
    elif is_plain_nonnegative(wallet_balance):
        balance = wallet_balance
    else:
        return None
    if extra_margin is not None:
        if not is_plain_nonnegative(extra_margin):
            return None
        balance = balance + extra_margin
    bybit = model.mm_at_entry
    if table is None:
        if not rate + fee < 1:
            return None
        raw = kernels.isolated_liquidation_price(linear, bybit, s, entry, size, balance, rate, amount, fee)
        ok = raw == raw
        rate_at, amount_at = rate, amount
        tier = tier_at_entry = None
        bands = None
    else:
        bands = bands_for(table)
        entry_value = size * entry if linear else size / entry
        if not entry_value <= bands.top:
            return None
        k_entry = bands.index(entry_value)
        if leverage is not None and leverage > bands.caps[k_entry]:
            return None
        if not (bands.rates[k_entry] if bybit else bands.max_rate) + fee < 1:
            return None
        raw, k = kernels.tiered_liquidation_price(linear, bybit, s, entry, size, balance, bands, fee)
        ok = raw == raw
        if ok and not bybit:  # the tier holding the notional at that price (at a boundary: the upper one)
            k = bands.index(size * raw if linear else size / raw)
        rate_at, amount_at = bands.rates[k], bands.amounts[k]
        keep = bybit or ok
        tier = bands.tiers[k] if keep else None
        tier_at_entry = bands.tiers[k_entry]
    keep = bybit or ok
    safe = raw if ok else entry
    mm = None
    if keep and "maintenance_margin" in wanted:
        valued = entry if bybit else safe
        mm = (size * valued if linear else size / valued) * rate_at - amount_at
    distance = None
    if ok and "distance_to_liquidation" in wanted:
        reference = mark if mark is not None else entry
        distance = abs(safe - reference) / reference
    ratio = None
    if mark is not None and "margin_ratio" in wanted:
        at = entry if bybit else mark
        value = size * at if linear else size / at
        if bands is None:
            mm_mark = value * rate - amount
        elif bybit:
            mm_mark = value * rate_at - amount_at
        else:
            mm_mark = bands.maintenance_margin(value)
        margin_balance = balance + (s * size * (mark - entry) if linear else s * size * (1 / entry - 1 / mark))
        ratio = mm_mark / margin_balance if margin_balance > 0 else None
    bankruptcy = None
    if "bankruptcy_price" in wanted:
        bankruptcy = kernels.bankruptcy_price(linear, s, entry, size, balance)
        if bankruptcy != bankruptcy:
            bankruptcy = None
    reason = _reason(linear, s, raw, ok, entry, mark) if "note" in wanted else Reason.PRICE
    return LiquidationResult(
        raw if ok else None,
        bankruptcy,
        mm,
        (rate_at if keep else None) if bands is not None else rate,
        (amount_at if keep else None) if bands is not None else amount,
        tier,
        tier_at_entry,
        initial,
        balance,
        distance,
        ratio,
        NOTES[reason] if "note" in wanted else None,
        reason,
    )


def _has_array(*values: Any) -> bool:
    return any(v is not None and not isinstance(v, str | int | float | Decimal) for v in values)


def _float_array(x: Any) -> Any:
    """``x`` as float64 (an ndarray of ints or floats, or a plain number), or ``None`` if it is neither."""
    if is_plain_finite(x):
        return x
    import numpy as np

    if type(x) is np.ndarray and x.dtype.kind in "fiu" and x.size > 0:
        return x if x.dtype == np.float64 else x.astype(np.float64)
    return None


def _all_positive(x: Any) -> bool:
    if type(x) is not float and type(x) is not int:
        return bool(x.min() > 0 and x.max() < _INF)
    return 0 < x < _INF


def _bounds(x: Any) -> tuple[float, float]:
    """The smallest and largest value of a float or an array (NaN bounds fail every comparison)."""
    if type(x) is not float and type(x) is not int:
        return float(x.min()), float(x.max())
    return float(x), float(x)


def _all_nonneg(x: Any) -> bool:
    if type(x) is not float and type(x) is not int:
        return bool(x.min() >= 0 and x.max() < _INF)
    return 0 <= x < _INF


def _side_array(np: Any, side: Any) -> Any:
    """±1.0 (float64) from ``'long'``/``'short'`` (exactly so spelled) or ±1; ``None`` for anything else."""
    if type(side) is str:
        found = _SIDE_SIGNS.get(side)
        return None if found is None else float(found)
    if type(side) is int:
        return float(side) if side in (1, -1) else None
    if type(side) is not np.ndarray or side.size == 0:
        return None
    if side.dtype.kind in "fiu":
        s = side.astype(np.float64) if side.dtype != np.float64 else side
        return s if bool(((s == 1) | (s == -1)).all()) else None
    if side.dtype.kind != "U":
        return None
    if side.dtype.itemsize == 20 and side.flags.c_contiguous:
        is_long, is_short = _long_short_u5(np, side)
        if not bool(np.logical_or(is_long, is_short, out=is_short).all()):
            return None
    else:
        is_long = side == "long"
        longs = int(np.count_nonzero(is_long))
        if longs != side.size and int(np.count_nonzero(side == "short")) != side.size - longs:
            return None
    s = is_long.astype(np.float64)
    s *= 2
    s -= 1
    return s


_U5_FIELDS: Any = None


def _long_short_u5(np: Any, side: Any) -> tuple[Any, Any]:
    """``side == 'long'``, ``side == 'short'`` for a ``<U5`` array, compared as two 8-byte and one 4-byte word.

    NumPy compares text element by element through a generic loop; the same
    test on integer views of the 20 bytes is about 1.5x faster for a book.
    """
    global _U5_FIELDS
    if _U5_FIELDS is None:
        _U5_FIELDS = np.dtype({"names": ["a", "b", "c"], "formats": ["<u8", "<u8", "<u4"],
                               "offsets": [0, 8, 16], "itemsize": 20})
    words = side.view(_U5_FIELDS)
    found = []
    for text in ("long", "short"):
        pattern = np.array(text, dtype=side.dtype).view(_U5_FIELDS)[()]
        match = np.equal(words["a"], pattern["a"])
        match &= np.equal(words["b"], pattern["b"])
        match &= np.equal(words["c"], pattern["c"])
        found.append(match)
    return found[0], found[1]


def _isolated_arrays(
    preset: ExchangePreset, side: Any, entry: Any, quantity: Any, contracts: Any, contract_size: Any,
    leverage: Any, wallet_balance: Any, rate: Any, amount: Any, tiers: Any, symbol: Any, taker_fee_rate: Any,
    max_leverage: Any, extra_margin: Any, mark: Any, wanted: frozenset[str],
) -> LiquidationResult | None:
    """A book of isolated positions in float arrays: checked with one min/max per input, then the kernels."""
    import numpy as np

    model = MODELS[preset.liquidation_model]
    linear = preset.contract == "linear"
    if max_leverage is not None or (taker_fee_rate is not None and not model.counts_close_fee):
        return None
    values: list[Any] = []
    for x in (entry, quantity, contracts, contract_size, leverage, wallet_balance, rate, amount, taker_fee_rate,
              extra_margin, mark):
        if x is None:
            values.append(None)
            continue
        converted = _float_array(x)
        if converted is None:
            return None
        values.append(converted)
    entry, quantity, contracts, contract_size, leverage, wallet_balance, rate, amount, taker_fee_rate, \
        extra_margin, mark = values
    try:
        shape = np.broadcast_shapes(*(np.shape(v) for v in (side, *values) if v is not None))
    except ValueError:
        return None  # the general path names the field whose shape does not fit
    s = _side_array(np, side)
    if s is None or entry is None or not _all_positive(entry):
        return None
    if quantity is not None:
        if contracts is not None or contract_size is not None or not linear or not _all_positive(quantity):
            return None
        size = quantity
    elif contracts is not None and contract_size is not None and _all_positive(contracts) \
            and _all_positive(contract_size):
        size = contracts * contract_size
    else:
        return None
    if mark is not None and not _all_positive(mark):
        return None
    if leverage is not None:
        leverage_low, leverage_high = _bounds(leverage)
        if not 0 < leverage_low <= leverage_high < _INF:
            return None
    table = None
    if tiers is not None:
        if rate is not None or amount is not None:
            return None
        table = _plain_table(tiers, symbol)
        if table is None:
            return None
    elif rate is not None:
        if not (_all_nonneg(rate) and bool(np.max(rate) < 1)):
            return None
        if amount is None:
            amount = 0.0
        elif not _all_nonneg(amount):
            return None
    else:
        return None
    if model.counts_close_fee:
        fee: Any = _float_fee(preset) if taker_fee_rate is None else taker_fee_rate
        if not (_all_nonneg(fee) and bool(np.max(fee) < 1)):
            return None
    else:
        fee = 0.0
    value_at_entry = size * entry if linear else size / entry
    value_low, value_high = _bounds(value_at_entry)
    if not DOUBLE_MIN_NORMAL <= value_low <= value_high < _INF:
        return None  # out of range (or underflowed): the general path names the input
    initial = value_at_entry / leverage if leverage is not None else None
    # the margin's range from the bounds already known (no pass over it): every value / leverage normal
    if initial is not None and not DOUBLE_MIN_NORMAL <= value_low / leverage_high <= value_high / leverage_low < _INF:
        return None
    if wallet_balance is None:
        if initial is None:
            return None
        balance = initial
    elif _all_nonneg(wallet_balance):
        balance = wallet_balance
    else:
        return None
    if extra_margin is not None:
        if not _all_nonneg(extra_margin):
            return None
        balance = balance + extra_margin
    bybit = model.mm_at_entry
    tier = tier_at_entry = None
    if table is None:
        if not bool(np.max(rate + fee) < 1):
            return None
        if linear and not bybit and kernels._float64_arrays(s, entry, size, balance, rate, amount, fee):
            # only the price wanted: the kernel may overwrite our own temporaries (not the caller's arrays)
            scratch = (value_at_entry, initial, s if s is not side else None) if wanted == {"liquidation_price"} \
                and balance is initial and value_at_entry is not entry and value_at_entry is not size else ()
            raw = kernels._linear_price_float64(s, entry, size, balance, rate, amount, fee, value=value_at_entry,
                                                scratch=scratch)
            if scratch:
                initial = None
        else:
            raw = kernels.isolated_liquidation_price(linear, bybit, s, entry, size, balance, rate, amount, fee)
        rate_at, amount_at = rate, amount
        bands = None
    else:
        bands = bands_for(table)
        if not bool(np.max(value_at_entry) <= bands.top):
            return None
        k_entry = bands.index(value_at_entry)
        if leverage is not None and bool((leverage > bands.array("caps")[k_entry]).any()):
            return None
        if not bool(np.max((bands.array("rates")[k_entry] if bybit else bands.max_rate) + fee) < 1):
            return None
        raw, k = kernels.tiered_liquidation_price(linear, bybit, s, entry, size, balance, bands, fee)
        rate_at = bands.array("rates")[k] if wanted & {"maintenance_margin", "maintenance_margin_rate"} else None
        amount_at = bands.array("amounts")[k] if wanted & {"maintenance_margin", "maintenance_amount"} else None
        if "tier" in wanted or "tier_at_entry" in wanted:
            numbers = bands.array("tiers")
            tier_at_entry = np.broadcast_to(numbers[k_entry], shape) if "tier_at_entry" in wanted else None
            if "tier" in wanted:
                tier = numbers[k] if bybit else np.multiply(numbers[k], raw == raw)  # 0 where no price
                tier = np.broadcast_to(tier, shape)
    raw = np.broadcast_to(raw, shape)
    ok: Any = None if wanted == {"liquidation_price"} else raw == raw
    keep: Any = True if bybit else ok
    nan = np.nan

    weights: list[Any] = []

    def masked(value: Any) -> Any:
        """``value`` with NaN where ``keep`` is false: ``value × w / w`` with ``w`` 1.0 or 0.0 (made once)."""
        value = np.broadcast_to(value, shape)
        if keep is True:
            return value
        if not weights:
            weights.append(keep.astype(np.float64))
        out = np.multiply(value, weights[0])
        with np.errstate(invalid="ignore"):
            return np.divide(out, weights[0], out=out)

    mm = None
    if "maintenance_margin" in wanted:
        mm = masked(kernels.maintenance_margin(linear, entry if bybit else np.where(ok, raw, entry), size,
                                               rate_at, amount_at))
    distance = None
    if "distance_to_liquidation" in wanted:
        reference = mark if mark is not None else entry
        distance = np.abs(raw - reference) / reference  # NaN where raw is NaN
    ratio = None
    if mark is not None and "margin_ratio" in wanted:
        value = kernels.position_value(linear, entry if bybit else mark, size)
        if bands is None:
            mm_mark = value * rate - amount
        elif bybit:
            mm_mark = value * bands.array("rates")[k_entry] - bands.array("amounts")[k_entry]
        else:
            mm_mark = bands.maintenance_margin(value)
        margin_balance = balance + kernels.position_pnl(linear, s, entry, mark, size)
        positive_balance = margin_balance > 0
        ratio = np.broadcast_to(np.where(positive_balance, mm_mark / np.where(positive_balance, margin_balance, 1),
                                         nan), shape)
    bankruptcy = None
    if "bankruptcy_price" in wanted:
        bankruptcy = np.broadcast_to(kernels.bankruptcy_price(linear, s, entry, size, balance), shape)
    note = None
    reason: Any = Reason.PRICE
    if "note" in wanted:
        reason = _reason_codes(np, linear, s, raw, entry, mark, shape)
        note = np.array([NOTES[r] for r in Reason], dtype=object)[reason]
    return LiquidationResult(
        raw,
        bankruptcy,
        mm,
        (masked(rate_at) if rate_at is not None else None) if bands is not None else rate,
        (masked(amount_at) if amount_at is not None else None) if bands is not None else amount,
        tier,
        tier_at_entry,
        np.broadcast_to(initial, shape) if initial is not None and "initial_margin" in wanted else None,
        np.broadcast_to(balance, shape) if "wallet_balance" in wanted else None,
        distance,
        ratio,
        note,
        reason,
    )


def _reason_codes(np: Any, linear: bool, s: Any, price: Any, entry: Any, mark: Any, shape: Any) -> Any:
    """The :class:`Reason` of every position (int8), as :func:`_reason` for one.

    ``s·(P − E) >= 0`` is "at or beyond the entry" for both sides (a long's
    price at or above it, a short's at or below), so no per-side ``where``.
    """
    if price.dtype.kind == "O":
        ok = np.array([_finite_positive(p) for p in price.ravel()], dtype=bool).reshape(shape)
        price = np.where(ok, price, np.broadcast_to(entry, shape))
    else:
        ok = price == price
    long = np.broadcast_to(np.asarray(s) > 0, shape)
    short_code = int(Reason.NO_PRICE if linear else Reason.NO_PRICE_RISE_INVERSE)
    # no price: NO_PRICE_FALL (1) for a long, the short's code otherwise
    per_side = np.full(shape, short_code, dtype=np.int8)
    np.copyto(per_side, np.int8(Reason.NO_PRICE_FALL), where=long)
    codes = np.multiply(per_side, ~ok, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        if price.dtype.kind == "O":
            at_once = ok & np.where(long, price >= entry, price <= entry)
            beyond = ok & np.where(long, price >= mark, price <= mark) if mark is not None else None
        else:
            at_once = np.greater_equal(np.asarray(s) * (price - entry), 0) & ok
            beyond = np.greater_equal(np.asarray(s) * (price - mark), 0) & ok if mark is not None else None
    if beyond is not None:
        codes += np.multiply(beyond & ~at_once, int(Reason.MARK_BEYOND), dtype=np.int8)
    codes += np.multiply(at_once, int(Reason.LIQUIDATED_AT_ENTRY), dtype=np.int8)
    return codes


def _finite_positive(price: Any) -> bool:
    if isinstance(price, Decimal):
        return bool(price.is_finite() and price > 0)
    return bool(0 < price < _INF)


def _general_result(
    result: dict[str, Any], preset: ExchangePreset, side: Any, entry: Any, mark: Any,
    outputs: Collection[str] | None, inputs: Mapping[str, Any],
) -> LiquidationResult:
    """The general path's dict as a :class:`LiquidationResult` (reasons and notes for arrays too)."""
    price = result["liquidation_price"]
    linear = preset.contract == "linear"
    if is_array(price) or is_array(result["bankruptcy_price"]):
        import numpy as np

        price = np.asarray(price)
        shape = price.shape
        codes = _reason_codes(np, linear, np.asarray(side_sign(side)), price, np.asarray(entry),
                              None if mark is None else np.asarray(mark), shape)
        result["note"] = np.array([NOTES[r] for r in Reason], dtype=object)[codes]
        reason: Any = codes
    else:
        reason = next((code for code, text in NOTES.items() if text == result["note"]), Reason.PRICE)
    if outputs is not None:
        wanted = _outputs(outputs)
        for key in OUTPUTS:
            if key not in wanted:
                result[key] = None
    check_results({k: v for k, v in result.items() if k != "note"}, {
        "entry": entry, "mark": mark, **{k: v for k, v in inputs.items() if v is not None}}, underflow=False)
    return LiquidationResult(**result, reason=reason)


# ---------------------------------------------------------------------------
# The calculator


def liquidation_price(
    exchange: str,
    side: Any = None,
    entry: Num | None = None,
    quantity: Num | None = None,
    contracts: Num | None = None,
    contract_size: Num | None = None,
    leverage: Num | None = None,
    wallet_balance: Num | None = None,
    margin_mode: str | None = None,
    maintenance_margin_rate: Num | None = None,
    maintenance_amount: Num | None = None,
    tiers: str | Path | Mapping[str, Any] | TierTable | None = None,
    symbol: str | None = None,
    taker_fee_rate: Num | None = None,
    max_leverage: Num | None = None,
    extra_margin: Num | None = None,
    mark: Num | None = None,
    positions: str | Path | Sequence[Mapping[str, Any]] | None = None,
    outputs: Collection[str] | None = None,
    book: Any = None,
    accounts: Any = None,
    output: str | None = None,
    round: bool = False,
) -> LiquidationResult | dict[str, Any]:
    """Liquidation price of a position (or of every position of a cross account).

    Keys as in ``contractcalc liquidation --json``.  One position:

    - ``liquidation_price``: where the margin balance meets the requirement;
      ``None`` (NaN in arrays) when no positive price does (see ``note``);
    - ``bankruptcy_price``: where the margin balance is zero;
    - ``maintenance_margin``, ``maintenance_margin_rate``, ``maintenance_amount``,
      ``tier``: the requirement at the liquidation price (Bybit: at entry) and
      the tier it comes from (``None`` when the rate is given directly; 0 in an
      array where there is no liquidation price); ``tier_at_entry``, the tier
      of the entry notional, for comparison (the leverage cap is checked there);
    - ``initial_margin`` (with ``leverage``), ``wallet_balance`` (the margin the
      formula used: in isolated mode it defaults to the initial margin, and
      ``extra_margin`` is added to it);
    - ``distance_to_liquidation``: ``|LP − ref| / ref``, ``ref`` = ``mark`` if
      given, else ``entry``;
    - ``margin_ratio`` (with ``mark``): maintenance margin / margin balance at
      the mark, Binance's definition (liquidation at 1; OKX's fee is not in it);
    - ``note``: why there is no liquidation price, or that the position is
      below its requirement already (``None`` otherwise); for arrays an object
      array of those texts.  ``result.reason`` (not a ``--json`` key) is the
      same as a :class:`~contractcalc.core.results.Reason` code (int8 codes
      for arrays).

    The result is a :class:`~contractcalc.core.results.LiquidationResult`
    (attribute access, ``to_dict()``, and ``result["key"]`` as before).

    With ``book`` (and ``accounts``): a book of many accounts, answered by
    :func:`contractcalc.engines.book.book_liquidation` as
    ``{"positions": [...], "accounts": [...]}``.

    With ``positions`` (a list of ccxt-style position dicts, or a path to a
    JSON file of them) and ``wallet_balance``, the account is cross-margined
    and the result is ``{"positions": [...], ...}``: see
    :func:`contractcalc.cross.cross_liquidation`.

    Parameters
    ----------
    exchange : str
        ``binance-usdm``, ``binance-coinm``, ``bybit-linear``, ``bybit-inverse``,
        ``okx-linear``, ``okx-inverse`` (also Gate, Bitget) or ``hyperliquid``.
    side : 'long' or 'short' (or ±1, or an array of either)
    entry : number
    quantity : number, optional
        Linear size in base units; or ``contracts`` (and ``contract_size``,
        default from the exchange and ``symbol``).  Inverse: ``contracts`` of
        ``contract_size`` USD.
    leverage : number, optional
        Gives the initial margin; in isolated mode the default wallet balance.
    wallet_balance : number, optional
        Isolated: the position's margin (default: the initial margin).  Cross:
        the account's wallet balance (required).
    margin_mode : 'isolated' or 'cross'
        Default isolated (cross with ``positions``).
    maintenance_margin_rate, maintenance_amount : number, optional
        The rate and amount (Binance ``cum``, Bybit "MM deduction", default 0)
        of one tier; or ``tiers`` (a ccxt ``fetch_leverage_tiers()`` file,
        mapping or shipped preset name) and ``symbol``.
    taker_fee_rate : number, optional
        The fee to close counted by ``okx-*`` (default: the preset's taker rate).
    max_leverage : number, optional
        Hyperliquid: the asset's maximum leverage; MMR = 1 / (2 × max leverage).
    extra_margin : number, optional
        Margin added to an isolated position.
    mark : number, optional
        The current mark price, for the distance and the margin ratio.
    outputs : collection of str, optional
        The result fields to compute (default: all).  A large book that needs
        only prices passes ``outputs=("liquidation_price",)``: the skipped
        fields are ``None`` and cost neither time nor memory.  Every field but
        ``liquidation_price`` can be skipped: ``bankruptcy_price``,
        ``maintenance_margin``, ``maintenance_margin_rate``,
        ``maintenance_amount``, ``tier``, ``tier_at_entry``, ``initial_margin``,
        ``wallet_balance``, ``distance_to_liquidation``, ``margin_ratio``,
        ``note`` (and with it ``reason``).
    round : bool, optional
        One position on the market's price tick (``symbol`` on ``exchange``, from
        ccxt's recorded markets): the liquidation and bankruptcy prices rounded
        toward the entry (a long's up, a short's down), with the tick used as
        ``price_tick`` (:mod:`contractcalc.engines.rounding`).

    Every numeric keyword and ``side`` may be a NumPy array (broadcasting):
    a whole book of isolated positions is one call.

    Examples
    --------
    examples.md Y1: Bybit linear isolated long 1 BTC @ 10,000, 50x, MMR 0.5 %:
    LP 9,850 (bankruptcy 9,800, Y5); Y2: short 1 BTC @ 8,000, 40x: 8,160.

    >>> r = liquidation_price("bybit-linear", "long", 10000, quantity=1, leverage=50,
    ...                       maintenance_margin_rate=0.005)
    >>> r["liquidation_price"], r["bankruptcy_price"], r["maintenance_margin"], r["initial_margin"]
    (9850.0, 9800.0, 50.0, 200.0)
    >>> liquidation_price("bybit-linear", "short", 8000, quantity=1, leverage=40,
    ...                   maintenance_margin_rate=0.005)["liquidation_price"]
    8160.0

    A 1x long cannot be liquidated by price:

    >>> r = liquidation_price("binance-usdm", "long", 100, quantity=1, leverage=1,
    ...                       maintenance_margin_rate=0.004)
    >>> r["liquidation_price"] is None, r["note"]
    (True, 'no liquidation by price: the margin covers a fall to zero (the formula gives a price <= 0)')
    """
    if round:
        if positions is not None or book is not None or accounts is not None or output is not None:
            raise InputError("round", "works on one position, not with 'positions' or 'book'")
        from contractcalc.engines.rounding import round_liquidation

        exact = liquidation_price(
            exchange, side, entry, quantity=quantity, contracts=contracts, contract_size=contract_size,
            leverage=leverage, wallet_balance=wallet_balance, margin_mode=margin_mode,
            maintenance_margin_rate=maintenance_margin_rate, maintenance_amount=maintenance_amount, tiers=tiers,
            symbol=symbol, taker_fee_rate=taker_fee_rate, max_leverage=max_leverage, extra_margin=extra_margin,
            mark=mark, outputs=outputs)
        assert isinstance(exact, LiquidationResult)
        return round_liquidation(exact, exchange, symbol, side, entry, mark)
    if book is not None or accounts is not None or output is not None:  # many accounts: engines.book
        from contractcalc.engines.book import liquidation_of_book

        return liquidation_of_book(exchange, book, accounts, output, tiers, taker_fee_rate, single={
            "side": side, "entry": entry, "quantity": quantity, "contracts": contracts,
            "contract_size": contract_size, "leverage": leverage, "wallet_balance": wallet_balance,
            "margin_mode": margin_mode, "maintenance_margin_rate": maintenance_margin_rate,
            "maintenance_amount": maintenance_amount, "symbol": symbol, "max_leverage": max_leverage,
            "extra_margin": extra_margin, "mark": mark, "positions": positions, "outputs": outputs})
    preset = _PRESETS.get(exchange) if type(exchange) is str else None
    if preset is None:
        preset = exchange_preset(exchange)
    if positions is None and (margin_mode is None or margin_mode == "isolated"):
        wanted = _outputs(outputs)
        fast = _isolated_plain(
            preset, side, entry, quantity, contracts, contract_size, leverage, wallet_balance,
            maintenance_margin_rate, maintenance_amount, tiers, symbol, taker_fee_rate, max_leverage,
            extra_margin, mark, wanted,
        )
        if fast is not None:
            return fast
        if _has_array(side, entry, quantity, contracts, contract_size, leverage, wallet_balance,
                      maintenance_margin_rate, maintenance_amount, taker_fee_rate, max_leverage, extra_margin, mark):
            fast = _isolated_arrays(
                preset, side, entry, quantity, contracts, contract_size, leverage, wallet_balance,
                maintenance_margin_rate, maintenance_amount, tiers, symbol, taker_fee_rate, max_leverage,
                extra_margin, mark, wanted,
            )
            if fast is not None:
                return fast
    result = _liquidation_general(
        preset.name, side, entry, quantity, contracts, contract_size, leverage, wallet_balance, margin_mode,
        maintenance_margin_rate, maintenance_amount, tiers, symbol, taker_fee_rate, max_leverage, extra_margin,
        mark, positions,
    )
    if positions is not None:
        return result
    return _general_result(result, preset, side, entry, mark, outputs, {
        "quantity": quantity, "contracts": contracts, "contract_size": contract_size, "leverage": leverage,
        "wallet_balance": wallet_balance, "extra_margin": extra_margin,
    })


def _liquidation_general(
    exchange: str,
    side: Any = None,
    entry: Num | None = None,
    quantity: Num | None = None,
    contracts: Num | None = None,
    contract_size: Num | None = None,
    leverage: Num | None = None,
    wallet_balance: Num | None = None,
    margin_mode: str | None = None,
    maintenance_margin_rate: Num | None = None,
    maintenance_amount: Num | None = None,
    tiers: str | Path | Mapping[str, Any] | TierTable | None = None,
    symbol: str | None = None,
    taker_fee_rate: Num | None = None,
    max_leverage: Num | None = None,
    extra_margin: Num | None = None,
    mark: Num | None = None,
    positions: str | Path | Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The validating path for every number type (``Decimal``, object arrays, cross); keys as the result."""
    preset = exchange_preset(exchange)
    model = model_for(preset)
    if positions is not None:
        from contractcalc.engines.cross import cross_liquidation

        single = {
            "side": side, "entry": entry, "quantity": quantity, "contracts": contracts,
            "contract_size": contract_size, "leverage": leverage, "extra_margin": extra_margin,
            "mark": mark, "maintenance_margin_rate": maintenance_margin_rate,
            "maintenance_amount": maintenance_amount, "max_leverage": max_leverage,
        }
        for name, given in single.items():
            if given is not None:
                raise InputError(name, "is per position in 'positions' (give it in each position)", given)
        if margin_mode is not None and str(margin_mode).strip().lower() != "cross":
            raise InputError("margin_mode", "must be 'cross' with 'positions'", margin_mode)
        if wallet_balance is None:
            raise InputError("wallet_balance", "is required with 'positions' (the cross wallet balance)")
        return cross_liquidation(
            preset, wallet_balance=wallet_balance, positions=positions, tiers=tiers, taker_fee_rate=taker_fee_rate
        )

    mode = _margin_mode(margin_mode)
    numbers = {
        "entry": entry, "quantity": quantity, "contracts": contracts, "contract_size": contract_size,
        "leverage": leverage, "wallet_balance": wallet_balance, "maintenance_margin_rate": maintenance_margin_rate,
        "maintenance_amount": maintenance_amount, "taker_fee_rate": taker_fee_rate, "max_leverage": max_leverage,
        "extra_margin": extra_margin, "mark": mark,
    }
    one_number_type(numbers)
    if side is None:
        raise InputError("side", "is required ('long' or 'short')")
    if entry is None:
        raise InputError("entry", "is required")
    check_shapes({"side": side, **numbers})
    s = side_sign(side)
    entry = positive("entry", entry)
    kind = preset.contract
    if contracts is not None:
        contract_size = _contract_size(
            preset, symbol, contract_size, entry, contracts, *(x for x in (leverage, wallet_balance) if x is not None)
        )
    elif contract_size is not None:
        raise InputError("contract_size", "needs 'contracts'", contract_size)
    size = cx.position_size(kind, quantity=quantity, contracts=contracts, contract_size=contract_size)
    size_field = "quantity" if quantity is not None else "contracts"
    if leverage is not None:
        leverage = positive("leverage", leverage)
    if mark is not None:
        mark = positive("mark", mark)
    table, rate, amount = _rate_source(preset, tiers, symbol, maintenance_margin_rate, maintenance_amount, max_leverage)
    fee = _fee_rate(preset, model, taker_fee_rate, entry, size, cross=mode == "cross")
    if max_leverage is not None and leverage is not None:
        from contractcalc.core.numeric import require

        require("leverage", leverage, leverage <= max_leverage, f"must be <= 'max_leverage' ({max_leverage})")

    initial = cx.initial_margin(kind, entry, size, leverage) if leverage is not None else None
    # a value or margin beyond the double range: the input to blame, not a derived field
    # Tiny amounts may be legitimate (a Decimal maintenance amount of 1e-325 is an input, echoed back), so
    # underflow is not checked on every result; but these two are products of positive inputs: 0 or a
    # subnormal double there means the product underflowed, never an answer.
    products = {"notional": cx.position_value(kind, entry, size), "initial_margin": initial}
    sizes = {"entry": entry, "quantity": quantity, "contracts": contracts, "contract_size": contract_size,
             "leverage": leverage}
    check_results(products, sizes, underflow=False)
    check_products(products, sizes)
    if mode == "isolated":
        if wallet_balance is None:
            if initial is None:
                raise InputError("leverage", "is required in isolated mode unless 'wallet_balance' is given")
            wallet_balance = initial
        else:
            wallet_balance = check("wallet_balance", wallet_balance, ">=", 0)
        if extra_margin is not None:
            extra_margin = check("extra_margin", extra_margin, ">=", 0)
    else:
        if extra_margin is not None:
            raise InputError("extra_margin", "is for isolated mode (in cross mode the wallet balance is the margin)",
                             extra_margin)
        if wallet_balance is None:
            raise InputError("wallet_balance", "is required in cross mode (the cross wallet balance)")
        wallet_balance = check("wallet_balance", wallet_balance, ">=", 0)
    balance = wallet_balance + extra_margin if extra_margin is not None else wallet_balance

    like = (entry, size, balance, fee, *(x for x in (rate, mark, leverage) if x is not None))
    entry_value = cx.position_value(kind, entry, size)
    everywhere = (Decimal(0), Decimal("Infinity"))
    if table is not None:
        _check_entry_notional(table, entry_value, size_field, quantity if quantity is not None else contracts)
        if leverage is not None:
            table.check_leverage(leverage, entry_value)
        bands = _bands_like(_bands(table), *like)
        tier_numbers: Any = [b.tier for b in bands]
        entry_tier: Any = _pick(tier_numbers, _band_index(bands, entry_value))
        if model.mm_at_entry:  # Bybit: the tier of the entry value, valued at entry
            at_entry = _band_index(bands, entry_value)
            tier_numbers = [_pick(tier_numbers, at_entry)]
            one = Band(0, *everywhere, *_rate_and_amount(bands, at_entry))
            bands = _bands_like([one], *like)
    else:
        bands = _bands_like([Band(0, *everywhere, rate, amount)], *like)
        tier_numbers = []
        entry_tier = None
    for band in bands:
        _check_requirement(band.rate, fee)

    # Bybit cross with a taker rate: the fee to close at the bankruptcy price joins the requirement (a fixed
    # amount, as Bybit's maintenance margin valued at entry), so it comes off the balance the price solves with
    close_fee: Any = None
    solve_balance = balance
    if model.close_fee_at_bankruptcy and mode == "cross" and taker_fee_rate is not None:
        close_fee = kernels.bybit_fee_to_close(kind == "linear", s, entry, size, balance, fee)
        solve_balance = balance - close_fee
    raw, index = _solve(kind, model, s, entry, size, solve_balance, bands, fee)
    ok = _valid_price(raw)
    safe_price = where(ok, raw, entry)
    rate_at, amount_at = _rate_and_amount(bands, index)
    mm = cx.position_value(kind, entry if model.mm_at_entry else safe_price, size) * rate_at - amount_at
    keep = True if model.mm_at_entry else ok  # Bybit's requirement does not depend on the price

    array = _any_array(raw, index, s)
    tier: Any = None
    if table is not None:
        number_at = _pick(tier_numbers, index)
        if array:
            import numpy as np

            tier = np.where(np.broadcast_to(keep, np.shape(raw)), number_at, 0).astype(np.int64)
        elif keep:
            tier = int(number_at)

    reference = mark if mark is not None else entry
    result: dict[str, Any] = {
        "liquidation_price": _masked(raw, ok),
        "bankruptcy_price": cx.bankruptcy_price(kind, s, entry, size, balance) if close_fee is None
        else _nan_to_none(kernels.bybit_cross_bankruptcy_price(kind == "linear", s, entry, size, balance, fee)),
        "maintenance_margin": _masked(mm, keep),
        "maintenance_margin_rate": _masked(rate_at, keep) if table is not None else rate,
        "maintenance_amount": _masked(amount_at, keep) if table is not None else amount,
        "tier": tier,
        "tier_at_entry": int(entry_tier) if entry_tier is not None and not is_array(entry_tier) else entry_tier,
        "initial_margin": initial,
        "wallet_balance": balance,
        "distance_to_liquidation": _masked(abs(safe_price - reference) / reference, ok),
        "margin_ratio": None,
        "note": None if array else _note(kind, int(s), raw, ok, entry, mark),
    }
    if mark is not None:
        result["margin_ratio"] = _margin_ratio(kind, model, s, entry, size, balance, mark, bands, table)
    if close_fee is not None:
        result["fee_to_close"] = close_fee
    return result


def _nan_to_none(price: Num) -> Num:
    """A kernel's scalar NaN ("no price") as ``None``, the public functions' way; arrays keep NaN."""
    return price if is_array(price) or _valid_price(price) else None


def _margin_mode(margin_mode: str | None) -> str:
    mode = "isolated" if margin_mode is None else str(margin_mode).strip().lower()
    if mode not in ("isolated", "cross"):
        raise InputError("margin_mode", "must be 'isolated' or 'cross'", margin_mode)
    return mode


def _check_entry_notional(table: TierTable, entry_value: Num, field: str, given: Any) -> None:
    try:
        table.check_notional(entry_value)
    except InputError as error:
        raise InputError(field, f"must give a notional at entry {error.rule.removeprefix('must be ')}",
                         given if not is_array(given) else "an array with values outside") from None


def _margin_ratio(
    kind: str,
    model: LiquidationModel,
    s: Num,
    entry: Num,
    size: Num,
    balance: Num,
    mark: Num,
    bands: Sequence[Band],
    table: TierTable | None,
) -> Num:
    """Maintenance margin / margin balance at the mark (``None``/NaN when the balance is ≤ 0).

    The maintenance margin is valued as the model values it: at the mark, in
    the tier holding the notional there (Bybit: at entry).
    """
    value = cx.position_value(kind, entry if model.mm_at_entry else mark, size)
    mm = _maintenance_margin(bands, _band_index(bands, value), value)
    margin_balance = balance + cx.unrealized_pnl(kind, s, entry, mark, size)
    ok = margin_balance > 0
    return _masked(mm / where(ok, margin_balance, 1), ok)


def _note(kind: str, s: int, raw: Num, ok: bool, entry: Num, mark: Num | None = None) -> str | None:
    if not ok:
        if s > 0:
            return "no liquidation by price: the margin covers a fall to zero (the formula gives a price <= 0)"
        return (
            "no liquidation by price: the coin margin covers any rise (an inverse short whose margin "
            "is at least its value at entry)"
            if kind == "inverse"
            else "no liquidation by price"
        )
    if (s > 0 and raw >= entry) or (s < 0 and raw <= entry):
        return "the margin is below the requirement at the entry price already: liquidated at once"
    if mark is not None and ((s > 0 and raw >= mark) or (s < 0 and raw <= mark)):
        return "the mark is at or beyond the liquidation price: the position is liquidated at this mark"
    return None


# ---------------------------------------------------------------------------
# The stop against the exchange's liquidation price (for plan and size)


def has_rates(
    exchange: str,
    symbol: str | None = None,
    maintenance_margin_rate: Num | None = None,
    tiers: Any = None,
    max_leverage: Num | None = None,
) -> bool:
    """Whether a liquidation check has a maintenance rate: given, a tier table, or a shipped table for ``symbol``."""
    preset = exchange_preset(exchange)
    if maintenance_margin_rate is not None or tiers is not None:
        return True
    if preset.liquidation_model == "hyperliquid" and max_leverage is not None:
        return True
    if symbol is None:
        return False
    from contractcalc.venues.tiers import preset_tables_for

    return bool(preset_tables_for(preset.name, symbol))


def stop_check(
    exchange: str,
    side: Any,
    entry: Num,
    stop: Num,
    *,
    leverage: Num | None = None,
    size: Num | None = None,
    principal: Num | None = None,
    maintenance_margin_rate: Num | None = None,
    maintenance_amount: Num | None = None,
    tiers: Any = None,
    symbol: str | None = None,
    taker_fee_rate: Num | None = None,
    max_leverage: Num | None = None,
) -> StopCheckResult:
    """An isolated position's exchange liquidation price against its stop, and the leverage that keeps it beyond.

    Exactly one of:

    - ``size``: a fixed position (linear ``Q``, inverse ``F``), margined with
      its initial margin ``value(E) / L`` (``contractcalc size``);
    - ``principal``: a fixed margin in the quote currency at entry, the
      position being ``principal × L`` of notional (``contractcalc plan``).

    Returns ``liquidation_price`` (at ``leverage``; ``None`` without one or
    when no price liquidates), ``stop_before_liquidation_exact`` (the stop is
    reached first: the liquidation price is at or beyond the stop) and
    ``max_leverage_for_stop``: the highest leverage whose liquidation price is
    at or beyond the stop, capped by the tier cap (and Hyperliquid's max
    leverage).  At the stop the margin balance must cover the requirement:

    - fixed size: ``WB* = requirement(S) − s·PnL(S)``, ``L* = value(E) / WB*``;
    - fixed margin: the largest size with ``principal + cum − size·w(S) >= 0``,
      ``w`` the loss and requirement per unit of size at the stop, solved per
      tier and kept where self-consistent, as for the liquidation price.

    Hand check (Binance, MMR 0.4 %): 1 BTC long @ 10,000, stop 9,000: at the
    stop the margin must cover the 1,000 loss and 36 of maintenance margin, so
    ``L* = 10,000 / 1,036 = 9.65``; at 10x the liquidation price is
    9,036.14, above the stop.

    >>> r = stop_check("binance-usdm", "long", 10000, 9000, size=1, leverage=10, maintenance_margin_rate=0.004)
    >>> round(r["max_leverage_for_stop"], 4), round(r["liquidation_price"], 2), r["stop_before_liquidation_exact"]
    (9.6525, 9036.14, False)
    """
    preset = exchange_preset(exchange)
    model = model_for(preset)
    kind = preset.contract
    s = side_sign(side)
    entry, stop = positive("entry", entry), positive("stop", stop)
    if (size is None) == (principal is None):
        raise InputError("size", "is required (a fixed position), or 'principal' (a fixed margin), not both")
    if tiers is None and maintenance_margin_rate is None and symbol is not None and not (
        model.name == "hyperliquid" and max_leverage is not None
    ):
        from contractcalc.venues.tiers import preset_tables_for

        found = preset_tables_for(preset.name, symbol)
        tiers = found[0].name if found else None
    table, rate, amount = _rate_source(preset, tiers, symbol, maintenance_margin_rate, maintenance_amount,
                                       max_leverage)
    like = (entry, stop, *(x for x in (size, principal, leverage, rate) if x is not None))
    fee = _fee_rate(preset, model, taker_fee_rate, *like)
    everywhere = (Decimal(0), Decimal("Infinity"))
    bands = _bands_like(_bands(table) if table is not None else [Band(0, *everywhere, rate, amount)], *like)
    inf = _infinity(*like)

    def unit_value(price: Num) -> Num:  # value per unit of size
        return price if kind == "linear" else 1 / price

    pnl_unit = s * ((stop - entry) if kind == "linear" else (1 / entry - 1 / stop))
    valued_unit = unit_value(entry if model.mm_at_entry else stop)
    margin_in_kind = None
    if size is not None:
        size = positive("size", size)
        valued = size * valued_unit
        mm = _maintenance_margin(bands, _band_index(bands, valued), valued)
        needed = mm + size * unit_value(stop) * fee - size * pnl_unit  # WB* at the stop
        best = where(needed > 0, size * unit_value(entry) / where(needed > 0, needed, 1), inf)
        cap = inf
        if table is not None:
            entry_band = _band_index(bands, size * unit_value(entry))
            cap = constant_like(0, *like) + _pick([b.cap if b.cap is not None else inf for b in bands], entry_band)
    else:
        principal = positive("principal", principal)
        margin_in_kind = principal if kind == "linear" else principal / entry
        per_leverage = principal / entry if kind == "linear" else principal  # size per unit of leverage
        best_size = -inf
        for band in bands:
            w = -(pnl_unit - valued_unit * band.rate - unit_value(stop) * fee)
            room = margin_in_kind + band.amount
            size_k = where(w > 0, room / where(w > 0, w, 1), inf)
            low = band.low / valued_unit
            high = band.high / valued_unit if not _is_infinite(band.high) else inf
            better = (size_k >= low) & (_minimum(size_k, high) > best_size)
            best_size = where(better, _minimum(size_k, high), best_size)
        best = best_size / per_leverage
        cap = inf
        if table is not None:  # the highest leverage L with L <= cap of the tier holding principal × L
            best_cap = -inf
            for band in bands:
                low_l = band.low / (per_leverage * unit_value(entry))
                high_l = band.high / (per_leverage * unit_value(entry)) if not _is_infinite(band.high) else inf
                band_cap = constant_like(band.cap, *like) if band.cap is not None else inf
                ok = band_cap >= low_l
                best_cap = where(ok & (_minimum(band_cap, high_l) > best_cap), _minimum(band_cap, high_l), best_cap)
            cap = best_cap
    if model.name == "hyperliquid" and max_leverage is not None:
        cap = _minimum(cap, max_leverage)
    top = _minimum(best, cap)

    result: dict[str, Any] = {
        "liquidation_price": None,
        "stop_before_liquidation_exact": None,
        "max_leverage_for_stop": _masked(top, _valid_price(top)),
    }
    if leverage is not None:
        leverage = positive("leverage", leverage)
        if size is not None:
            position = size
            balance = kernels.initial_margin(kind == "linear", entry, size, leverage)
        else:
            assert margin_in_kind is not None
            balance = margin_in_kind
            position = principal * leverage / entry if kind == "linear" else principal * leverage
        price = _stop_check_price(preset, model, kind, s, entry, position, balance, leverage, table, bands, fee,
                                  max_leverage)
        ok = _valid_price(price) if price is not None else False
        safe = where(ok, price, stop) if is_array(price) else (price if price is not None else stop)
        result["liquidation_price"] = price
        result["stop_before_liquidation_exact"] = where(ok, s * (stop - safe) >= 0, True)
    return StopCheckResult(**result)


def _stop_check_price(
    preset: ExchangePreset, model: LiquidationModel, kind: str, s: Num, entry: Num, position: Num, balance: Num,
    leverage: Num, table: TierTable | None, bands: Sequence[Band], fee: Num, max_leverage: Num | None,
) -> Num:
    """The isolated liquidation price at ``leverage`` from the band solver, with the checks the calculator makes.

    The inputs are validated already; only what depends on the position is
    checked here (the tier cap at entry, the leverage cap of Hyperliquid), in
    the words :func:`liquidation_price` uses.
    """
    if model.name == "hyperliquid" and max_leverage is not None:
        from contractcalc.core.numeric import require

        require("leverage", leverage, leverage <= max_leverage, f"must be <= 'max_leverage' ({max_leverage})")
    solve_bands = list(bands)
    if table is not None:
        entry_value = kernels.position_value(kind == "linear", entry, position)
        _check_entry_notional(table, entry_value, "quantity" if kind == "linear" else "contracts", position)
        table.check_leverage(leverage, entry_value)
        if model.mm_at_entry:  # Bybit: the tier of the entry value, valued at entry
            everywhere = (Decimal(0), Decimal("Infinity"))
            solve_bands = [Band(0, *everywhere, *_rate_and_amount(bands, _band_index(bands, entry_value)))]
            solve_bands = _bands_like(solve_bands, entry, position, balance)
    for band in solve_bands:
        _check_requirement(band.rate, fee)
    raw, _ = _solve(kind, model, s, entry, position, balance, solve_bands, fee)
    return _masked(raw, _valid_price(raw))
