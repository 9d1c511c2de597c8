"""Results as JSON data, the same in the CLI's ``--json`` and in the web API's answers.

Shared by :mod:`contractcalc.interfaces.cli` and :mod:`contractcalc.interfaces.web`
(which never import each other).  Decimals become JSON numbers: integral values
as integers, others as the nearest double.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["json_number", "to_jsonable"]


def json_number(value: Decimal) -> int | float:
    """Integral values as JSON integers, others as the nearest double.

    >>> json_number(Decimal("2.0")), json_number(Decimal("0.2"))
    (2, 0.2)
    """
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    return float(value)


def to_jsonable(value: Any) -> Any:
    """Decimals become numbers, mappings and lists are walked, the rest is kept.

    An object with ``to_dict()`` (a typed result) is its dict.

    >>> to_jsonable({"pnl": Decimal("100.0"), "roe": [Decimal("0.25"), 3.0]})
    {'pnl': 100, 'roe': [0.25, 3]}
    """
    if isinstance(value, Decimal):
        return json_number(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and not isinstance(value, type):
        value = to_dict()
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 10**15:
        return int(value)
    return value
