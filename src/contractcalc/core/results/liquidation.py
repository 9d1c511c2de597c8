"""The results of ``contractcalc liquidation`` and of the stop check, and the :class:`Reason` codes."""

from __future__ import annotations

import dataclasses
from enum import IntEnum
from typing import Any, ClassVar

from contractcalc.core.results._base import ABSENT, Result

__all__ = ["NOTES", "LiquidationResult", "Reason", "StopCheckResult"]


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
