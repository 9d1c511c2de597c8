"""An error in each interface's own words: CLI flags in the CLI, body fields in the API, never both.

The library names inputs by keyword (``'contract_size' needs 'contracts'``); a
few rules speak of flags (``give --accounts``).  The CLI shows every input it
names as a flag (``'--contract-size' needs '--contracts'``) and the value as the
user typed it (``1e400``, not ``1E+400``); the API shows every input as a body
field (``give 'accounts'``).  Shared by both interfaces (which never import
each other).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from contractcalc.core.typed_numbers import typed_number_or_none
from contractcalc.errors import InputError, format_value

__all__ = ["api_words", "cli_message", "flag"]

_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)")
_QUOTED = re.compile(r"'([a-z][a-z0-9_]*)'")
#: ``contractcalc <command> --flag ...``: a command line to run, quoted as it is typed.
_COMMAND_LINE = re.compile(r"contractcalc [a-z -]+(?: --[a-z-]+ \S+)*")


def flag(name: str) -> str:
    """The CLI flag of keyword ``name``: ``wallet_balance`` -> ``--wallet-balance``."""
    return "--" + name.replace("_", "-")


def api_words(text: str) -> str:
    """``text`` with every CLI flag as the body field it stands for (a command line to run is kept).

    >>> api_words("must be given (give --accounts, or --wallet-balance)")
    "must be given (give 'accounts', or 'wallet_balance')"
    >>> api_words("refresh it with: contractcalc tiers refresh --exchange bybit-linear --symbol BTCUSDT")
    'refresh it with: contractcalc tiers refresh --exchange bybit-linear --symbol BTCUSDT'
    """
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\0{len(kept) - 1}\0"

    text = _COMMAND_LINE.sub(keep, text)
    text = _FLAG.sub(lambda m: "'" + m.group(1).replace("-", "_") + "'", text)
    return re.sub("\0(\\d+)\0", lambda m: kept[int(m.group(1))], text)


def cli_message(error: InputError, fields: Iterable[str] = (), typed: Mapping[str, str] | None = None,
                lists: Iterable[str] = ()) -> str:
    """``error`` for the command line: its field and every other input it names as flags, its value as typed.

    ``fields``: the command's keywords (only those become flags: ``'long'`` stays a value);
    ``lists``: keywords whose rules speak of the items inside them (a file's columns,
    ``'side'`` of a position), whose quoted names are left alone; ``typed``: what the
    user typed for each keyword.

    >>> error = InputError("contract_size", "needs 'contracts'", Decimal("1E+400"))
    >>> cli_message(error, ["contracts", "contract_size"], {"contract_size": "1e400"})
    "'--contract-size' needs '--contracts' (got 1e400)"
    >>> cli_message(InputError("side", "must be 'long' or 'short'", "x"), ["side"])
    "'--side' must be 'long' or 'short' (got 'x')"
    """
    names = set(fields)
    label = f"'{flag(error.field)}'"
    message = error.message(label)
    rule = error.rule
    if error.field in names and error.field not in set(lists):
        rule = _QUOTED.sub(lambda m: f"'{flag(m.group(1))}'" if m.group(1) in names else m.group(0), rule)
    rest = message[len(label) + 1 + len(error.rule):]  # " (got <value><where>)" or ""
    value = getattr(error, "value", None)
    shown = _typed(value, (typed or {}).get(error.field))
    if shown is not None and rest.startswith(" (got " + format_value(value)):
        rest = " (got " + shown + rest[len(" (got " + format_value(value)):]
    return f"{label} {rule}{rest}"


def _typed(value: Any, typed: str | None) -> str | None:
    """The text typed for the field, when the error's value is the finite number parsed from it."""
    if typed is None or not isinstance(value, Decimal) or not value.is_finite():
        return None
    text = typed.strip()
    return text if typed_number_or_none(text, leverage=True) == value else None
