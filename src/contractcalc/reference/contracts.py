"""A reference implementation of the position calculators: plain ``Decimal``, deliberately obvious.

Nothing here is fast or general: one scalar position at a time, every number a
``Decimal``, ``if``/``else`` on the side instead of a sign, and each quantity
worked out the way a trader would explain it (coins in, coins out) rather than
by the factored formulas of :mod:`contractcalc.contracts`.  Where the fast code
uses a closed form (break-even price), this module searches for the price
instead.  The tests check :mod:`contractcalc.calculators` against it on random
inputs.

``size`` is the linear quantity in base units or the inverse face value in USD.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

__all__ = [
    "average_entry",
    "breakeven_price",
    "cost",
    "max_open",
    "pnl",
    "position_size",
    "target_price",
]

ZERO = Decimal(0)


def _is_long(side: str) -> bool:
    if side == "long":
        return True
    if side == "short":
        return False
    raise ValueError(f"side must be 'long' or 'short', not {side!r}")


def _value(contract: str, price: Decimal, size: Decimal) -> Decimal:
    """What the position is worth at ``price``: USDT for linear, coins for inverse."""
    if contract == "linear":
        return size * price  # base units times price: quote currency
    if contract == "inverse":
        return size / price  # USD face value divided by USD per coin: coins
    raise ValueError(f"contract must be 'linear' or 'inverse', not {contract!r}")


def _profit(contract: str, side: str, entry: Decimal, exit: Decimal, size: Decimal) -> Decimal:
    if contract == "linear":
        # A long buys at entry and sells at exit; a short does the opposite.
        if _is_long(side):
            return (exit - entry) * size
        return (entry - exit) * size
    # Inverse: a long is short the dollars.  It holds ``size`` USD bought with coins at
    # entry (size / entry coins) and gets coins back for them at exit (size / exit).
    coins_at_entry = size / entry
    coins_at_exit = size / exit
    if _is_long(side):
        return coins_at_entry - coins_at_exit
    return coins_at_exit - coins_at_entry


def position_size(contract: str, quantity: Decimal | None, contracts: Decimal | None,
                  contract_size: Decimal | None) -> Decimal:
    """Quantity, or contracts times the contract size."""
    if quantity is not None:
        return quantity
    assert contracts is not None and contract_size is not None
    return contracts * contract_size


def pnl(
    contract: str,
    side: str,
    entry: Decimal,
    exit: Decimal,
    size: Decimal,
    leverage: Decimal | None = None,
    open_fee_rate: Decimal = ZERO,
    close_fee_rate: Decimal = ZERO,
    funding_rate: Decimal | None = None,
    funding_intervals: Decimal = Decimal(1),
    funding_mark: Decimal | None = None,
) -> dict[str, Decimal | None]:
    """The ``pnl`` calculator's keys, worked out step by step."""
    profit = _profit(contract, side, entry, exit, size)
    value_at_entry = _value(contract, entry, size)
    value_at_exit = _value(contract, exit, size)

    margin = None
    roe = None
    if leverage is not None:
        margin = value_at_entry / leverage
        roe = profit / margin

    fee_to_open = value_at_entry * open_fee_rate
    fee_to_close = value_at_exit * close_fee_rate
    fees = fee_to_open + fee_to_close

    funding = ZERO
    if funding_rate is not None:
        mark = entry if funding_mark is None else funding_mark
        one_payment = _value(contract, mark, size) * funding_rate
        total = one_payment * funding_intervals
        funding = total if _is_long(side) else -total  # longs pay a positive rate, shorts receive it

    return {
        "pnl": profit,
        "initial_margin": margin,
        "roe": roe,
        "notional": value_at_entry,
        "fees": fees,
        "funding": funding,
        "net_pnl": profit - fees - funding,
        "breakeven_price": breakeven_price(contract, side, entry, open_fee_rate, close_fee_rate),
    }


def breakeven_price(
    contract: str, side: str, entry: Decimal, open_fee_rate: Decimal, close_fee_rate: Decimal
) -> Decimal:
    """The exit where profit minus both fees is zero, found by bisection (no closed form)."""
    size = Decimal(1)

    def net(exit: Decimal) -> Decimal:
        return (
            _profit(contract, side, entry, exit, size)
            - _value(contract, entry, size) * open_fee_rate
            - _value(contract, exit, size) * close_fee_rate
        )

    # The break-even lies within a factor of 2 of the entry for fee rates below 1/3.
    low, high = entry / 2, entry * 2
    with localcontext() as context:
        context.prec = 50
        for _ in range(200):
            middle = (low + high) / 2
            # Net PnL rises with the exit price for a long and falls for a short.
            above = net(middle) > 0 if _is_long(side) else net(middle) < 0
            if above:
                high = middle
            else:
                low = middle
    return +((low + high) / 2)


def target_price(contract: str, side: str, entry: Decimal, leverage: Decimal, roe: Decimal) -> Decimal:
    """The exit where profit = ROE × initial margin, for a position of size 1."""
    size = Decimal(1)
    margin = _value(contract, entry, size) / leverage
    wanted = roe * margin
    if contract == "linear":
        # long: (X − E)·Q = wanted; short: (E − X)·Q = wanted
        return entry + wanted / size if _is_long(side) else entry - wanted / size
    # long: F/E − F/X = wanted → F/X = F/E − wanted; short: F/X − F/E = wanted
    coins_at_exit = size / entry - wanted if _is_long(side) else size / entry + wanted
    return size / coins_at_exit


def average_entry(contract: str, fills: list[tuple[Decimal, Decimal]]) -> dict[str, Decimal]:
    """Total paid over total size (linear); total USD over total coins (inverse)."""
    total_size = ZERO
    total_money = ZERO
    for fill_size, price in fills:
        total_size += fill_size
        total_money += _value(contract, price, fill_size)
    if contract == "linear":  # noqa: SIM108 (kept as a plain if/else on purpose)
        average = total_money / total_size  # quote paid per base unit
    else:
        average = total_size / total_money  # USD per coin
    return {"average_entry": average, "total_size": total_size}


def cost(
    contract: str,
    side: str,
    entry: Decimal,
    leverage: Decimal,
    size: Decimal,
    mark: Decimal | None = None,
    fee_rate: Decimal = ZERO,
) -> dict[str, Decimal | None]:
    """Margin, open loss, fees to open and to close at the bankruptcy price."""
    margin = _value(contract, entry, size) / leverage

    open_loss = ZERO
    if mark is not None:
        at_mark = _profit(contract, side, entry, mark, size)
        if at_mark < 0:
            open_loss = -at_mark

    # Bankruptcy: the price where the loss equals the margin.
    bankruptcy: Decimal | None
    if contract == "linear":
        move = margin / size
        bankruptcy = entry - move if _is_long(side) else entry + move
        if bankruptcy <= 0:
            bankruptcy = None
    else:
        coins = size / entry
        coins_at_bankruptcy = coins + margin if _is_long(side) else coins - margin
        bankruptcy = size / coins_at_bankruptcy if coins_at_bankruptcy > 0 else None

    fee_to_open = _value(contract, entry, size) * fee_rate
    fee_to_close = ZERO if bankruptcy is None else _value(contract, bankruptcy, size) * fee_rate
    return {
        "initial_margin": margin,
        "open_loss": open_loss,
        "open_fee": fee_to_open,
        "close_fee": fee_to_close,
        "bankruptcy_price": bankruptcy,
        "cost": margin + open_loss + fee_to_open + fee_to_close,
    }


def size(
    contract: str,
    side: str,
    balance: Decimal,
    risk_rate: Decimal,
    entry: Decimal,
    stop: Decimal,
    target: Decimal | None = None,
    open_fee_rate: Decimal = ZERO,
    close_fee_rate: Decimal = ZERO,
) -> dict[str, Decimal | None]:
    """The size whose loss at the stop, fees included, is balance × risk rate.

    The loss is proportional to the size, so: the loss of a size of 1, then scale.
    ``quantity`` is base units (linear) or the face value in USD (inverse).
    """
    one = Decimal(1)
    loss_of_one = (
        -_profit(contract, side, entry, stop, one)
        + _value(contract, entry, one) * open_fee_rate
        + _value(contract, stop, one) * close_fee_rate
    )
    risk = balance * risk_rate
    quantity = risk / loss_of_one
    notional = _value(contract, entry, quantity)
    ratio = None
    if target is not None:
        reward = (
            _profit(contract, side, entry, target, quantity)
            - _value(contract, entry, quantity) * open_fee_rate
            - _value(contract, target, quantity) * close_fee_rate
        )
        ratio = reward / risk
    return {
        "quantity": quantity,
        "notional": notional,
        "risk_amount": risk,
        "leverage_needed": notional / balance,
        "reward_risk_ratio": ratio,
    }


def max_open(
    tiers: list[tuple[Decimal, Decimal]], balance: Decimal, leverage: Decimal
) -> Decimal | None:
    """Largest notional: ``tiers`` lists (upper bound, max leverage) in ascending order.

    Walk the tiers; the last one that still allows the leverage caps the
    notional; the balance times the leverage caps it too.  ``None`` when even
    the first tier refuses the leverage.
    """
    cap = None
    for upper_bound, max_leverage in tiers:
        if leverage <= max_leverage:
            cap = upper_bound
    if cap is None:
        return None
    return min(cap, balance * leverage)
