"""Exact rounding to an exchange's step (price tick, lot size), in ``Decimal``.

A price or a size is rounded to a whole number of steps by exact ``Decimal``
arithmetic (the quotient's integer part and the remainder are exact), never by
float ``round``: 43,210.337 to a 0.1 tick is 43,210.3 down, 43,210.4 up.

- ``"down"`` / ``"up"``: toward −∞ / +∞ (the values here are positive);
- ``"nearest"``: the nearer step, a tie away from zero (half up).

A float comes back a float (rounded through its shortest decimal text), a
``Decimal`` a ``Decimal`` with the step's exponent.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Literal

__all__ = ["Direction", "round_to_step", "safe_liquidation_direction"]

Direction = Literal["down", "up", "nearest"]


def round_to_step(value: Decimal | float | int, step: Decimal, direction: Direction) -> Decimal | float:
    """``value`` on a whole number of ``step`` s, rounded in ``direction``.

    >>> D = Decimal
    >>> round_to_step(D("43210.337"), D("0.1"), "up"), round_to_step(D("43210.337"), D("0.1"), "down")
    (Decimal('43210.4'), Decimal('43210.3'))
    >>> round_to_step(D("0.09528346831824679"), D("0.001"), "down")
    Decimal('0.095')
    >>> round_to_step(D("101.25"), D("0.5"), "nearest"), round_to_step(D("101.24"), D("0.5"), "nearest")
    (Decimal('101.5'), Decimal('101.0'))
    >>> round_to_step(15060.240963855422, D("0.1"), "up"), round_to_step(D("43216"), D("10"), "down")
    (15060.3, Decimal('43210'))
    """
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    step = step.normalize()
    with localcontext() as context:
        # room for every digit of the value over the step: the quotient and remainder stay exact
        context.prec = max(28, exact.adjusted() - step.adjusted() + len(step.as_tuple().digits) + 10)
        whole = exact // step
        remainder = exact - whole * step
        if remainder < 0:  # // truncates toward zero: bring a negative value's floor down
            whole -= 1
            remainder += step
        if remainder and (direction == "up" or (direction == "nearest" and 2 * remainder >= step)):
            whole += 1
        exponent = step.as_tuple().exponent
        rounded = (whole * step).quantize(Decimal(1).scaleb(min(int(exponent), 0)))
    return float(rounded) if isinstance(value, float) else rounded


def safe_liquidation_direction(side_sign: int) -> Direction:
    """Where a liquidation (or bankruptcy) price is rounded: toward the entry, so it is never shown
    farther than it is: a long's (below the entry) up, a short's (above it) down.

    >>> safe_liquidation_direction(1), safe_liquidation_direction(-1)
    ('up', 'down')
    """
    return "up" if side_sign > 0 else "down"
