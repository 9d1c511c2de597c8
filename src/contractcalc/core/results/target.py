"""The result of ``contractcalc target`` (:func:`contractcalc.engines.calculators.target`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from contractcalc.core.results._base import Result

__all__ = ["TargetResult"]


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class TargetResult(Result):
    """``contractcalc target``."""

    #: The exit price that makes the asked ROE at the leverage.
    target_price: Any
