"""The result of ``contractcalc size`` (:func:`contractcalc.engines.calculators.size`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from contractcalc.core.results._base import ABSENT, Result

__all__ = ["SizeResult"]


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
