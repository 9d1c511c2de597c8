"""The seed's workflow as one calculation: from entry and stop to leverage, liquidation and profit.

The seed lesson teaches one method: the stop gives a leverage, the leverage a
liquidation move, and the target a profit.  :func:`plan` runs it with the
seed's own formulas (:mod:`contractcalc.seed`), unchanged.
"""

from __future__ import annotations

from typing import Any

from . import seed
from ._numeric import Num, positive, require, side_sign

__all__ = ["LOSS_SIDE", "PROFIT_SIDE", "plan"]

LOSS_SIDE = "must be on the loss side of 'entry' (below for a long, above for a short)"
PROFIT_SIDE = "must be on the profit side of 'entry' (above for a long, below for a short)"


def plan(
    side: Any,
    entry: Num,
    stop: Num,
    target: Num,
    principal: Num,
    leverage: Num | None = None,
) -> dict[str, Any]:
    """The seed's plan for a trade; keys as in ``contractcalc plan --json``.

    ``leverage`` defaults to the one the stop implies, ``1 / |1 − stop / entry|``.
    ``stop_before_liquidation`` is false when the stop lies beyond the seed's
    liquidation move ``1 / leverage``: the position would be liquidated first.

    Seed example (S5, S3-style): long from 20000, stop 15000 gives 4x, a 25 %
    liquidation move; at a 24000 target (+20 %) 1000 of principal makes 800
    U-based, 960 coin-based by the seed's formula.

    >>> result = plan("long", 20000, 15000, 24000, 1000)
    >>> result["leverage"], result["liquidation_change"], result["stop_before_liquidation"]
    (4.0, 0.25, True)
    >>> round(result["linear_profit"], 9), round(result["inverse_profit"], 9)
    (800.0, 960.0)
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
    else:
        leverage = positive("leverage", leverage)
        # |stop change| <= 1/L, written without a division so ties stay exact.
        stop_before_liquidation = abs(stop_change) * leverage <= 1
    return {
        "target_change": target_change,
        "stop_change": stop_change,
        "leverage": leverage,
        "liquidation_change": seed.liquidation_change(leverage),
        "linear_profit": seed.linear_profit(side, principal, leverage, target_change),
        "inverse_profit": seed.inverse_profit(side, principal, leverage, target_change),
        "stop_before_liquidation": stop_before_liquidation,
    }
