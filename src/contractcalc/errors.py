"""The one exception contractcalc raises for bad input.

Messages follow one pattern, ``'<field>' <rule> (got <value>)``, where
``<field>`` is the library keyword.  The CLI shows the same message with the
flag (``'--wallet-balance'``) and the HTTP API with the body field
(``wallet_balance``); both read :attr:`InputError.field` to do so.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

__all__ = ["OUT_OF_RANGE", "InputError", "format_value"]

#: What the CLI and the HTTP API say when arithmetic overflows or underflows
#: (an ``ArithmeticError``, or a result no JSON number can hold).
OUT_OF_RANGE = "the inputs give a result out of range: they are too large or too small to compute with"


def format_value(value: Any) -> str:
    """Show a rejected value the way a user would have typed it."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


_NO_VALUE: Any = object()


class InputError(ValueError):
    """A value that contractcalc cannot compute with.

    >>> raise InputError("leverage", "must be > 0", 0)
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'leverage' must be > 0 (got 0)
    """

    def __init__(self, field: str, rule: str, value: Any = _NO_VALUE, *, where: str = "") -> None:
        self.field = field
        self.rule = rule
        self.value = value
        self.where = where
        super().__init__(self.message(f"'{field}'"))

    def message(self, label: str) -> str:
        """The message with ``label`` standing for the field (keyword, flag or JSON key)."""
        got = f" (got {format_value(self.value)}{self.where})" if self.value is not _NO_VALUE else ""
        return f"{label} {self.rule}{got}"

    @property
    def flag(self) -> str:
        """The CLI flag that carries this field."""
        return "--" + self.field.replace("_", "-")
