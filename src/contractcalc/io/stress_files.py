"""The files of ``contractcalc stress``: scenario files in, the per-account table out.

A scenario file is JSON (a list of scenarios, or ``{"scenarios": [...]}``)::

    [{"name": "BTC -20 %, rest -10 %", "shock": -0.1, "shocks": {"BTC/USDT:USDT": -0.2}},
     {"name": "alts -30 %", "shocks": {"ETH/USDT:USDT": -0.3, "SOL/USDT:USDT": -0.3}, "weight": 0.5}]

(``shock``: the move of every symbol not in ``shocks``, default 0; ``weight``
default 1), or CSV / JSON lines with the columns ``scenario, symbol, shock``
(symbol ``*``: every other symbol) and an optional ``weight``.  Numbers are
kept exact (``Decimal``).

The output is written to a temporary file beside the target and renamed over
it once complete, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from contractcalc.errors import InputError
from contractcalc.io.books import file_format, read_table, write_table
from contractcalc.io.files import read_json

__all__ = ["MAX_SCENARIO_BYTES", "check_output", "read_scenarios", "write_output"]

#: Cap on a scenario file's size.
MAX_SCENARIO_BYTES = 4 * 1024 * 1024


def _number(text: Any, what: str) -> Decimal:
    if isinstance(text, bool):
        raise InputError("scenarios", f"{what} must be a number", text)
    try:
        value = Decimal(str(text).strip()) if not isinstance(text, Decimal) else text
    except InvalidOperation:
        raise InputError("scenarios", f"{what} must be a number", text) from None
    if not value.is_finite():
        raise InputError("scenarios", f"{what} must be a finite number", text)
    return value


def read_scenarios(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Scenarios as ``{"name", "shock", "shocks": {symbol: move}, "weight"}`` dicts (exact decimals).

    >>> read_scenarios("no-such.json")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'scenarios' must be a readable file (No such file or directory) (got 'no-such.json')
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        data = read_json(path, field="scenarios", max_bytes=MAX_SCENARIO_BYTES)
        if isinstance(data, Mapping):
            data = data.get("scenarios")
        if not isinstance(data, list):
            raise InputError("scenarios", "must be a JSON list of scenarios (or {\"scenarios\": [...]})", str(path))
        return [_scenario_object(k, item) for k, item in enumerate(data)]
    columns = read_table(path, field="scenarios", max_bytes=MAX_SCENARIO_BYTES)
    for name in ("scenario", "symbol", "shock"):
        if name not in columns:
            raise InputError("scenarios", f"must have the columns scenario, symbol, shock ('{name}' is missing)",
                             str(path))
    out: dict[str, dict[str, Any]] = {}
    weights = columns.get("weight")
    for k, (name, symbol, shock) in enumerate(zip(columns["scenario"], columns["symbol"], columns["shock"],
                                                  strict=True)):
        key = str(name).strip()
        if not key or name is None:
            raise InputError("scenarios", f"row {k + 1}: 'scenario' must be a name", name)
        scenario = out.setdefault(key, {"name": key, "shock": Decimal(0), "shocks": {}, "weight": Decimal(1)})
        move = _number(shock, f"row {k + 1}: 'shock'")
        if str(symbol).strip() == "*":
            scenario["shock"] = move
        else:
            scenario["shocks"][str(symbol).strip()] = move
        if weights is not None and weights[k] not in (None, ""):
            scenario["weight"] = _number(weights[k], f"row {k + 1}: 'weight'")
    return list(out.values())


def _scenario_object(k: int, item: Any) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise InputError("scenarios", f"item {k} must be an object with 'name' and 'shock' or 'shocks'",
                         type(item).__name__)
    name = item.get("name", f"scenario {k + 1}")
    shocks = item.get("shocks", {})
    if not isinstance(shocks, Mapping):
        raise InputError("scenarios", f"item {k}: 'shocks' must map symbols to moves", type(shocks).__name__)
    if "shock" not in item and not shocks:
        raise InputError("scenarios", f"item {k} must have 'shock' or 'shocks'", str(name))
    return {
        "name": str(name),
        "shock": _number(item.get("shock", 0), f"item {k}: 'shock'"),
        "shocks": {str(symbol): _number(move, f"item {k}: shock of {symbol}") for symbol, move in shocks.items()},
        "weight": _number(item.get("weight", 1), f"item {k}: 'weight'"),
    }


def check_output(path: str | os.PathLike[str]) -> None:
    """Refuse, before any work, an output that is not ``.csv``/``.parquet`` or whose folder does not exist."""
    kind = file_format(path, "output")
    if kind == "jsonl":
        raise InputError("output", "must be a .csv or .parquet file", str(path))
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise InputError("output", "must be in an existing folder", str(path))
    if Path(path).is_dir():
        raise InputError("output", "must be a file, not a folder", str(path))


def write_output(path: str | os.PathLike[str], columns: Mapping[str, Any]) -> None:
    """Write ``columns`` to ``path`` (CSV or Parquet) through a temporary file renamed over it when complete."""
    check_output(path)
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    try:
        write_table(temporary, columns, field="output")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
