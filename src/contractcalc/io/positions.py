"""ccxt positions (the list ``fetch_positions()`` returns) as validated :class:`Position` items.

Each item is read by name, scalars only: a list or object where a number or a
name goes (``"contracts": [1, 2]``) is an :class:`~contractcalc.errors.InputError`
on ``positions`` naming the item and the key, in the library, the CLI and the
HTTP API alike.  ccxt's own names are read as ccxt writes them:

==============================  =====================================================================
key                             read as
==============================  =====================================================================
``symbol``, ``side``            the market and ``long`` / ``short`` (or +1 / −1)
``contracts``, ``contractSize`` the size (``contractSize`` defaults to the exchange's for the symbol)
``entryPrice``, ``markPrice``   prices (> 0)
``maintenanceMarginRate``       the tier's rate; ccxt writes it as ``maintenanceMarginPercentage``
                                (a fraction, ``maintenanceMargin / notional``, despite the name)
``maintenanceAmount``           the tier's amount (Binance ``cum``), default 0
``leverage``                    leverage (checked against the tier's cap)
``marginMode``                  ``cross`` or ``isolated`` (ccxt); default cross
``collateral``                  an isolated position's collateral, PnL included (ccxt); its margin is
                                ``collateral − unrealized PnL at the mark``
``initialMargin``               an isolated position's margin when ccxt gives no ``collateral``
``notional``                    kept for comparison (ccxt signs it on some exchanges)
``liquidationPrice``            the exchange's own price, kept for comparison (``reconcile``)
==============================  =====================================================================

A list holds at most :data:`MAX_POSITIONS` items, and at most one long and
one short leg per symbol among the cross positions (hedge mode).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from contractcalc.core.numeric import number, side_sign
from contractcalc.errors import InputError
from contractcalc.io.files import read_json

__all__ = ["MAX_POSITIONS", "POSITION_FIELDS", "Position", "check_legs", "load_positions", "read_positions"]

#: Most positions one list may hold (a bot's account, not a book: books go through ``--book``).
MAX_POSITIONS = 10_000

#: The ccxt position keys read, and whether each is required.
POSITION_FIELDS = {
    "symbol": True,
    "side": True,
    "contracts": True,
    "contractSize": False,
    "entryPrice": True,
    "markPrice": True,
    "maintenanceMarginRate": False,
    "maintenanceMarginPercentage": False,
    "maintenanceAmount": False,
    "leverage": False,
    "marginMode": False,
    "collateral": False,
    "initialMargin": False,
    "notional": False,
    "liquidationPrice": False,
}
_POSITIVE = ("contracts", "contractSize", "entryPrice", "markPrice", "leverage")
_NONNEGATIVE = ("maintenanceAmount", "collateral", "initialMargin", "liquidationPrice")


@dataclass(frozen=True)
class Position:
    """One ccxt position, validated: scalars only, numbers finite (``Decimal`` when the source was exact)."""

    symbol: str
    side: str  # 'long' or 'short'
    contracts: Any
    entry_price: Any
    mark_price: Any
    contract_size: Any = None
    maintenance_margin_rate: Any = None
    maintenance_amount: Any = None
    leverage: Any = None
    margin_mode: str = "cross"
    collateral: Any = None
    initial_margin: Any = None
    notional: Any = None
    liquidation_price: Any = None


def _item_error(k: int, key: str, rule: str, value: Any = None) -> InputError:
    return InputError("positions", f"item {k}: '{key}' {rule}", value)


def _plain(value: Any) -> Any:
    """A rejected list or object shown as typed: JSON numbers (read as Decimal) as plain numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _number(k: int, key: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise _item_error(k, key, "must be a number", _plain(value))
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise _item_error(k, key, "must be a number", value) from None
    try:
        return number(key, value)
    except InputError as error:
        raise _item_error(k, key, error.rule, value) from None
    except OverflowError:  # a JSON integer too large for a float
        digits = f"{len(str(value))}-digit integer"
        raise _item_error(k, key, "must be finite (too large for a float)", digits) from None


def _item(k: int, item: Mapping[str, Any]) -> Position:
    values: dict[str, Any] = {}
    for key, required in POSITION_FIELDS.items():
        value = item.get(key)
        if value is None:
            if required:
                raise _item_error(k, key, "is required")
            continue
        if key == "symbol":
            if not isinstance(value, str) or not value.strip():
                raise _item_error(k, key, "must be a symbol such as 'BTC/USDT:USDT'", value)
            values[key] = value.strip()
        elif key == "side":
            try:
                if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
                    raise InputError(key, "must be 'long' or 'short'", value)
                values[key] = "long" if side_sign(value) > 0 else "short"
            except InputError:
                raise _item_error(k, key, "must be 'long' or 'short'", value) from None
        elif key == "marginMode":
            mode = value.strip().lower() if isinstance(value, str) else None
            if mode not in ("cross", "isolated"):
                raise _item_error(k, key, "must be 'cross' or 'isolated'", value)
            values[key] = mode
        else:
            values[key] = _number(k, key, value)
    for key in _POSITIVE:
        if key in values and not values[key] > 0:
            raise _item_error(k, key, "must be > 0", values[key])
    for key in _NONNEGATIVE:
        if key in values and values[key] < 0:
            raise _item_error(k, key, "must be >= 0", values[key])
    rate = values.get("maintenanceMarginRate", values.get("maintenanceMarginPercentage"))
    if rate is not None and not 0 <= rate < 1:
        key = "maintenanceMarginRate" if "maintenanceMarginRate" in values else "maintenanceMarginPercentage"
        raise _item_error(k, key, "must be >= 0 and < 1", rate)
    return Position(
        symbol=values["symbol"],
        side=values["side"],
        contracts=values["contracts"],
        entry_price=values["entryPrice"],
        mark_price=values["markPrice"],
        contract_size=values.get("contractSize"),
        maintenance_margin_rate=rate,
        maintenance_amount=values.get("maintenanceAmount"),
        leverage=values.get("leverage"),
        margin_mode=values.get("marginMode", "cross"),
        collateral=values.get("collateral"),
        initial_margin=values.get("initialMargin"),
        notional=values.get("notional"),
        liquidation_price=values.get("liquidationPrice"),
    )


def read_positions(path: str | os.PathLike[str]) -> list[Any]:
    """The JSON list in a positions file, read through :mod:`contractcalc.io.files` (numbers exact)."""
    try:
        data = read_json(path, field="positions")
    except InputError as error:
        rule = error.rule.replace("must be a readable file", "must be a readable JSON file").replace(
            "must be a UTF-8 text file", "must be a UTF-8 JSON file")
        raise InputError("positions", rule, error.value) from None
    return data  # type: ignore[no-any-return]


def load_positions(source: str | Path | Sequence[Mapping[str, Any]]) -> list[Position]:
    """Validated :class:`Position` items from a ccxt positions JSON file or a list of dicts.

    >>> load_positions([{"symbol": "BTC/USDT:USDT", "side": "long", "contracts": [1, 2],
    ...                  "entryPrice": 60000, "markPrice": 60000}])
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'positions' item 0: 'contracts' must be a number (got [1, 2])
    >>> load_positions("no-such-file.json")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'positions' must be a readable JSON file (...) (got 'no-such-file.json')
    """
    data: Any = read_positions(source) if isinstance(source, str | Path) else source
    if isinstance(data, Mapping | str | bytes) or not isinstance(data, Sequence):
        raise InputError("positions", "must be a JSON list of positions (ccxt fetch_positions shape)",
                         type(data).__name__)
    if not data:
        raise InputError("positions", "must hold at least one position", "[]")
    if len(data) > MAX_POSITIONS:
        raise InputError("positions", f"must hold at most {MAX_POSITIONS:,} positions (give a book with --book)",
                         f"{len(data):,} positions")
    items = []
    for k, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise InputError("positions", f"item {k} must be a position object", type(item).__name__)
        items.append(_item(k, item))
    return items


def check_legs(items: Sequence[Position]) -> None:
    """At most one long and one short leg per symbol among the cross items, with one mark (hedge mode)."""
    legs: dict[tuple[str, str], int] = {}
    marks: dict[str, int] = {}
    for k, position in enumerate(items):
        if position.margin_mode != "cross":
            continue
        first = marks.setdefault(position.symbol, k)
        if position.mark_price != items[first].mark_price:
            raise _item_error(k, "markPrice", f"must equal the mark of item {first} (the legs of one symbol move "
                              "with one mark)", position.mark_price)
        other = legs.setdefault((position.symbol, position.side), k)
        if other != k:
            raise _item_error(k, "side", f"must leave at most one {position.side} leg per symbol (item {other} is "
                              "one; hedge mode holds one long and one short)", position.side)
