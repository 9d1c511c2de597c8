"""The seed's workflow as one calculation: from entry and stop to leverage, liquidation and profit.

The seed lesson teaches one method: the stop gives a leverage, the leverage a
liquidation move, and the target a profit.  :func:`plan` runs it with the
seed's own formulas (:mod:`contractcalc.seed`), unchanged, and shows the
exchange-exact inverse figures (:mod:`contractcalc.contracts`) beside them;
:data:`EXACT_NOTES` explains each difference in one line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from contractcalc.core import contracts, seed
from contractcalc.core.numeric import (
    Num,
    check_results,
    is_array,
    one_number_type_of_arguments,
    positive,
    require,
    side_sign,
    where,
)

if TYPE_CHECKING:
    from contractcalc.core.results.plan import PlanResult

__all__ = ["EXACT_NOTES", "LOSS_SIDE", "PROFIT_SIDE", "inverse_bankruptcy_change", "plan"]

LOSS_SIDE = "must be on the loss side of 'entry' (below for a long, above for a short)"
PROFIT_SIDE = "must be on the profit side of 'entry' (above for a long, below for a short)"

#: One line per exact figure: how it differs from the seed's.
EXACT_NOTES = {
    "inverse_profit_exact_coin": (
        "Inverse profit: the seed values a coin gain of (P/E)·L·c at the exit price, P·L·c·(1 + c); "
        "an inverse contract pays (P/E)·L·c/(1 + c) coin, worth exactly P·L·c at the exit."
    ),
    "inverse_bankruptcy_change": (
        "Bankruptcy move: the seed's 1/L is exact for linear contracts; an inverse position's margin is in "
        "coin, so it is lost after 1/(L+1) down for a long, 1/(L−1) up for a short (none for a short at L <= 1)."
    ),
}


def inverse_bankruptcy_change(side: Any, leverage: Num) -> Num:
    """The adverse move that wipes out an inverse position's initial margin: ``1 / (L + s)``.

    ``1/(L+1)`` for a long, ``1/(L−1)`` for a short (formulas.md, "The seed's
    quick formulas"); ``None`` (NaN in arrays) for a short at ``L <= 1``,
    which no price rise bankrupts.  At 50x: 1/51 long, 1/49 short.

    >>> inverse_bankruptcy_change("long", 50), inverse_bankruptcy_change("short", 50)
    (0.0196078, 0.0204082)
    >>> inverse_bankruptcy_change("short", 1) is None
    True
    """
    s = side_sign(side)
    leverage = positive("leverage", leverage)
    room = leverage + s
    ok = room > 0
    if not (is_array(ok) or is_array(room)):
        return 1 / room if ok else None
    import numpy as np

    safe = where(ok, room, leverage)
    nan = np.array(np.nan) if np.asarray(room).dtype.kind != "O" else np.array(Decimal("NaN"), dtype=object)
    return np.where(ok, 1 / safe, nan)


@one_number_type_of_arguments
def plan(
    side: Any,
    entry: Num,
    stop: Num,
    target: Num,
    principal: Num,
    leverage: Num | None = None,
    exchange: str | None = None,
    maintenance_margin_rate: Num | None = None,
    maintenance_amount: Num | None = None,
    tiers: str | None = None,
    symbol: str | None = None,
    taker_fee_rate: Num | None = None,
    max_leverage: Num | None = None,
    volatility: Num | None = None,
    horizon: Any = None,
    drift: Num | None = None,
    round: bool = False,
) -> PlanResult:
    """The seed's plan for a trade; keys as in ``contractcalc plan --json``.

    ``leverage`` defaults to the one the stop implies, ``1 / |1 − stop / entry|``.
    ``stop_before_liquidation`` is false when the stop lies beyond the seed's
    liquidation move ``1 / leverage``: the position would be liquidated first.

    Exact figures beside the seed's (``principal`` is the margin, valued in
    the quote currency at entry, so the inverse face value is ``principal × L``):

    - ``inverse_profit_exact_coin``: the coins an inverse contract pays at the
      target, ``s·(P/E)·L·c/(1 + c)``; ``inverse_profit_exact_value``: their
      value at the target price, ``P·L·c`` (what the seed's ``inverse_profit``
      approximates); ``inverse_profit_at_entry``: the same coins valued at entry;
    - ``inverse_bankruptcy_change``: ``1/(L+1)`` long, ``1/(L−1)`` short,
      beside the seed's ``liquidation_change`` ``1/L``.

    See :data:`EXACT_NOTES` for a one-line explanation of each difference.

    With ``volatility`` and ``horizon`` (and ``drift``) the plan adds the
    chances that the stop, the target or the liquidation price (the
    exchange's, else the seed's move ``1/L`` from entry) is touched first
    within the horizon (:func:`contractcalc.engines.risk.touch_first`).

    With ``exchange`` (and a maintenance rate: ``maintenance_margin_rate``,
    ``tiers``, a shipped table for ``symbol``, or Hyperliquid's
    ``max_leverage``) the plan also checks the stop against that exchange's
    liquidation price for an isolated position margined with ``principal``
    (:func:`contractcalc.liquidation.stop_check`): ``liquidation_price`` at the
    leverage, ``stop_before_liquidation_exact`` and ``max_leverage_for_stop``,
    the highest leverage whose liquidation price is at or beyond the stop.
    At the seed's leverage the bankruptcy price is the stop, so the exchange
    liquidates first: the seed's 4x is just above Binance's 3.95x at a 0.4 %
    rate.

    >>> exact = plan("long", 20000, 15000, 24000, 1000, exchange="binance-usdm", maintenance_margin_rate=0.004)
    >>> exact["stop_before_liquidation_exact"], round(exact["max_leverage_for_stop"], 4)
    (False, 3.9526)

    Seed example (S5, S3-style): long from 20000, stop 15000 gives 4x, a 25 %
    liquidation move; at a 24000 target (+20 %) 1000 of principal makes 800
    U-based, 960 coin-based by the seed's formula.

    With ``round`` (and ``exchange`` and ``symbol``) the exchange's liquidation price is
    rounded to the market's tick toward the entry, and the tick is reported as ``price_tick``
    (:mod:`contractcalc.engines.rounding`).

    >>> result = plan("long", 20000, 15000, 24000, 1000)
    >>> result["leverage"], result["liquidation_change"], result["stop_before_liquidation"]
    (4.0, 0.25, True)
    >>> round(result["linear_profit"], 9), round(result["inverse_profit"], 9)
    (800.0, 960.0)

    Exactly, the inverse contract (face value 4000 USD) pays 4000 × (1/20000 −
    1/24000) = 1/30 BTC, worth 800 at 24000; its margin is gone after a 1/5 fall.

    >>> result["inverse_profit_exact_coin"], result["inverse_profit_exact_value"]
    (0.0333333, 800.0)
    >>> result["inverse_bankruptcy_change"]
    0.2
    """
    s = side_sign(side)
    entry = positive("entry", entry)
    stop = positive("stop", stop)
    target = positive("target", target)
    principal = positive("principal", principal)
    require("stop", stop, s * (entry - stop) > 0, LOSS_SIDE)
    require("target", target, s * (target - entry) > 0, PROFIT_SIDE)

    target_change = seed.target_change(open=entry, target=target)
    stop_change = seed.target_change(open=entry, target=stop)
    if leverage is None:
        leverage = seed.leverage_for_stop(open=entry, stop=stop)
        stop_before_liquidation: Any = True  # by construction: the stop is the liquidation move
        if is_array(leverage):
            import numpy as np

            stop_before_liquidation = np.full(np.shape(leverage), True)
    else:
        leverage = positive("leverage", leverage)
        # |stop change| <= 1/L, written without a division so ties stay exact.
        stop_before_liquidation = abs(stop_change) * leverage <= 1
    face_value = principal * leverage
    exact_coin = contracts.inverse_pnl(s, entry, target, face_value)
    result = {
        "target_change": target_change,
        "stop_change": stop_change,
        "leverage": leverage,
        "liquidation_change": seed.liquidation_change(leverage),
        "linear_profit": seed.linear_profit(side, principal, leverage, target_change),
        "inverse_profit": seed.inverse_profit(side, principal, leverage, target_change),
        "stop_before_liquidation": stop_before_liquidation,
        "inverse_profit_exact_coin": exact_coin,
        # coin × X and coin × E, written so Decimal stays exact: s·F·(X/E − 1) and s·F·(1 − E/X)
        "inverse_profit_exact_value": s * face_value * (target / entry - 1),
        "inverse_profit_at_entry": s * face_value * (1 - entry / target),
        "inverse_bankruptcy_change": inverse_bankruptcy_change(s, leverage),
    }
    if exchange is not None:
        from contractcalc.engines.liquidation import stop_check

        result.update(stop_check(
            exchange, s, entry, stop, principal=principal, leverage=leverage,
            maintenance_margin_rate=maintenance_margin_rate, maintenance_amount=maintenance_amount, tiers=tiers,
            symbol=symbol, taker_fee_rate=taker_fee_rate, max_leverage=max_leverage,
        ))
    if volatility is not None or horizon is not None:
        from contractcalc.engines.risk import touch_first

        seed_price = entry * (1 - s * result["liquidation_change"])
        exact = "liquidation_price" in result
        liquidation = result["liquidation_price"] if exact else where(seed_price > 0, seed_price, None)
        result.update(touch_first(s, entry, stop, target, _nan_for_none(liquidation), volatility, horizon, drift))
    from contractcalc.core.results.plan import PlanResult  # here: calculators imports this module for its sides

    planned = PlanResult(**result)
    if round:
        from contractcalc.engines.rounding import round_plan

        planned = round_plan(planned, exchange, symbol, s)
    check_results(planned, {"entry": entry, "stop": stop, "target": target, "principal": principal,
                            "leverage": leverage}, skip=("inverse_bankruptcy_change", "liquidation_price",
                                                         "max_leverage_for_stop"))
    return planned


def _nan_for_none(price: Any) -> Any:
    """A liquidation price with ``None`` (no price liquidates) as NaN, arrays as floats."""
    if price is None:
        return float("nan")
    if is_array(price):
        import numpy as np

        return np.array([np.nan if p is None else float(p) for p in np.ravel(price)]).reshape(np.shape(price))
    return price
