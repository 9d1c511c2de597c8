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
    "check_results",
    "check_shapes",
    "constant_like",
    "extreme_input",
    "is_array",
    "is_plain_finite",
    "is_plain_nonnegative",
    "is_plain_positive",
    "number",
    "one_number_type",
    "one_number_type_of_arguments",
    "out_of_range",
    "positive",
    "require",
    "scalar_in_range",
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
    """True for a NumPy ndarray, or an array that follows NumPy's protocols (Dask, CuPy, ...).

    An array type that implements ``__array_function__`` and ``__array_ufunc__``
    (NEP 18, NEP 13) goes through NumPy's functions unchanged, so the
    formulas take it as they take an ndarray.  NumPy is never imported here.
    """
    # getattr: another thread may be half-way through importing NumPy.
    ndarray = getattr(sys.modules.get("numpy"), "ndarray", None)
    if ndarray is None:
        return False
    if isinstance(x, ndarray):
        return True
    kind = type(x)
    return (hasattr(kind, "__array_function__") and hasattr(kind, "__array_ufunc__")
            and hasattr(x, "dtype") and hasattr(x, "shape") and not isinstance(x, numbers.Number))


# The scalar fast paths' checks (pnl, liquidation_price): a plain float, or an int a float holds
# exactly (not a bool), in range; anything else (Decimal, arrays, NumPy scalars) takes the general path.
_INF = math.inf
_BIG_INT = 2**53


def is_plain_finite(x: Any) -> bool:
    """A finite float, or an int in (−2**53, 2**53) (not a bool).

    >>> is_plain_finite(-1.5), is_plain_finite(float("nan")), is_plain_finite(True), is_plain_finite(2**53)
    (True, False, False, False)
    """
    t = type(x)
    if t is float:
        return -_INF < x < _INF  # type: ignore[no-any-return]
    return t is int and -_BIG_INT < x < _BIG_INT


def is_plain_positive(x: Any) -> bool:
    """A finite float > 0, or an int in (0, 2**53) (not a bool).

    >>> is_plain_positive(0.5), is_plain_positive(0), is_plain_positive(float("inf")), is_plain_positive(Decimal(1))
    (True, False, False, False)
    """
    t = type(x)
    if t is float:
        return 0 < x < _INF  # type: ignore[no-any-return]
    return t is int and 0 < x < _BIG_INT


def is_plain_nonnegative(x: Any) -> bool:
    """A finite float >= 0, or an int in [0, 2**53) (not a bool).

    >>> is_plain_nonnegative(0), is_plain_nonnegative(-0.0), is_plain_nonnegative(-1), is_plain_nonnegative(False)
    (True, True, False, False)
    """
    t = type(x)
    if t is float:
        return 0 <= x < _INF  # type: ignore[no-any-return]
    return t is int and 0 <= x < _BIG_INT


def _as_float64(x: Any) -> Any:
    """Integer and small-float arrays as float64, so no product wraps around (int64) or loses digits (float16)."""
    kind = x.dtype.kind
    if kind in "iu" or (kind == "f" and x.dtype.itemsize < 8):
        return x.astype("float64")
    return x


def _plain_scalar(x: Any) -> Any:
    """A NumPy integer as the Python int it holds (no wrap-around), float16/32 widened; float64 kept."""
    np = sys.modules.get("numpy")
    if np is not None and isinstance(x, np.generic) and not isinstance(x, np.bool_):
        if isinstance(x, np.integer):
            return int(x)
        if isinstance(x, np.floating) and x.dtype.itemsize < 8:
            return float(x)
    return x


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
    x = _numpy().asarray(x) if isinstance(x, list | tuple) else _plain_scalar(x)
    if is_array(x):
        np = _numpy()
        if x.ndim == 0 and isinstance(x, np.ndarray) and x.dtype.kind in "iuf":
            x = _plain_scalar(x[()])
            return number(name, x)
        if x.dtype.kind == "O":
            for index, item in np.ndenumerate(x):
                if not _is_scalar_number(item):
                    raise InputError(name, "must be a number", item, index)
                if not _scalar_finite(item):
                    raise InputError(name, "must be finite", item, index)
            return x
        if x.dtype.kind not in "iuf":
            raise InputError(name, "must be numeric", f"array of {x.dtype}")
        x = _as_float64(x)
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
    ok = _OPS[op](x, bound)
    if bool(ok.all()) if is_array(ok) else ok:
        return x
    # the text only when there is an error to raise
    require(name, x, ok, rule if rule is not None else f"must be {op} {format_value(bound)}")
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


def _may_hold_decimal(x: Any) -> bool:
    return isinstance(x, Decimal) or (is_array(x) and x.dtype.kind == "O")


def one_number_type_of_arguments(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a calculator so its arguments are checked by :func:`one_number_type` first."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        # only a Decimal (or an object array that may hold one) can clash: otherwise skip binding
        if not any(_may_hold_decimal(v) for v in (*args, *kwargs.values())):
            return func(*args, **kwargs)
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


# ---------------------------------------------------------------------------
# Results out of range: an error naming the input, never inf or a silent 0

_DOUBLE_MAX = Decimal("1.7976931348623157e308")
#: Half the smallest subnormal double: below it a value prints as 0.0.
_DOUBLE_TINY = Decimal("2.4703282292062328e-324")


def _log_magnitude(x: Any) -> float:
    """``|log10 |x||`` of a nonzero finite scalar (0 for zero, arrays: their extreme)."""
    try:
        if is_array(x):
            np = _numpy()
            values = np.abs(np.asarray(x, dtype=float))
            values = values[(values > 0) & np.isfinite(values)]
            return float(np.abs(np.log10(values)).max()) if values.size else 0.0
        if isinstance(x, Decimal):
            return abs(float(x.copy_abs().log10())) if x != 0 and x.is_finite() else 0.0
        if isinstance(x, int | float) and not isinstance(x, bool) and x != 0 and math.isfinite(x):
            return abs(math.log10(abs(x)))
    except (ArithmeticError, TypeError, ValueError):
        return 0.0
    return 0.0


def extreme_input(inputs: Mapping[str, Any]) -> tuple[str, Any]:
    """The input of the most extreme magnitude (farthest from 1): the one to blame for a result out of range.

    >>> extreme_input({"entry": 100, "quantity": 1e308, "exit": 110})
    ('quantity', 1e+308)
    """
    name, value = max(((k, v) for k, v in inputs.items() if v is not None and not isinstance(v, str)),
                      key=lambda item: _log_magnitude(item[1]), default=("inputs", None))
    return name, value


def out_of_range(result_name: str, inputs: Mapping[str, Any], why: str, index: Any = None) -> InputError:
    """The :class:`~contractcalc.errors.OutOfRange` error for ``result_name``, naming the most extreme input.

    ``index``: the position of the first bad item of an array result; the
    inputs are then compared (and shown) at that position.
    """
    from contractcalc.errors import OutOfRange

    if index is not None:
        np = _numpy()
        at: dict[str, Any] = {}
        for key, value in inputs.items():
            if is_array(value):
                try:
                    value = np.asarray(value)[tuple(i for i in index[len(index) - np.ndim(value):])].item()
                except (IndexError, TypeError, ValueError):
                    continue
            at[key] = value
        inputs = at
    name, value = extreme_input(inputs)
    shown = value if not is_array(value) else "an array"
    return OutOfRange(name, f"gives a result out of range ({result_name} {why}): use a value nearer 1", shown,
                      index)


def scalar_in_range(value: Any) -> str | None:
    """Why a scalar result cannot be shown as a double (``None`` when it can).

    >>> scalar_in_range(1e308 * 10), scalar_in_range(Decimal("1e-400")), scalar_in_range(0.5)
    ('overflows to infinity', 'underflows to 0', None)
    """
    if isinstance(value, float):
        if value != value:
            return "is not a number"
        if value in (math.inf, -math.inf):
            return "overflows to infinity"
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "is not finite"
        size = value.copy_abs()
        if size > _DOUBLE_MAX:
            return "overflows to infinity"
        if 0 < size < _DOUBLE_TINY:
            return "underflows to 0"
    return None


def check_results(results: Mapping[str, Any], inputs: Mapping[str, Any], skip: tuple[str, ...] = (),
                  underflow: bool = True) -> None:
    """Raise :class:`~contractcalc.errors.OutOfRange` if a result overflows to infinity or underflows to 0.

    Scalars only (``None`` and text pass); arrays are checked for infinities.
    ``skip`` lists results where NaN means "no such price" rather than an error;
    ``underflow=False`` lets tiny ``Decimal`` results through (only overflow is an error).
    """
    for key, value in results.items():
        if value is None or isinstance(value, bool | str | int):
            continue
        if is_array(value):
            if value.dtype.kind == "f" and value.size and bool(_numpy().isinf(value).any()):
                np = _numpy()
                index = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.isinf(value))), value.shape))
                raise out_of_range(key, inputs, "overflows to infinity", index)
            continue
        why = scalar_in_range(value)
        if why == "underflows to 0" and not underflow:
            continue
        if why is not None and not (key in skip and why in ("is not a number", "is not finite")):
            raise out_of_range(key, inputs, why)


#: The smallest normal double: a product of non-zero inputs below it has lost precision (subnormal) or is 0.
DOUBLE_MIN_NORMAL = sys.float_info.min
_DECIMAL_MIN_NORMAL = Decimal(sys.float_info.min)


def check_products(results: Mapping[str, Any], inputs: Mapping[str, Any]) -> None:
    """Raise :class:`~contractcalc.errors.OutOfRange` if a product of non-zero inputs underflowed.

    Each result in ``results`` must be formed only from the non-zero
    ``inputs`` (a value ``quantity × entry``, a margin ``value / leverage``),
    so a result that is 0 or subnormal as a double is an underflow, not an
    answer.  A result that may legitimately be 0 (a zero rate, a zero
    maintenance amount) does not belong here but in :func:`check_results`.

    >>> check_products({"notional": 1e-300 * 1e-300}, {"entry": 1e-300, "quantity": 1e-300})
    Traceback (most recent call last):
    ...
    contractcalc.errors.OutOfRange: 'entry' gives a result out of range (notional underflows to 0): use a value \
nearer 1 (got 1e-300)
    >>> check_products({"notional": 5e-7 * 2.0}, {"entry": 5e-7, "quantity": 2.0})
    """
    for key, value in results.items():
        if value is None:
            continue
        if is_array(value):
            np = _numpy()
            with np.errstate(invalid="ignore"):
                small = np.asarray(np.abs(value) < (_DECIMAL_MIN_NORMAL if value.dtype.kind == "O"
                                                    else DOUBLE_MIN_NORMAL), dtype=bool)
            if small.size and bool(small.any()):
                index = tuple(int(i) for i in np.unravel_index(int(np.argmax(small)), small.shape))
                raise out_of_range(key, inputs, "underflows to 0", index)
            continue
        if isinstance(value, Decimal):
            tiny = value.is_finite() and value.copy_abs() < _DECIMAL_MIN_NORMAL
        else:
            tiny = isinstance(value, float | int) and abs(value) < DOUBLE_MIN_NORMAL
        if tiny:
            raise out_of_range(key, inputs, "underflows to 0")


def check_shapes(values: Mapping[str, Any]) -> tuple[int, ...] | None:
    """The broadcast shape of the array values, or an InputError naming the first field that does not fit.

    ``None`` when no value is an array.  Checked before any arithmetic, so a
    book with one column too short is an error on that column, not a NumPy
    broadcasting error.

    >>> import numpy as np
    >>> check_shapes({"entry": np.ones(3), "exit": np.ones(2)})
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'exit' must have a shape that broadcasts with 'entry' (3,) (got (2,))
    """
    shape: tuple[int, ...] | None = None
    first = ""
    for name, value in values.items():
        if isinstance(value, list | tuple) and not isinstance(value, str):
            value_shape = _numpy().shape(value)
        elif is_array(value):
            value_shape = tuple(value.shape)
        else:
            continue
        if shape is None:
            shape, first = value_shape, name
            continue
        try:
            shape = tuple(_numpy().broadcast_shapes(shape, value_shape))
        except ValueError:
            raise InputError(name, f"must have a shape that broadcasts with '{first}' {shape}",
                             value_shape) from None
    return shape
