"""The seed lesson's contract formulas, exactly as the document states them.

Source: ``shared/seed/000_2030b603a99bb891.txt`` ("Basics of contract
algorithms"), rows S1-S8 of ``shared/reference/examples.md``.  The document has
two typos, read as intended: "00 ÷ 1000 − 1" is 800/1000 − 1 and "÷ 20" is
1 ÷ 20.  A *change* is always the signed price change ``exit / entry − 1``.

These are rules of thumb: :mod:`contractcalc.contracts` has the exchange-exact
figures, and ``contractcalc plan`` shows both side by side.

Every function takes floats, ``Decimal`` or NumPy arrays (broadcasting) and
returns the same kind; ``side`` is ``'long'``/``'short'`` (or +1/-1).
"""

from __future__ import annotations

from typing import Any

from contractcalc.core.numeric import Num, check, check_results, number, positive, side_sign
from contractcalc.errors import InputError

__all__ = [
    "CONTRACT_ALIASES",
    "contract_kind",
    "inverse_profit",
    "leverage",
    "leverage_for_stop",
    "leverage_for_stop_change",
    "linear_profit",
    "liquidation_change",
    "profit",
    "target_change",
]

#: The seed's words for the two contract kinds ("U-based", "coin-based").
CONTRACT_ALIASES = {
    "linear": "linear",
    "usdt": "linear",
    "u": "linear",
    "inverse": "inverse",
    "coin": "inverse",
}


def contract_kind(contract: str) -> str:
    """``'linear'`` or ``'inverse'`` from either name or the seed's words.

    >>> contract_kind("usdt"), contract_kind("coin")
    ('linear', 'inverse')
    """
    kind = CONTRACT_ALIASES.get(str(contract).strip().lower()) if isinstance(contract, str) else None
    if kind is None:
        raise InputError("contract", "must be 'linear' or 'inverse' (or usdt, u, coin)", contract)
    return kind


def _in_range(name: str, result: Num, **inputs: Any) -> Num:
    """``result``, or :class:`~contractcalc.errors.OutOfRange` naming the input when it overflows or underflows."""
    check_results({name: result}, inputs)
    return result


def _change(name: str, change: Any) -> Num:
    return check(name, change, ">", -1)


def target_change(open: Num, target: Num) -> Num:
    """Signed price change from the open to the target: ``target / open − 1``.

    Seed, "Calculating target percentage" (examples S1, S2): a long from 1000
    needs +20 % to reach 1200; a short from 1000 needs −20 % to reach 800.

    >>> target_change(1000, 1200)
    0.2
    >>> target_change(1000, 800)
    -0.2
    """
    open = positive("open", open)
    target = positive("target", target)
    return _in_range("target_change", target / open - 1, open=open, target=target)


def liquidation_change(leverage: Num) -> Num:
    """The adverse move that liquidates a position, by the seed: ``1 / leverage``.

    Seed, "Calculating with known leverage ratio" (example S3): at 20x a 5 %
    adverse move liquidates.  This is the linear *bankruptcy* move with no
    maintenance margin and no fees; exchanges liquidate earlier.

    >>> liquidation_change(20)
    0.05
    """
    leverage = positive("leverage", leverage)
    return _in_range("liquidation_change", 1 / leverage, leverage=leverage)


def leverage_for_stop_change(stop_change: Num) -> Num:
    """Leverage whose liquidation move equals the stop: ``1 / |stop_change|``.

    Seed, "Calculating with known stop-loss percentage" (example S4): a 10 %
    stop allows 10x.

    >>> leverage_for_stop_change(0.1)
    10.0
    """
    stop_change = _change("stop_change", stop_change)
    check("stop_change", stop_change, "!=", 0, rule="must not be 0")
    return _in_range("leverage", 1 / abs(stop_change), stop_change=stop_change)


def leverage_for_stop(open: Num, stop: Num) -> Num:
    """Leverage whose liquidation move reaches the stop: ``1 / |1 − stop / open|``.

    Seed, "Calculating with known opening price and stop-loss price" (example
    S5): open 20000, stop 15000 gives 4x.

    >>> leverage_for_stop(20000, 15000)
    4.0
    """
    open = positive("open", open)
    stop = positive("stop", stop)
    check("stop", stop, "!=", open, rule="must differ from 'open'")
    return _in_range("leverage", 1 / abs(1 - stop / open), open=open, stop=stop)


def leverage(stop_change: Num | None = None, open: Num | None = None, stop: Num | None = None) -> Num:
    """The seed's leverage, from ``stop_change`` or from ``open`` and ``stop``.

    >>> leverage(stop_change=0.1), leverage(open=20000, stop=15000)
    (10.0, 4.0)
    """
    if stop_change is not None:
        if open is not None or stop is not None:
            raise InputError("stop_change", "cannot be combined with 'open' and 'stop'")
        return leverage_for_stop_change(stop_change)
    if open is None or stop is None:
        raise InputError("stop_change", "is required (or both 'open' and 'stop')")
    return leverage_for_stop(open, stop)


def _profit_inputs(side: Any, principal: Num, leverage: Num, change: Num) -> tuple[Any, ...]:
    return (
        side_sign(side),
        positive("principal", principal),
        positive("leverage", leverage),
        _change("change", number("change", change)),
    )


def inverse_profit(side: Any, principal: Num, leverage: Num, change: Num) -> Num:
    """Coin-based profit by the seed: ``side × principal × leverage × change × (1 + change)``.

    Seed, "Coin-based profit" (examples S6, S7): 1000 at 50x, long +10 %:
    5500; short −10 %: 4500.  The seed values the coin profit at the exit
    price; an inverse contract really pays ``principal × leverage × change``
    worth of coin at the exit (see :func:`contractcalc.contracts`).

    >>> inverse_profit("long", 1000, 50, 0.1)
    5500.000000000001
    >>> round(inverse_profit("short", 1000, 50, -0.1), 9)
    4500.0
    """
    s, principal, leverage, change = _profit_inputs(side, principal, leverage, change)
    return _in_range("inverse_profit", s * principal * leverage * change * (1 + change),
                     principal=principal, leverage=leverage, change=change)


def linear_profit(side: Any, principal: Num, leverage: Num, change: Num) -> Num:
    """U-based profit by the seed: ``side × principal × leverage × change``.

    Seed, "U-based profit calculation" (example S8): 1000 at 50x, +2 %: 1000.

    >>> linear_profit("long", 1000, 50, 0.02)
    1000.0
    """
    s, principal, leverage, change = _profit_inputs(side, principal, leverage, change)
    return _in_range("linear_profit", s * principal * leverage * change,
                     principal=principal, leverage=leverage, change=change)


def profit(contract: str, side: Any, principal: Num, leverage: Num, change: Num) -> Num:
    """The seed's profit for ``contract`` ``'linear'`` (U-based) or ``'inverse'`` (coin-based).

    >>> from decimal import Decimal as D
    >>> profit("coin", "long", D(1000), D(50), D("0.1"))
    Decimal('5500.00')
    """
    if contract_kind(contract) == "linear":
        return linear_profit(side, principal, leverage, change)
    return inverse_profit(side, principal, leverage, change)
