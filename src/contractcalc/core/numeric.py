"""Helpers that let one formula serve floats, ``Decimal`` and NumPy arrays.

Formulas in contractcalc are written once, in plain arithmetic.  These helpers
do the few things plain arithmetic cannot do type-agnostically: validate an
input (finite, in range), turn ``'long'``/``'short'`` into +1/-1, choose
between two results (:func:`where`), and bring table constants (floats read
from JSON) to the caller's number type.  NumPy is never imported here unless
the caller already passed a NumPy array, so the CLI starts fast.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import operator
import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

from contractcalc.errors import InputError, format_value

#: A float, int, ``Decimal``, or NumPy array of them.
Num = Any
P = ParamSpec("P")
R = TypeVar("R")

__all__ = [
    "Num",
    "check",
    "constant_like",
    "is_array",
    "number",
    "one_number_type",
    "one_number_type_of_arguments",
    "positive",
    "require",
    "side_sign",
    "where",
]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "!=": operator.ne,
}


def _numpy() -> Any:
    import numpy

    return numpy


def is_array(x: Any) -> bool:
    """True for a NumPy ndarray (without importing NumPy when it is not loaded)."""
    # getattr: another thread may be half-way through importing NumPy.
    ndarray = getattr(sys.modules.get("numpy"), "ndarray", None)
    return ndarray is not None and isinstance(x, ndarray)


def _is_scalar_number(x: Any) -> bool:
    return isinstance(x, numbers.Real | Decimal) and not isinstance(x, bool)


def _scalar_finite(x: Any) -> bool:
    if isinstance(x, Decimal):
        return bool(x.is_finite())
    return math.isfinite(x)


def number(name: str, x: Any) -> Num:
    """Validate that ``x`` is a finite real number or an array of them.

    Lists and tuples become NumPy arrays; everything else is returned as is.

    >>> number("entry", 5)
    5
    >>> number("entry", float("nan"))
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'entry' must be finite (got nan)
    """
    if isinstance(x, list | tuple):
        x = _numpy().asarray(x)
    if is_array(x):
        np = _numpy()
        if x.dtype.kind == "O":
            for index, item in np.ndenumerate(x):
                if not _is_scalar_number(item):
                    raise InputError(name, "must be a number", item, index)
                if not _scalar_finite(item):
                    raise InputError(name, "must be finite", item, index)
            return x
        if x.dtype.kind not in "iuf":
            raise InputError(name, "must be numeric", f"array of {x.dtype}")
        require(name, x, np.isfinite(x), "must be finite")
        return x
    if not _is_scalar_number(x):
        raise InputError(name, "must be a number", x)
    if not _scalar_finite(x):
        raise InputError(name, "must be finite", x)
    return x


def require(name: str, x: Num, ok: Any, rule: str) -> None:
    """Raise :class:`InputError` for ``name`` where ``ok`` is false, showing ``x`` there."""
    if is_array(ok):
        if not ok.all():
            np = _numpy()
            index = tuple(int(i) for i in np.unravel_index(int(np.argmin(ok)), ok.shape))
            bad = np.broadcast_to(x, ok.shape)[index] if is_array(x) else x
            raise InputError(name, rule, bad.item() if hasattr(bad, "item") else bad, index)
    elif not ok:
        raise InputError(name, rule, x)


def check(name: str, x: Any, op: str, bound: Any, rule: str | None = None) -> Num:
    """Validate ``x`` (see :func:`number`) and that ``x <op> bound`` holds everywhere.

    >>> check("leverage", 0, ">", 0)
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'leverage' must be > 0 (got 0)
    """
    x = number(name, x)
    if rule is None:
        rule = f"must be {op} {format_value(bound)}"
    require(name, x, _OPS[op](x, bound), rule)
    return x


def positive(name: str, x: Any) -> Num:
    """Validate that ``x`` is finite and > 0."""
    return check(name, x, ">", 0)


def side_sign(side: Any, name: str = "side") -> Any:
    """+1 for ``'long'``, -1 for ``'short'``; arrays of either give an int array.

    Signs (+1/-1) are accepted too, so a book stored as signs needs no conversion.

    >>> side_sign("long"), side_sign("short")
    (1, -1)
    >>> side_sign("buy")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'side' must be 'long' or 'short' (got 'buy')
    """
    rule = "must be 'long' or 'short'"
    if isinstance(side, str):
        word = side.strip().lower()
        if word == "long":
            return 1
        if word == "short":
            return -1
        raise InputError(name, rule, side)
    if isinstance(side, list | tuple) or is_array(side):
        np = _numpy()
        arr = np.asarray(side)
        if arr.dtype.kind in "iuf":
            require(name, arr, (arr == 1) | (arr == -1), rule)
            return arr.astype(np.int64)
        if arr.dtype.kind == "U":
            # Fast path for a large book spelled exactly 'long'/'short'.
            is_long = arr == "long"
            if (is_long | (arr == "short")).all():
                return np.where(is_long, 1, -1)
        words = np.char.lower(np.char.strip(arr.astype(str)))
        is_long = words == "long"
        require(name, arr, is_long | (words == "short"), rule)
        return np.where(is_long, 1, -1)
    if _is_scalar_number(side) and side in (1, -1):
        return int(side)
    raise InputError(name, rule, side)


def _holds_decimal(x: Any) -> bool:
    return isinstance(x, Decimal) or (
        is_array(x) and x.dtype.kind == "O" and any(isinstance(v, Decimal) for v in x.flat)
    )


def _holds_float(x: Any) -> bool:
    return isinstance(x, float) or (
        is_array(x) and (x.dtype.kind == "f" or (x.dtype.kind == "O" and any(isinstance(v, float) for v in x.flat)))
    )


def one_number_type(values: Mapping[str, Any]) -> None:
    """Refuse ``Decimal`` beside ``float``: they do not mix in arithmetic (ints go with either).

    >>> one_number_type({"entry": Decimal(100), "exit": 110.5})
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'exit' must be a Decimal like the other numbers ... (got 110.5)
    """
    if not any(_holds_decimal(x) for x in values.values()):
        return
    for name, x in values.items():
        if _holds_float(x):
            rule = "must be a Decimal like the other numbers (Decimal and float do not mix)"
            raise InputError(name, rule, x if not is_array(x) else "a float array")


def one_number_type_of_arguments(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a calculator so its arguments are checked by :func:`one_number_type` first."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return func(*args, **kwargs)  # let Python report the wrong call as usual
        one_number_type(bound.arguments)
        return func(*args, **kwargs)

    return checked


def where(condition: Any, if_true: Num, if_false: Num) -> Num:
    """``if_true`` where ``condition`` holds, else ``if_false``; NumPy-aware."""
    if is_array(condition) or is_array(if_true) or is_array(if_false):
        return _numpy().where(condition, if_true, if_false)
    return if_true if condition else if_false


def _has_decimal(x: Any) -> bool:
    if isinstance(x, Decimal):
        return True
    return is_array(x) and x.dtype.kind == "O" and x.size > 0 and isinstance(x.flat[0], Decimal)


def constant_like(value: float | int | str | Decimal, *inputs: Any) -> Num:
    """A table constant in the number type of ``inputs``.

    ``Decimal`` does not mix with ``float``, so a rate read from a JSON tier
    table becomes ``Decimal(str(rate))`` when any input is a ``Decimal``.
    """
    if any(_has_decimal(x) for x in inputs):
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if isinstance(value, Decimal | str):
        return float(value)
    return value
