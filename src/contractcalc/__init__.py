"""contractcalc: crypto futures ("contract") position math.

Pure functions over floats, ``Decimal`` and NumPy arrays.  The seed lesson's
formulas live in :mod:`contractcalc.seed`; :func:`plan` runs its workflow.
Bad input raises :class:`InputError` (a ``ValueError``).
"""

from __future__ import annotations

from contractcalc.core import contracts, seed
from contractcalc.engines.calculators import average_entry, cost, max_open, pnl, size, target
from contractcalc.engines.liquidation import liquidation_price
from contractcalc.engines.plan import plan
from contractcalc.errors import InputError

__all__ = [
    "InputError",
    "average_entry",
    "contracts",
    "cost",
    "liquidation_price",
    "max_open",
    "plan",
    "pnl",
    "seed",
    "size",
    "target",
]

__version__ = "0.1.0"
