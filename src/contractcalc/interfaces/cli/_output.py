"""Turning typed text into numbers and results into a table or one JSON object.

The CLI computes in ``Decimal`` from the strings the user typed, so 1200/1000 − 1
prints as 0.2, not 0.19999999999999996.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from contractcalc.core.typed_numbers import parse_typed_number
from contractcalc.errors import InputError
from contractcalc.interfaces._json import json_number, to_jsonable
from contractcalc.interfaces.schema import PERCENT_SUFFIXES

__all__ = ["emit", "format_readable", "json_number", "parse_number", "require_number", "stop_warning", "to_jsonable"]

SIGNIFICANT_DIGITS = 12


def parse_number(field: str, text: str | Decimal | None) -> Decimal | None:
    """The ``Decimal`` the user typed for ``field``; ``None`` stays ``None``.

    The library validates ranges; here only "is it a number at all".
    """
    if text is None or isinstance(text, Decimal):
        return text
    # as traders type it: 50%, 0.05 %, 1,000, 20x (core.typed_numbers, shared with the API)
    try:
        return parse_typed_number(field, text)
    except InputError:
        # nan and inf are numbers the library refuses in its own words ("must be finite")
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            value = Decimal(0)
        if not value.is_finite():
            return value
        raise


def require_number(field: str, text: str | Decimal | None) -> Decimal:
    """Like :func:`parse_number`, for an option that must be given."""
    value = parse_number(field, text)
    if value is None:
        raise InputError(field, "is required")
    return value


def format_readable(key: str, value: Any) -> str:
    """A value for people: at most 12 significant digits, no exponent, percent for rates."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int) and not isinstance(value, bool):
        value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not isinstance(value, Decimal):
        return str(value)
    text = _plain(value)
    if key.endswith(PERCENT_SUFFIXES):
        text += f"  ({_plain(value * 100)} %)"
    return text


#: Beyond this many digits before (or zeros after) the point a value is shown with an exponent.
PLAIN_DIGITS = 21


def _plain(value: Decimal) -> str:
    if value == 0:
        return "0"
    if not value.is_finite():
        return str(value)
    if abs(value.adjusted()) >= PLAIN_DIGITS:  # 1e308 or 1e-400: digits nobody reads, and beyond 28-digit rounding
        mantissa, _, exponent = format(value, f".{SIGNIFICANT_DIGITS - 1}e").partition("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent):+d}"
    with localcontext() as context:
        context.prec = 2 * PLAIN_DIGITS + SIGNIFICANT_DIGITS
        rounded = round(value, max(0, SIGNIFICANT_DIGITS - value.adjusted() - 1))
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def render(*parts: Any, min_width: int = 0) -> str:
    """Rich tables and plain lines (notes) rendered to one string, as the terminal would show them.

    Commands render their whole output first and write it at once: an error found while
    formatting (a value out of range) then leaves nothing half-printed.
    """
    from rich.console import Console

    # emoji=False: our texts hold no :emoji: codes (a symbol such as X:USDT: must stay as typed), and
    # Rich's table of emoji names costs every table ~3 ms to load
    console = Console(emoji=False)
    if min_width:
        console.width = max(console.width, min_width)
    with console.capture() as captured:
        for part in parts:
            if isinstance(part, str):
                console.print(part, markup=False, highlight=False)
            else:
                console.print(part)
    return captured.get()


def write(text: str) -> None:
    """Write finished output to stdout."""
    sys.stdout.write(text)
    sys.stdout.flush()


def emit(
    result: Mapping[str, Any],
    *,
    as_json: bool,
    title: str,
    notes: Iterable[str] = (),
    labels: Mapping[str, str] | None = None,
) -> None:
    """Print ``result`` as exactly one JSON object, or as a Rich table with notes."""
    if as_json:
        import json  # here: a table answer does without it

        try:
            text = json.dumps(to_jsonable(result), allow_nan=False)
        except ValueError:  # 1/1e-400 is a Decimal, but no JSON number (a double) holds it
            raise OverflowError("a result is beyond the range of a JSON number") from None
        sys.stdout.write(text + "\n")
        return
    from rich.table import Table

    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("result")
    table.add_column("value", justify="right")
    if labels:
        table.add_column("meaning")
    for key, value in result.items():
        row = [key, format_readable(key, value)]
        if labels:
            row.append(labels.get(key, ""))
        table.add_row(*row)
    write(render(table, *notes))


def stop_warning(result: Mapping[str, Any], exchange: str | None) -> str | None:
    """The warning when the exchange liquidates before the stop (``stop_before_liquidation_exact`` false)."""
    if result.get("stop_before_liquidation_exact") is not False:
        return None
    return (f"WARNING: on {exchange} the position is liquidated before the stop; use at most "
            f"{format_readable('', result['max_leverage_for_stop'])}x.")
