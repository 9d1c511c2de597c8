"""Fresh tier tables from the exchange, through ccxt: ``contractcalc tiers refresh``.

ccxt (the optional extra ``contractcalc[ccxt]``) fetches an exchange's leverage
tiers in its unified shape (``fetch_leverage_tiers()``).  Here the maintenance
amount is completed where the exchange leaves it out (Binance sends ``cum``,
Bybit sends its "MM deduction" only on some markets, OKX none) by the
recurrence ``cum_k = cum_(k-1) + floor_k × (MMR_k − MMR_(k-1))``, and the
tables are written as a versioned JSON document::

    {"contractcalc_tiers": 1, "exchange": "binance-usdm", "fetched_at": "2026-12-01T06:00:00Z",
     "source": "ccxt 4.5.90 binanceusdm.fetch_leverage_tiers", "tiers": {"BTC/USDT:USDT": [...]}}

which :func:`contractcalc.venues.tiers.table_from_data` reads like a shipped
table (its date is the ``fetched_at`` day).  Written beside the shipped tables,
named ``<exchange>-<SYMBOL>-<YYYY-MM-DD>.json``, it becomes a preset of that
name, newest first.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from contractcalc.errors import InputError
from contractcalc.venues.exchanges import EXCHANGES, exchange_preset
from contractcalc.venues.tiers import (
    TIER_DOCUMENT_VERSION,
    _compact_symbol,
    complete_maintenance_amounts,
    table_from_data,
)

__all__ = [
    "CCXT_IDS",
    "complete_tiers",
    "fetch_tiers",
    "refresh_tiers",
    "shipped_tiers_dir",
    "tier_document",
    "write_tier_document",
]

#: The ccxt exchange (and its market type) behind each preset.
CCXT_IDS: dict[str, tuple[str, dict[str, Any]]] = {
    "binance-usdm": ("binanceusdm", {}),
    "binance-coinm": ("binancecoinm", {}),
    "bybit-linear": ("bybit", {"options": {"defaultType": "swap", "defaultSubType": "linear"}}),
    "bybit-inverse": ("bybit", {"options": {"defaultType": "swap", "defaultSubType": "inverse"}}),
    "okx-linear": ("okx", {"options": {"defaultType": "swap"}}),
    "okx-inverse": ("okx", {"options": {"defaultType": "swap"}}),
    "hyperliquid": ("hyperliquid", {}),
}

#: Where the exchange puts the maintenance amount in a tier's raw ``info``, if it sends one.
_AMOUNT_KEYS = ("cum", "mmDeduction")


def ccxt_client(exchange: str, config: Mapping[str, Any] | None = None) -> Any:
    """A ccxt client for the preset ``exchange`` (keys, if the endpoint needs them, in ``config``)."""
    preset = exchange_preset(exchange)
    try:
        import ccxt  # type: ignore[import-untyped]
    except ImportError:
        raise InputError("exchange", "needs ccxt to refresh tiers: pip install 'contractcalc[ccxt]'",
                         preset.name) from None
    name, defaults = CCXT_IDS[preset.name]
    settings: dict[str, Any] = {**defaults, **(config or {})}
    # Binance's brackets are a signed endpoint: keys from the environment, never from a flag (shell history)
    for key, variable in (("apiKey", "CCXT_API_KEY"), ("secret", "CCXT_SECRET")):
        if os.environ.get(variable) and key not in settings:
            settings[key] = os.environ[variable]
    return getattr(ccxt, name)(settings)


def fetch_tiers(client: Any, symbols: Sequence[str] | None) -> dict[str, list[dict[str, Any]]]:
    """ccxt's unified tiers for ``symbols`` (all the exchange lists when ``None``).

    Bybit and OKX answer one market at a time (their all-markets call pages through every
    market), so named symbols are fetched one by one there; Binance sends all in one call.
    """
    has = getattr(client, "has", {}) or {}
    one_by_one = has.get("fetchMarketLeverageTiers") and (
        getattr(client, "id", "") in ("bybit", "okx") or not has.get("fetchLeverageTiers"))
    if symbols and one_by_one:
        return {symbol: list(client.fetch_market_leverage_tiers(symbol)) for symbol in symbols}
    tiers = client.fetch_leverage_tiers(list(symbols) if symbols else None)
    return {str(symbol): list(value) for symbol, value in tiers.items()}


def _number(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def complete_tiers(raw: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One symbol's tiers, in order, with ``info.cum`` the exchange's amount or the recurrence's.

    Bybit's BTCUSDT risk limits (bybit-linear-BTCUSDT, tiers 1-3: 0.5 % to 2,000,000, 0.56 % to
    2,600,000, 0.63 %): the MM deduction of tier 3 is 2,000,000 × 0.06 % + 2,600,000 × 0.07 % = 3,020.

    >>> tiers = complete_tiers([
    ...     {"tier": 1, "minNotional": 0, "maxNotional": 2000000, "maintenanceMarginRate": 0.005, "info": {}},
    ...     {"tier": 2, "minNotional": 2000000, "maxNotional": 2600000, "maintenanceMarginRate": 0.0056, "info": {}},
    ...     {"tier": 3, "minNotional": 2600000, "maxNotional": 3200000, "maintenanceMarginRate": 0.0063, "info": {}}])
    >>> [t["info"]["cum"] for t in tiers]
    [0, 1200, 3020]
    """
    ordered = sorted(raw, key=lambda t: (_number(t.get("minNotional")) or Decimal(0)))
    floors = [_number(t.get("minNotional")) or Decimal(0) for t in ordered]
    rates = [_number(t.get("maintenanceMarginRate")) or Decimal(0) for t in ordered]
    given: list[Decimal | None] = []
    for tier in ordered:
        raw_info = tier.get("info")
        info: Mapping[str, Any] = raw_info if isinstance(raw_info, Mapping) else {}
        amount = next((_number(info.get(key)) for key in _AMOUNT_KEYS if _number(info.get(key)) is not None), None)
        given.append(amount)
    amounts = complete_maintenance_amounts(floors, rates, given)
    out: list[dict[str, Any]] = []
    for tier, amount in zip(ordered, amounts, strict=True):
        kept: dict[str, Any] = dict(tier["info"]) if isinstance(tier.get("info"), Mapping) else {}
        kept["cum"] = _plain(amount)
        out.append({
            "tier": _plain(_number(tier.get("tier")) or Decimal(len(out) + 1)),
            "currency": tier.get("currency"),
            "minNotional": _plain(_number(tier.get("minNotional")) or Decimal(0)),
            "maxNotional": _plain(_number(tier.get("maxNotional"))),
            "maintenanceMarginRate": _plain(_number(tier.get("maintenanceMarginRate"))),
            "maxLeverage": _plain(_number(tier.get("maxLeverage"))),
            "info": kept,
        })
    return out


def _plain(value: Decimal | None) -> int | float | None:
    """A JSON number: whole values as integers, the rest as the nearest double."""
    if value is None:
        return None
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def tier_document(exchange: str, tiers: Mapping[str, Sequence[Mapping[str, Any]]], *, fetched_at: datetime,
                  source: str) -> dict[str, Any]:
    """The versioned JSON document for ``tiers`` (each symbol completed and checked)."""
    completed = {symbol: complete_tiers(raw) for symbol, raw in tiers.items() if raw}
    if not completed:
        raise InputError("symbol", "has no leverage tiers on the exchange", ", ".join(tiers) or None)
    for symbol in completed:
        table_from_data(completed, symbol)  # the same checks as a shipped table
    return {
        "contractcalc_tiers": TIER_DOCUMENT_VERSION,
        "exchange": exchange,
        "fetched_at": fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": source,
        "tiers": completed,
    }


def shipped_tiers_dir() -> Path:
    """The directory of the shipped tables (where a refreshed table becomes a preset)."""
    return Path(str(resources.files("contractcalc.venues").joinpath("data", "tiers")))


def _file_name(document: Mapping[str, Any]) -> str:
    symbols = list(document["tiers"])
    label = _compact_symbol(symbols[0]) if len(symbols) == 1 else f"{len(symbols)}-symbols"
    day = str(document["fetched_at"])[:10]
    return f"{document['exchange']}-{re.sub(r'[^A-Za-z0-9]', '', label) or 'tiers'}-{day}.json"


def write_tier_document(document: Mapping[str, Any], directory: str | Path | None = None) -> Path:
    """Write ``document`` as ``<exchange>-<SYMBOL>-<YYYY-MM-DD>.json`` in ``directory``.

    The default directory is the shipped tables' own, where the file becomes a preset.
    """
    folder = Path(directory) if directory is not None else shipped_tiers_dir()
    if not folder.is_dir():
        raise InputError("out", "must be an existing directory", str(folder))
    path = folder / _file_name(document)
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return path


def refresh_tiers(
    exchange: str,
    symbols: Sequence[str] | None = None,
    *,
    client: Any = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Any]:
    """Fetch ``exchange``'s tiers for ``symbols`` through ccxt and return the versioned document."""
    preset = exchange_preset(exchange)
    if preset.name not in CCXT_IDS:
        raise InputError("exchange", f"must be one of {', '.join(EXCHANGES)}", exchange)
    client = client if client is not None else ccxt_client(preset.name)
    try:
        tiers = fetch_tiers(client, symbols)
    except Exception as error:  # ccxt's network and exchange errors: one line for the user
        if isinstance(error, InputError):
            raise
        name = type(error).__name__
        raise InputError("exchange", f"did not give its tiers ({name}: {str(error)[:160]})", preset.name) from None
    version = getattr(client, "version", None) or _ccxt_version()
    source = f"ccxt {version} {getattr(client, 'id', '?')}.fetch_leverage_tiers"
    return tier_document(preset.name, tiers, fetched_at=now(), source=source)


def _ccxt_version() -> str:
    try:
        import ccxt
    except ImportError:  # pragma: no cover - a client was given, so ccxt may be absent
        return "?"
    return str(getattr(ccxt, "__version__", "?"))
