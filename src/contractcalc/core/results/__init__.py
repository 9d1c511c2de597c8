"""Typed results: frozen dataclasses that also read like the ``--json`` object.

Every calculator returns a :class:`Result`: attribute access
(``result.pnl``), ``result.to_dict()`` with exactly the command's ``--json``
keys in the same order, and the read-only mapping protocol
(``result["pnl"]``, ``keys()``, ``items()``, ``in``, ``len``, iteration) so
code written against the dicts of earlier versions keeps working.

Equality: a result equals another result or any mapping with the same keys
and values (``Mapping.__eq__``), so ``target(...) == {"target_price": 7500.0}``
holds.  Results are not hashable (they may hold arrays).

A field whose value is :data:`ABSENT` is not part of the result (it is not
in ``keys()`` nor in ``to_dict()``): e.g. ``size``'s stop check is reported
only with an exchange, ``quantity`` only for a linear contract.

Scalars and arrays behave alike: where no price exists, a scalar field is
``None`` and an array holds NaN; a ``reason`` code (:class:`Reason`) says why
for both.

Each result class lives in the module of its command (``results/pnl.py``,
``results/liquidation.py``, ...; the base in ``results/_base.py``) and is
created when first imported: a frozen dataclass costs ~0.5 ms of CPU to create,
and a CLI answer needs one of ten (docs/design.md, "CLI start-up").  Every name
is importable from here as before (``from contractcalc.core.results import
PnlResult``): this package loads the module holding it on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contractcalc.core.results._base import ABSENT, Result
    from contractcalc.core.results.average_entry import AverageEntryResult
    from contractcalc.core.results.cost import CostResult
    from contractcalc.core.results.liquidation import NOTES, LiquidationResult, Reason, StopCheckResult
    from contractcalc.core.results.max_open import MaxOpenResult
    from contractcalc.core.results.plan import PlanResult
    from contractcalc.core.results.pnl import PnlResult
    from contractcalc.core.results.size import SizeResult
    from contractcalc.core.results.target import TargetResult

__all__ = [
    "ABSENT",
    "NOTES",
    "AverageEntryResult",
    "CostResult",
    "LiquidationResult",
    "MaxOpenResult",
    "PlanResult",
    "PnlResult",
    "Reason",
    "Result",
    "SizeResult",
    "StopCheckResult",
    "TargetResult",
]

#: The module (in this package) defining each name.
HOMES: dict[str, str] = {
    "ABSENT": "_base",
    "Result": "_base",
    "PnlResult": "pnl",
    "TargetResult": "target",
    "AverageEntryResult": "average_entry",
    "CostResult": "cost",
    "SizeResult": "size",
    "MaxOpenResult": "max_open",
    "PlanResult": "plan",
    "LiquidationResult": "liquidation",
    "StopCheckResult": "liquidation",
    "Reason": "liquidation",
    "NOTES": "liquidation",
}


def __getattr__(name: str) -> Any:
    home = HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # the next look-up is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *HOMES})
