"""The result of ``contractcalc pnl`` (:func:`contractcalc.engines.calculators.pnl`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from contractcalc.core.results._base import ABSENT, Result

__all__ = ["PnlResult"]


@dataclasses.dataclass(frozen=True, eq=False, slots=True, repr=False)
class PnlResult(Result):
    """``contractcalc pnl`` (amounts in the quote currency for linear, the coin for inverse)."""

    #: PnL at the exit: ``s·Q·(X − E)`` or ``s·F·(1/E − 1/X)``.
    pnl: Any
    #: Initial margin ``value(E)/L``; ``None`` without a leverage.
    initial_margin: Any
    #: Return on equity, PnL / initial margin (a fraction); ``None`` without a leverage.
    roe: Any
    #: The value at entry (``Q·E`` quote, ``F/E`` coin).
    notional: Any
    #: Open fee on the value at entry plus close fee on the value at the exit.
    fees: Any
    #: Funding paid (negative: received).
    funding: Any
    #: pnl − fees − funding.
    net_pnl: Any
    #: The exit at which the PnL pays the fees to open and to close.
    breakeven_price: Any
    #: Bybit presets only: Bybit's ROI, PnL / position margin (initial margin + fee to close at the
    #: bankruptcy price).
    roi: Any = ABSENT
