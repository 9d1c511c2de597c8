"""Typed results: frozen dataclasses that also read like the ``--json`` object.

Every calculator returns a :class:`Result`: attribute access
(``result.pnl``), ``result.to_dict()`` with exactly the command's ``--json``
keys in the same order, and the read-only mapping protocol
(``result["pnl"]``, ``keys()``, ``items()``, ``in``, ``len``, iteration) so
code written against the dicts of earlier versions keeps working.

Equality: a result equals another result or any mapping with the same keys
and values (``Mapping.__eq__``), so ``target(...) == {"target_price": 7500.0}``
holds.  Results are not hashable (they may hold arrays).

A field whose value is :data:`ABSENT` is not part of the result (it is not
in ``keys()`` nor in ``to_dict()``): e.g. ``size``'s stop check is reported
only with an exchange, ``quantity`` only for a linear contract.

Scalars and arrays behave alike: where no price exists, a scalar field is
``None`` and an array holds NaN; a ``reason`` code (:class:`Reason`) says why
for both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from enum import IntEnum
from typing import Any, ClassVar

__all__ = [
    "ABSENT",
    "AverageEntryResult",
    "CostResult",
    "LiquidationResult",
    "MaxOpenResult",
    "PlanResult",
    "PnlResult",
    "Reason",
    "Result",
    "SizeResult",
    "TargetResult",
]


class _Absent:
    """The marker of a field that is not part of a result."""

    _instance: ClassVar[_Absent | None] = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"


#: A field left out of the result (not in ``keys()``, ``to_dict()`` or ``--json``).
ABSENT: Any = _Absent()


class Reason(IntEnum):
    """Why a liquidation price is what it is (``LiquidationResult.reason``; int8 codes in arrays)."""

    #: A liquidation price exists, the mark (or entry) is on the safe side of it.
    PRICE = 0
    #: No liquidation by price: the margin covers a fall to zero (a long).
    NO_PRICE_FALL = 1
    #: No liquidation by price: the coin margin covers any rise (an inverse short).
    NO_PRICE_RISE_INVERSE = 2
    #: No liquidation by price (a short).
    NO_PRICE = 3
    #: The margin is below the requirement at the entry price already.
    LIQUIDATED_AT_ENTRY = 4
    #: The mark is at or beyond the liquidation price.
    MARK_BEYOND = 5


#: The note of each reason (``None`` for :attr:`Reason.PRICE`), as the CLI prints it.
NOTES: dict[Reason, str | None] = {
    Reason.PRICE: None,
    Reason.NO_PRICE_FALL: (
        "no liquidation by price: the margin covers a fall to zero (the formula gives a price <= 0)"
    ),
    Reason.NO_PRICE_RISE_INVERSE: (
        "no liquidation by price: the coin margin covers any rise (an inverse short whose margin "
        "is at least its value at entry)"
    ),
    Reason.NO_PRICE: "no liquidation by price",
    Reason.LIQUIDATED_AT_ENTRY: "the margin is below the requirement at the entry price already: liquidated at once",
    Reason.MARK_BEYOND: "the mark is at or beyond the liquidation price: the position is liquidated at this mark",
}


#: The key names of each result class, in order (made on first use).
_KEYS: dict[type, tuple[str, ...]] = {}


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class Result(Mapping[str, Any]):
    """Base of every result: a frozen dataclass read like the ``--json`` mapping."""

    #: Field names that are attributes only, never keys (e.g. ``reason``).
    _extra: ClassVar[frozenset[str]] = frozenset()

    def _names(self) -> list[str]:
        names = _KEYS.get(type(self))
        if names is None:
            names = _KEYS[type(self)] = tuple(f.name for f in dataclasses.fields(self) if f.name not in self._extra)
        return [name for name in names if getattr(self, name) is not ABSENT]

    def to_dict(self) -> dict[str, Any]:
        """The result as a ``dict``: exactly the ``--json`` keys, in order (values unconverted)."""
        return {name: getattr(self, name) for name in self._names()}

    def __getitem__(self, key: str) -> Any:
        if key in self._extra:
            raise KeyError(key)
        try:
            value = getattr(self, key)
        except (AttributeError, TypeError):
            raise KeyError(key) from None
        if value is ABSENT:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._names()

    def __repr__(self) -> str:
        inside = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names())
        return f"{type(self).__name__}({inside})"

    def replace(self, **changes: Any) -> Any:
        """A copy with ``changes`` (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class PnlResult(Result):
    """``contractcalc pnl`` (amounts in the quote currency for linear, the coin for inverse)."""

    #: PnL at the exit: ``s·Q·(X − E)`` or ``s·F·(1/E − 1/X)``.
    pnl: Any
    #: Initial margin ``value(E)/L``; ``None`` without a leverage.
    initial_margin: Any
    #: Return on equity, PnL / initial margin (a fraction); ``None`` without a leverage.
    roe: Any
    #: The value at entry (``Q·E`` quote, ``F/E`` coin).
    notional: Any
    #: Open fee on the value at entry plus close fee on the value at the exit.
    fees: Any
    #: Funding paid (negative: received).
    funding: Any
    #: pnl − fees − funding.
    net_pnl: Any
    #: The exit at which the PnL pays the fees to open and to close.
    breakeven_price: Any
    #: Bybit presets only: Bybit's ROI, PnL / position margin (initial margin + fee to close at the
    #: bankruptcy price).
    roi: Any = ABSENT


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class TargetResult(Result):
    """``contractcalc target``."""

    #: The exit price that makes the asked ROE at the leverage.
    target_price: Any


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class AverageEntryResult(Result):
    """``contractcalc average-entry``."""

    #: Size-weighted (linear) or harmonic (inverse) mean of the fill prices.
    average_entry: Any
    #: The sum of the fills' sizes (what is still open after partial closes).
    total_size: Any
    #: PnL realised by the closing fills (negative sizes) at the average entry; only with closes.
    realized_pnl: Any = ABSENT


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class CostResult(Result):
    """``contractcalc cost``."""

    #: value(E) / L.
    initial_margin: Any
    #: Binance's open loss at the mark (0 without one).
    open_loss: Any
    #: Fee on the value at entry.
    open_fee: Any
    #: Bybit's fee to close on the value at the bankruptcy price.
    close_fee: Any
    #: Where the initial margin is lost (``None``: no such price).
    bankruptcy_price: Any
    #: initial_margin + open_loss + open_fee + close_fee.
    cost: Any


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class SizeResult(Result):
    """``contractcalc size``: ``quantity`` (linear) or ``contracts`` (inverse), the other ABSENT."""

    #: Linear size in base units.
    quantity: Any = ABSENT
    #: Inverse size in contracts.
    contracts: Any = ABSENT
    #: The value at entry.
    notional: Any = ABSENT
    #: balance × risk_rate: the loss at the stop, fees included.
    risk_amount: Any = ABSENT
    #: notional / balance: the least leverage that opens the position.
    leverage_needed: Any = ABSENT
    #: Net PnL at the target / risk amount (``None`` without a target).
    reward_risk_ratio: Any = ABSENT
    #: The exchange's liquidation price at ``leverage`` (with an exchange's rates only).
    liquidation_price: Any = ABSENT
    #: Whether the stop is reached before the liquidation price.
    stop_before_liquidation_exact: Any = ABSENT
    #: The highest leverage whose liquidation price is at or beyond the stop.
    max_leverage_for_stop: Any = ABSENT
    #: With a volatility and a horizon: the chance the stop is touched first.
    stop_first_probability: Any = ABSENT
    #: The chance the target is touched first.
    target_first_probability: Any = ABSENT
    #: The chance the liquidation price is touched first (``None`` when it is not known).
    liquidation_first_probability: Any = ABSENT
    #: With ``round``: the price tick the prices were rounded to (the exchange's, from ccxt's recorded markets).
    price_tick: Any = ABSENT
    #: With ``round``: the lot the size was rounded down to (base units linear, contracts inverse).
    lot_size: Any = ABSENT


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class MaxOpenResult(Result):
    """``contractcalc max-open``: ``max_quantity`` (linear) or ``max_contracts`` (inverse)."""

    #: Linear: max_notional / entry.
    max_quantity: Any = ABSENT
    #: Inverse: max_notional × entry / contract size.
    max_contracts: Any = ABSENT
    #: min(balance × leverage, the upper bound of the highest tier allowing the leverage).
    max_notional: Any = ABSENT
    #: With ``round``: the lot the size was rounded down to (base units linear, contracts inverse).
    lot_size: Any = ABSENT


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class PlanResult(Result):
    """``contractcalc plan``: the seed's figures and the exact ones beside them."""

    #: target / entry − 1.
    target_change: Any
    #: stop / entry − 1.
    stop_change: Any
    #: The leverage given, or the seed's 1 / |stop change|.
    leverage: Any
    #: The seed's liquidation move 1 / leverage.
    liquidation_change: Any
    #: The seed's U-based profit.
    linear_profit: Any
    #: The seed's coin-based profit.
    inverse_profit: Any
    #: Whether the stop lies within the seed's liquidation move.
    stop_before_liquidation: Any
    #: The coins an inverse contract pays at the target.
    inverse_profit_exact_coin: Any
    #: Those coins valued at the target price.
    inverse_profit_exact_value: Any
    #: Those coins valued at entry.
    inverse_profit_at_entry: Any
    #: The adverse move that wipes out an inverse position's initial margin.
    inverse_bankruptcy_change: Any
    #: The exchange's liquidation price at the leverage (with ``exchange`` only).
    liquidation_price: Any = ABSENT
    #: Whether the stop is reached before the exchange's liquidation price.
    stop_before_liquidation_exact: Any = ABSENT
    #: The highest leverage whose liquidation price is at or beyond the stop.
    max_leverage_for_stop: Any = ABSENT
    #: With a volatility and a horizon: the chance the stop is touched first.
    stop_first_probability: Any = ABSENT
    #: The chance the target is touched first.
    target_first_probability: Any = ABSENT
    #: The chance the liquidation price (the exchange's, else the seed's) is touched first.
    liquidation_first_probability: Any = ABSENT
    #: With ``round``: the price tick the prices were rounded to (the exchange's, from ccxt's recorded markets).
    price_tick: Any = ABSENT


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class StopCheckResult(Result):
    """An isolated position's exchange liquidation price against its stop."""

    #: The liquidation price at the leverage (``None`` without one, or when no price liquidates).
    liquidation_price: Any
    #: Whether the stop is reached first.
    stop_before_liquidation_exact: Any
    #: The highest leverage whose liquidation price is at or beyond the stop.
    max_leverage_for_stop: Any


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class LiquidationResult(Result):
    """``contractcalc liquidation`` for one position (or an array of isolated positions).

    Fields a caller skipped with ``outputs=`` are ``None``.  ``reason`` (not a
    ``--json`` key) is a :class:`Reason` for a scalar, an int8 array of codes
    for arrays; ``note`` is its text (an object array of texts for arrays).
    """

    _extra: ClassVar[frozenset[str]] = frozenset({"reason"})

    #: Where the margin balance meets the requirement; ``None`` (NaN in arrays) where no price does.
    liquidation_price: Any
    #: Where the margin balance is zero.
    bankruptcy_price: Any
    #: The requirement at the liquidation price (Bybit: at entry).
    maintenance_margin: Any
    #: The maintenance rate used (the tier's at the liquidation price).
    maintenance_margin_rate: Any
    #: The maintenance amount (``cum``) used.
    maintenance_amount: Any
    #: The tier at the liquidation price (``None`` with a rate given; 0 in arrays where no price).
    tier: Any
    #: The tier of the entry notional.
    tier_at_entry: Any
    #: value(E) / L (with a leverage).
    initial_margin: Any
    #: The margin the formula used (isolated: default the initial margin, plus extra margin).
    wallet_balance: Any
    #: |LP − ref| / ref, ref the mark if given, else the entry.
    distance_to_liquidation: Any
    #: Maintenance margin / margin balance at the mark (with a mark).
    margin_ratio: Any
    #: Why there is no liquidation price, or that the position is below its requirement already.
    note: Any
    #: The :class:`Reason` code (int8 array for arrays); an attribute, not a ``--json`` key.
    reason: Any = Reason.PRICE
    #: Bybit cross with a taker rate only: the taker fee to close at the bankruptcy price, part of the
    #: requirement (and of the bankruptcy price).
    fee_to_close: Any = ABSENT
    #: With ``round``: the price tick the prices were rounded to (the exchange's, from ccxt's recorded markets).
    price_tick: Any = ABSENT
