"""A deliberately plain reference for the liquidation engine, in ``Decimal`` only.

Nothing here is clever: the margin equation is written term by term, the
tier is looked up by walking the table at each trial price, and the price is
found by scanning outwards from the start price in 10 % steps until the
account's margin balance minus its requirement changes sign, then bisecting.
It is slow (milliseconds per position) and exists to check
:func:`contractcalc.liquidation_price` (closed forms, tier masks, NumPy) on
random books in the tests.

Requirement at mark ``P`` per model (``shared/reference/formulas.md``):

- binance, hyperliquid: ``value(P) × MMR − cum`` with the tier holding ``value(P)``;
- bybit: ``value(E) × MMR − cum`` with the tier holding ``value(E)``;
- okx: ``value(P) × MMR − cum + value(P) × taker fee``.

``value(P)`` is ``Q·P`` (linear) or ``F/P`` (inverse); PnL is ``s·Q·(P − E)``
or ``s·F·(1/E − 1/P)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

__all__ = ["RefPosition", "RefTier", "margin_gap", "reference_liquidation_price"]

D = Decimal


@dataclass(frozen=True)
class RefTier:
    """``low <= notional < high`` (``high`` None: no upper bound) → rate and amount."""

    low: Decimal
    high: Decimal | None
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class RefPosition:
    """One position: ``size`` is ``Q`` (linear, base units) or ``F`` (inverse, USD face value)."""

    side: str
    entry: Decimal
    size: Decimal
    tiers: Sequence[RefTier]
    mark: Decimal | None = None
    fee_rate: Decimal = field(default=D(0))


def _value(contract: str, size: Decimal, price: Decimal) -> Decimal:
    return size * price if contract == "linear" else size / price


def _pnl(contract: str, pos: RefPosition, price: Decimal) -> Decimal:
    s = 1 if pos.side == "long" else -1
    if contract == "linear":
        return s * pos.size * (price - pos.entry)
    return s * pos.size * (1 / pos.entry - 1 / price)


def _tier(tiers: Sequence[RefTier], notional: Decimal) -> RefTier:
    for tier in tiers:
        if tier.low <= notional and (tier.high is None or notional < tier.high):
            return tier
    return tiers[-1]


def requirement(model: str, contract: str, pos: RefPosition, price: Decimal) -> Decimal:
    """Maintenance margin (plus OKX's fee to close) of ``pos`` when the mark is ``price``."""
    valued_at = pos.entry if model == "bybit" else price
    notional = _value(contract, pos.size, valued_at)
    tier = _tier(pos.tiers, notional)
    mm = notional * tier.rate - tier.amount
    if model == "okx":
        mm += _value(contract, pos.size, price) * pos.fee_rate
    return mm


def margin_gap(
    model: str,
    contract: str,
    wallet_balance: Decimal,
    group: Sequence[RefPosition],
    others: Sequence[RefPosition],
    price: Decimal,
) -> Decimal:
    """Margin balance minus requirement when ``group`` is marked at ``price`` (others at their marks)."""
    gap = wallet_balance
    for pos in others:
        assert pos.mark is not None
        gap += _pnl(contract, pos, pos.mark) - requirement(model, contract, pos, pos.mark)
    for pos in group:
        gap += _pnl(contract, pos, price) - requirement(model, contract, pos, price)
    return gap


def reference_liquidation_price(
    model: str,
    contract: str,
    wallet_balance: Decimal,
    group: Sequence[RefPosition],
    others: Sequence[RefPosition] = (),
    start: Decimal | None = None,
) -> Decimal | None:
    """The price nearest ``start`` (default: the group's mark, else its entry) where the gap changes sign.

    If the gap is positive at ``start``, the nearest price where it falls to
    zero; if it is not, the nearest price where it becomes positive (the
    position is liquidated at once; this is where it would be safe).  ``None``
    when no such price lies within a factor 10⁸ of ``start``.
    """
    with localcontext() as ctx:
        ctx.prec = 50
        first = group[0]
        start = start if start is not None else (first.mark if first.mark is not None else first.entry)

        def gap(price: Decimal) -> Decimal:
            return margin_gap(model, contract, wallet_balance, group, others, price)

        healthy = gap(start) > 0
        found = []
        for step in (D("1.1"), 1 / D("1.1")):
            inside, price = start, start
            while D("1e-8") * start < price < D("1e8") * start:
                price = price * step
                if (gap(price) > 0) != healthy:
                    found.append(_bisect(gap, inside, price, healthy))
                    break
                inside = price
        if not found:
            return None
        best = min(found, key=lambda p: abs(p - start))
        return +best


def _bisect(gap: Callable[[Decimal], Decimal], inside: Decimal, outside: Decimal, healthy: bool) -> Decimal:
    """Bisect between ``inside`` (gap on the ``healthy`` side) and ``outside``; 120 halvings."""
    for _ in range(120):
        middle = (inside + outside) / 2
        if (gap(middle) > 0) == healthy:
            inside = middle
        else:
            outside = middle
    return (inside + outside) / 2
