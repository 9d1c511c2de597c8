"""Bounded reading of the files a user names: the only place contractcalc opens one.

Every reader in :mod:`contractcalc.io` goes through :func:`read_bytes` (or
:func:`read_text` / :func:`read_json`), so every file path gets the same rules:

- only a regular file is read (a directory, FIFO, socket or device such as
  ``/dev/zero`` is refused before it is opened, so nothing blocks or grows);
- the size is capped (``max_bytes``), checked on ``stat`` and again while
  reading, so a file that grows under us cannot get past the cap;
- text must be UTF-8; JSON is parsed with exact decimals, integers of at most
  :data:`MAX_INTEGER_DIGITS` digits and bounded nesting, so a hostile file
  gives an :class:`~contractcalc.errors.InputError` naming the field, never a traceback, a hang or a ``RecursionError``.

>>> read_json("no-such-file.json", field="tiers")
Traceback (most recent call last):
...
contractcalc.errors.InputError: 'tiers' must be a readable file (No such file or directory) (got 'no-such-file.json')
"""

from __future__ import annotations

import json
import os
import stat
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from contractcalc.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["MAX_FILE_BYTES", "MAX_INTEGER_DIGITS", "parse_json", "read_bytes", "read_json",
           "read_text"]

#: Default cap on a file's size: tier tables and position lists are kilobytes;
#: candle and book files pass their own, larger cap.
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Longest JSON integer accepted (Python refuses to convert past 4,300 digits).
MAX_INTEGER_DIGITS = 400


def _describe(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_bytes(path: str | os.PathLike[str], *, field: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Raises :class:`InputError` on ``field`` for a missing or unreadable path,
    anything but a regular file, or a file larger than ``max_bytes``.
    """
    shown = str(path)
    try:
        info = os.stat(path)
    except OSError as error:
        raise InputError(field, f"must be a readable file ({error.strerror})", shown) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(field, f"must be a regular file (it is {_describe(info.st_mode)})", shown)
    if info.st_size > max_bytes:
        raise InputError(field, f"must be a file of at most {max_bytes:,} bytes (it has {info.st_size:,})", shown)
    try:
        # O_NONBLOCK: should the path be swapped for a FIFO after the stat, open does not block.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise InputError(field, f"must be a readable file ({error.strerror})", shown) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise InputError(field, "must be a regular file", shown)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(field, f"must be a file of at most {max_bytes:,} bytes", shown)
    return data


def read_text(path: str | os.PathLike[str], *, field: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of the regular file ``path`` (see :func:`read_bytes`)."""
    data = read_bytes(path, field=field, max_bytes=max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(field, "must be a UTF-8 text file (it is not UTF-8 text)", str(path)) from None


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer of {digits:,} digits (at most {MAX_INTEGER_DIGITS})")
    return int(text)


def parse_json(text: str, *, field: str, shown: str) -> Any:
    """JSON ``text`` with exact decimals; bad JSON is an :class:`InputError` on ``field``.

    >>> parse_json('{"rate": 0.1}', field="tiers", shown="x.json")
    {'rate': Decimal('0.1')}
    >>> parse_json("[" * 100_000, field="tiers", shown="x.json")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'tiers' must be JSON nested less deeply (got 'x.json')
    """
    try:
        return json.loads(text, parse_float=Decimal, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise InputError(field, f"must be valid JSON ({error.msg} at line {error.lineno} column {error.colno})",
                         shown) from None
    except ValueError as error:  # from _bounded_int / _no_constant
        raise InputError(field, f"must be valid JSON without {error}", shown) from None
    except RecursionError:  # the C scanner's recursion guard: thousands of nested brackets
        raise InputError(field, "must be JSON nested less deeply", shown) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} (JSON has no such number)")


def read_json(path: str | os.PathLike[str], *, field: str, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """The JSON document in the regular file ``path``: exact decimals, bounded size, depth and integers."""
    return parse_json(read_text(path, field=field, max_bytes=max_bytes), field=field, shown=str(path))


def as_path(source: Any) -> Path | None:
    """``source`` as a :class:`~pathlib.Path` when it names a file, else ``None``."""
    from pathlib import Path  # here: pathlib costs a CLI answer ~3 ms to import

    if isinstance(source, Path):
        return source
    if isinstance(source, str):
        return Path(source)
    return None
