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

TYPE_CHECKING = False
if TYPE_CHECKING:
    from contractcalc.book import Accounts, Book
    from contractcalc.engines.book import book_liquidation

__all__ = [
    "Accounts",
    "Book",
    "InputError",
    "average_entry",
    "book_liquidation",
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


def __getattr__(name: str) -> object:
    """The book API on first use: it needs NumPy, which ``import contractcalc`` does not load."""
    if name in ("Book", "Accounts"):
        from contractcalc import book

        return getattr(book, name)
    if name == "book_liquidation":
        from contractcalc.engines.book import book_liquidation

        return book_liquidation
    raise AttributeError(f"module 'contractcalc' has no attribute {name!r}")
