"""The result of ``contractcalc plan`` (:func:`contractcalc.engines.plan.plan`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from contractcalc.core.results._base import ABSENT, Result

__all__ = ["PlanResult"]


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
