"""Tier tables from a file, a shipped preset name or a mapping.

The file-reading half of :func:`contractcalc.venues.tiers.load_tiers`: a path
is read with :func:`contractcalc.io.files.read_json` (a regular file only, at
most :data:`MAX_TIER_FILE_BYTES`, UTF-8, JSON with exact decimals, bounded
integers and nesting), so ``--tiers /dev/zero``, a FIFO, a directory, a 50 MB
file or 100,000 nested ``[`` are one clear :class:`~contractcalc.errors.InputError`
on ``tiers``, at once.  The parsed data is checked by
:func:`contractcalc.venues.tiers.table_from_data`.

>>> load_tiers("/dev/zero")
Traceback (most recent call last):
...
contractcalc.errors.InputError: 'tiers' must be a regular file (it is a device) (got '/dev/zero')
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from contractcalc.errors import InputError
from contractcalc.io.files import read_json
from contractcalc.venues.tiers import PRESET_TABLES, TierTable, table_from_data
from contractcalc.venues.tiers import load_tiers as load_preset_or_mapping

__all__ = ["MAX_TIER_FILE_BYTES", "load_tiers"]

#: Cap on a tier file: a whole exchange's ``fetch_leverage_tiers()`` (hundreds of
#: symbols, ~10 tiers each) is a few megabytes.
MAX_TIER_FILE_BYTES = 8 * 1024 * 1024

#: The bounded reader's words, in the tier file's terms (a preset name is the other choice).
_REWORDED = (
    ("must be a readable file", "must be a readable JSON file or a preset"),
    ("must be a UTF-8 text file (it is not UTF-8 text)", "must be a JSON file in UTF-8 (or a preset)"),
)


def load_tiers(tiers: str | os.PathLike[str] | Mapping[str, Any], symbol: str | None = None) -> TierTable:
    """A :class:`~contractcalc.venues.tiers.TierTable` from a preset name, a JSON file or a mapping.

    >>> load_tiers("binance-usdm-BTCUSDT-2021-03-18").as_of
    '2021-03-18'
    """
    if isinstance(tiers, TierTable):
        return tiers
    if isinstance(tiers, str) and tiers in PRESET_TABLES:
        return load_preset_or_mapping(tiers, symbol)
    if isinstance(tiers, str | os.PathLike):
        from pathlib import Path  # here: a preset name (the usual case) needs no pathlib

        path = str(Path(tiers))
        data = _read(path)
        return table_from_data(data, symbol, source=path)
    return load_preset_or_mapping(tiers, symbol)


def _read(path: str) -> Any:
    try:
        return read_json(path, field="tiers", max_bytes=MAX_TIER_FILE_BYTES)
    except InputError as error:
        rule = error.rule
        for old, new in _REWORDED:
            if rule.startswith(old):
                rule = new + rule[len(old):]
                break
        raise InputError("tiers", rule, error.value, where=error.where) from None
