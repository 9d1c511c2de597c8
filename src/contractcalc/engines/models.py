"""The liquidation models and the solver's small pieces, shared by every liquidation engine.

:mod:`contractcalc.engines.liquidation` (one position), :mod:`contractcalc.engines.book`
(many accounts) and :mod:`contractcalc.engines.cross` (one account) all use these;
they live below all three so that none of them imports another's internals (and
``liquidation_price(positions=...)`` can hand a cross account to ``cross`` without
an import cycle).  Moved verbatim from :mod:`contractcalc.engines.liquidation`,
which still exports them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contractcalc.core.numeric import Num, check, constant_like, is_array, number, where
from contractcalc.errors import InputError
from contractcalc.venues.exchanges import ExchangePreset

__all__ = [
    "MODELS",
    "MODEL_FORMULAS",
    "LiquidationModel",
    "model_for",
]


@dataclass(frozen=True)
class LiquidationModel:
    """How one exchange values the maintenance requirement (see the module docstring)."""

    name: str
    #: Maintenance margin valued at the entry price (Bybit) instead of the mark.
    mm_at_entry: bool
    #: The estimated fee to close (taker rate × value at the mark) is part of the requirement.
    counts_close_fee: bool
    #: Cross margin: the fee to close at the bankruptcy price is part of the requirement and of the
    #: bankruptcy price (Bybit; counted when a taker rate is given).  In isolated mode Bybit's position
    #: margin holds that fee beside the initial margin and its maintenance margin adds it too: it cancels.
    close_fee_at_bankruptcy: bool = False


MODELS: dict[str, LiquidationModel] = {
    "binance": LiquidationModel("binance", mm_at_entry=False, counts_close_fee=False),
    "bybit": LiquidationModel("bybit", mm_at_entry=True, counts_close_fee=False, close_fee_at_bankruptcy=True),
    "okx": LiquidationModel("okx", mm_at_entry=False, counts_close_fee=True),
    "hyperliquid": LiquidationModel("hyperliquid", mm_at_entry=False, counts_close_fee=False),
}

#: The closed form each model reduces to (one tier), for the readable output.
MODEL_FORMULAS: dict[tuple[str, str], str] = {
    ("binance", "linear"): "LP = (WB + cum − s·Q·E) / (Q·MMR − s·Q)",
    ("binance", "inverse"): "LP = F·(MMR + s) / (WB + cum + s·F/E)",
    ("bybit", "linear"): "LP = E − s·(WB − MM) / Q,  MM = Q·E·MMR − cum (at entry)",
    ("bybit", "inverse"): "LP = F / (F/E + s·(WB − MM)),  MM = F/E·MMR − cum (at entry)",
    ("okx", "linear"): "LP = (E − s·(WB + cum)/Q) / (1 − s·(MMR + f))",
    ("okx", "inverse"): "LP = F·(MMR + f + s) / (WB + cum + s·F/E)",
    ("hyperliquid", "linear"): "LP = (E − s·WB/Q) / (1 − s·MMR),  MMR = 1 / (2·max leverage)",
}


def model_for(preset: ExchangePreset) -> LiquidationModel:
    """The liquidation model of an exchange preset."""
    return MODELS[preset.liquidation_model]


# ---------------------------------------------------------------------------
# Small type-agnostic helpers (float, Decimal, NumPy arrays)


def _infinity(*like: Any) -> Num:
    return constant_like("Infinity", *like)


def _maximum(a: Num, b: Num) -> Num:
    if _float_arrays(a, b):
        import numpy as np

        return np.maximum(a, b)
    return where(a > b, a, b)


def _minimum(a: Num, b: Num) -> Num:
    if _float_arrays(a, b):
        import numpy as np

        return np.minimum(a, b)
    return where(a < b, a, b)


def _float_arrays(*values: Any) -> bool:
    """True when some value is an array and none is an object (``Decimal``) array."""
    return _any_array(*values) and not _object_arrays(*values)


def _any_array(*values: Any) -> bool:
    return any(is_array(v) for v in values)


def _object_arrays(*values: Any) -> bool:
    return any(is_array(v) and v.dtype.kind == "O" for v in values)


def _valid_price(price: Num) -> Any:
    """True where ``price`` is a finite positive number (arrays: elementwise)."""
    if is_array(price):
        import numpy as np

        if price.dtype.kind == "O":
            return np.array([_valid_price(p) for p in price.ravel()], dtype=bool).reshape(price.shape)
        return np.isfinite(price) & (price > 0)
    if isinstance(price, Decimal):
        return bool(price.is_finite() and price > 0)
    return bool(math.isfinite(price) and price > 0)


def _rate(name: str, x: Any) -> Num:
    x = check(name, x, ">=", 0)
    return check(name, x, "<", 1)


def _coefficients(
    kind: str, model: LiquidationModel, s: Num, size: Num, entry: Num, rate: Num, amount: Num, fee: Num
) -> tuple[Num, Num]:
    """``(a, b)``: the leg's margin balance minus requirement is ``a + b·x`` (``x = P`` or ``1/P``)."""
    if kind == "linear":
        if model.mm_at_entry:
            return amount - s * size * entry - size * entry * rate, s * size
        return amount - s * size * entry, size * (s - rate - fee)
    if model.mm_at_entry:
        return amount + s * size / entry - size / entry * rate, -s * size
    return amount + s * size / entry, -size * (s + rate + fee)


def _root(kind: str, big_a: Num, big_b: Num, rising: Any, inf: Num) -> Num:
    """The price where ``g = A + B·x`` crosses zero, in the sense of the liquidation.

    ``rising``: ``g`` increases with the price (a long); the liquidation set is
    then ``P <= root``, otherwise ``P >= root``.  ``inf`` stands for "no price"
    (never for a falling ``g``, every price for a rising one).
    """
    if kind == "linear":
        safe_b = where(big_b == 0, 1, big_b)
        return -big_a / safe_b
    # g = A + B/P: rising (B < 0): P <= −B/A when A > 0, every P when A <= 0;
    # falling (B > 0): P >= −B/A when A < 0, no P when A >= 0.
    sign = where(rising, 1, -1)
    ok = sign * big_a > 0
    safe_a = where(ok, big_a, 1)
    return where(ok, -big_b / safe_a, inf)


def _fee_rate(preset: ExchangePreset, model: LiquidationModel, taker_fee_rate: Num | None, *like: Any,
              cross: bool = False) -> Num:
    """The taker rate the liquidation formula counts as the fee to close (0 where it counts none).

    ``okx-*``: the given rate, else the preset's (at the mark, every mode).  ``bybit-*`` in cross mode
    (``cross``): the given rate, at the bankruptcy price (0 when none is given).  Elsewhere a non-zero
    rate is refused: it would change nothing.
    """
    if model.close_fee_at_bankruptcy and cross:
        return 0 if taker_fee_rate is None else _rate("taker_fee_rate", taker_fee_rate)
    if not model.counts_close_fee:
        if taker_fee_rate is not None and _nonzero(number("taker_fee_rate", taker_fee_rate)):
            where = ("in isolated mode (okx-* counts the fee to close; bybit-* in cross mode, at the bankruptcy "
                     "price)" if model.close_fee_at_bankruptcy else "(only okx-* counts the fee to close)")
            raise InputError("taker_fee_rate", f"is not part of {preset.name}'s liquidation formula {where}",
                             taker_fee_rate)
        return 0
    if taker_fee_rate is None:
        return constant_like(preset.taker_fee_rate, *like)
    return _rate("taker_fee_rate", taker_fee_rate)


def _nonzero(x: Num) -> bool:
    return bool((x != 0).any()) if is_array(x) else x != 0
