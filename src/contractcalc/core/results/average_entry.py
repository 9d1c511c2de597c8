"""The result of ``contractcalc average-entry`` (:func:`contractcalc.engines.calculators.average_entry`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from contractcalc.core.results._base import ABSENT, Result

__all__ = ["AverageEntryResult"]


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class AverageEntryResult(Result):
    """``contractcalc average-entry``."""

    #: Size-weighted (linear) or harmonic (inverse) mean of the fill prices.
    average_entry: Any
    #: The sum of the fills' sizes (what is still open after partial closes).
    total_size: Any
    #: PnL realised by the closing fills (negative sizes) at the average entry; only with closes.
    realized_pnl: Any = ABSENT
