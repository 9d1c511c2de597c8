"""The result of ``contractcalc max-open`` (:func:`contractcalc.engines.calculators.max_open`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from contractcalc.core.results._base import ABSENT, Result

__all__ = ["MaxOpenResult"]


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class MaxOpenResult(Result):
    """``contractcalc max-open``: ``max_quantity`` (linear) or ``max_contracts`` (inverse)."""

    #: Linear: max_notional / entry.
    max_quantity: Any = ABSENT
    #: Inverse: max_notional × entry / contract size.
    max_contracts: Any = ABSENT
    #: min(balance × leverage, the upper bound of the highest tier allowing the leverage).
    max_notional: Any = ABSENT
    #: With ``round``: the lot the size was rounded down to (base units linear, contracts inverse).
    lot_size: Any = ABSENT
