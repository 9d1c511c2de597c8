"""contractcalc: crypto futures ("contract") position math.

Pure functions over floats, ``Decimal`` and NumPy arrays.  The seed lesson's
formulas live in :mod:`contractcalc.seed`; :func:`plan` runs its workflow.
Bad input raises :class:`InputError` (a ``ValueError``).

The names below are loaded on first use (PEP 562), so ``import contractcalc``
(and every CLI answer, which imports the package first) costs only what it uses.
"""

from __future__ import annotations

import importlib

#: ``typing.TYPE_CHECKING`` without importing typing (mypy reads the name alike): the console
#: script imports this package before ``main()`` turns the garbage collector off, so the package
#: imports nothing it can do without (docs/design.md, "CLI start-up").
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from contractcalc.book import Accounts, Book
    from contractcalc.core import contracts, kernels, seed
    from contractcalc.core.results import Reason
    from contractcalc.engines.book import book_liquidation
    from contractcalc.engines.calculators import average_entry, cost, max_open, pnl, size, target
    from contractcalc.engines.liquidation import liquidation_price
    from contractcalc.engines.plan import plan
    from contractcalc.errors import InputError, NoLiquidationPrice, OutOfRange, TierCapExceeded

__all__ = [
    "Accounts",
    "Book",
    "InputError",
    "NoLiquidationPrice",
    "OutOfRange",
    "Reason",
    "TierCapExceeded",
    "average_entry",
    "book_liquidation",
    "contracts",
    "cost",
    "kernels",
    "liquidation_price",
    "max_open",
    "plan",
    "pnl",
    "seed",
    "size",
    "target",
]

__version__ = "0.1.0"

#: Where each public name lives: ``{name: (module, attribute or None for the module itself)}``.
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "Accounts": ("contractcalc.book", "Accounts"),
    "Book": ("contractcalc.book", "Book"),
    "InputError": ("contractcalc.errors", "InputError"),
    "NoLiquidationPrice": ("contractcalc.errors", "NoLiquidationPrice"),
    "OutOfRange": ("contractcalc.errors", "OutOfRange"),
    "Reason": ("contractcalc.core.results", "Reason"),
    "TierCapExceeded": ("contractcalc.errors", "TierCapExceeded"),
    "kernels": ("contractcalc.core.kernels", None),
    "book_liquidation": ("contractcalc.engines.book", "book_liquidation"),
    "average_entry": ("contractcalc.engines.calculators", "average_entry"),
    "contracts": ("contractcalc.core.contracts", None),
    "cost": ("contractcalc.engines.calculators", "cost"),
    "liquidation_price": ("contractcalc.engines.liquidation", "liquidation_price"),
    "max_open": ("contractcalc.engines.calculators", "max_open"),
    "plan": ("contractcalc.engines.plan", "plan"),
    "pnl": ("contractcalc.engines.calculators", "pnl"),
    "seed": ("contractcalc.core.seed", None),
    "size": ("contractcalc.engines.calculators", "size"),
    "target": ("contractcalc.engines.calculators", "target"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'contractcalc' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
