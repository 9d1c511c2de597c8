"""The result of ``contractcalc cost`` (:func:`contractcalc.engines.calculators.cost`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from contractcalc.core.results._base import Result

__all__ = ["CostResult"]


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
