"""Numbers as traders type them: ``50%``, ``0.05 %``, ``1,000``, ``1_000``, ``20x``.

One parser for every interface (the CLI's options, the JSON API's fields, the
page's inputs, which send the text as typed): what is accepted, and what the
error says, is the same everywhere.  A percentage is read as the fraction it
names (``50%`` is ``0.5``), so answers stay fractions whatever was typed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from contractcalc.errors import InputError

__all__ = ["parse_typed_number", "typed_number_or_none"]

#: Thousands separated by commas: 1,000 or 12,345,678.9 (groups of exactly three digits).
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_LEVERAGE_SUFFIX = re.compile(r"^(.*?)\s*[x×]$", re.IGNORECASE)


def typed_number_or_none(text: str, *, leverage: bool = False) -> Decimal | None:
    """The ``Decimal`` that ``text`` names, or ``None`` when it names no number.

    >>> typed_number_or_none("50%"), typed_number_or_none("0.05 %"), typed_number_or_none("1,000")
    (Decimal('0.5'), Decimal('0.0005'), Decimal('1000'))
    >>> typed_number_or_none("20x", leverage=True), typed_number_or_none("1_000.5")
    (Decimal('20'), Decimal('1000.5'))
    >>> typed_number_or_none("0,5") is None  # a decimal comma is ambiguous: refused
    True
    """
    body = text.strip()
    percent = body.endswith("%")
    if percent:
        body = body[:-1].rstrip()
    elif leverage:
        match = _LEVERAGE_SUFFIX.match(body)
        if match:
            body = match.group(1)
    if "," in body:
        if not _GROUPED.match(body):
            return None
        body = body.replace(",", "")
    body = body.replace("_", "")
    if not body:
        return None
    try:  # NaN and Infinity are numbers here: the library names them ('must be finite')
        value = Decimal(body)
    except InvalidOperation:
        return None
    return value / 100 if percent else value


def parse_typed_number(field: str, text: str) -> Decimal:
    """``text`` as a number for ``field``; an :class:`InputError` naming ``field`` when it is none.

    A ``%`` divides by 100 (``'risk_rate'`` ``1%`` is 0.01); a field whose name holds
    ``leverage`` also takes a trailing ``x`` (``20x``).

    >>> parse_typed_number("risk_rate", "1%")
    Decimal('0.01')
    >>> parse_typed_number("entry", "60,000.5")
    Decimal('60000.5')
    >>> parse_typed_number("entry", "abc")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'entry' must be a number (got 'abc')
    """
    value = typed_number_or_none(text, leverage="leverage" in field)
    if value is None:
        raise InputError(field, "must be a number", text)
    return value
