"""The exceptions contractcalc raises for bad input, with structure a program can read.

Messages follow one pattern, ``'<field>' <rule> (got <value>)``, where
``<field>`` is the library keyword.  The CLI shows the same message with the
flag (``'--wallet-balance'``) and the HTTP API with the body field
(``wallet_balance``); both read :attr:`InputError.field` to do so, and the
position of a bad item of a list or array from :attr:`InputError.index`
(never from the text).

Subclasses a bot can catch (every one is an :class:`InputError`, hence a
``ValueError``):

- :class:`TierCapExceeded`: a leverage above the cap of the tier holding the
  notional, or a notional beyond the table;
- :class:`OutOfRange`: inputs whose result overflows to infinity or
  underflows to zero (``quantity=1e308``, ``entry=1e-400``);
- :class:`NoLiquidationPrice`: raised only where a caller asks for a price
  that must exist (the calculators report "no price" as ``None``/NaN with a
  note instead).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

__all__ = [
    "OUT_OF_RANGE",
    "InputError",
    "NoLiquidationPrice",
    "OutOfRange",
    "TierCapExceeded",
    "format_value",
]

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
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    return str(value)


_NO_VALUE: Any = object()

#: An item's position: an int for a list or a 1-d array, a tuple for an n-d array.
Index = int | tuple[int, ...]


def _index_text(index: Index) -> str:
    if isinstance(index, tuple) and len(index) == 1:
        index = index[0]
    return f" at index {index}"


class InputError(ValueError):
    """A value that contractcalc cannot compute with.

    Attributes: ``field`` (the keyword), ``rule`` (what it must satisfy),
    ``value`` (what was given; absent for a missing value) and ``index`` (the
    position of the bad item in a list or array, else ``None``).  The message
    is built from them, only when the error is raised.

    >>> raise InputError("leverage", "must be > 0", 0)
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'leverage' must be > 0 (got 0)
    >>> error = InputError("entry", "must be > 0", -1.0, index=2)
    >>> str(error), error.index
    ("'entry' must be > 0 (got -1 at index 2)", 2)
    """

    def __init__(
        self, field: str, rule: str, value: Any = _NO_VALUE, index: Index | None = None, *, where: str = ""
    ) -> None:
        if isinstance(index, tuple) and len(index) == 1:
            index = index[0]
        self.field = field
        self.rule = rule
        self.value = value
        self.index = index
        self.where = where if where or index is None else _index_text(index)
        super().__init__(self.message(f"'{field}'"))

    @property
    def has_value(self) -> bool:
        """Whether a value was given (a missing value has none)."""
        return self.value is not _NO_VALUE

    def message(self, label: str) -> str:
        """The message with ``label`` standing for the field (keyword, flag or JSON key)."""
        got = f" (got {format_value(self.value)}{self.where})" if self.value is not _NO_VALUE else ""
        return f"{label} {self.rule}{got}"

    @property
    def flag(self) -> str:
        """The CLI flag that carries this field."""
        return "--" + self.field.replace("_", "-")

    def __reduce__(self) -> Any:  # picklable across processes (Dask, multiprocessing)
        return (_rebuild, (type(self), self.field, self.rule, self.value, self.index, self.where))


def _rebuild(cls: type[InputError], field: str, rule: str, value: Any, index: Any, where: str) -> InputError:
    return cls(field, rule, value, index, where=where)


class TierCapExceeded(InputError):
    """A leverage above the cap of the tier holding the notional, or a notional beyond the tier table.

    >>> raise TierCapExceeded("leverage", "must be <= 20, the cap of tier 3", 50)
    Traceback (most recent call last):
    ...
    contractcalc.errors.TierCapExceeded: 'leverage' must be <= 20, the cap of tier 3 (got 50)
    """


class OutOfRange(InputError):
    """Inputs whose result overflows to infinity or underflows to zero: the field named is the input to change.

    >>> raise OutOfRange("quantity", "gives a result out of range (pnl overflows to infinity)", 1e308)
    Traceback (most recent call last):
    ...
    contractcalc.errors.OutOfRange: 'quantity' gives a result out of range (pnl overflows to infinity) (got 1e+308)
    """


class NoLiquidationPrice(InputError):
    """No positive price liquidates the position, where a caller needs one to exist."""
