"""Maintenance-margin tier tables ("brackets", "risk limits") in ccxt's shape.

A table is what ccxt's ``fetch_leverage_tiers()`` returns: ``{symbol: [tier, ...]}``
with each tier ``{tier, currency, minNotional, maxNotional,
maintenanceMarginRate, maxLeverage, info}`` and the maintenance amount (Binance
``cum``, Bybit "MM deduction") in ``info.cum``.  A tier holds notionals
``minNotional <= notional < maxNotional``; the last tier also holds its upper
bound, and may have none (``"maxNotional": null``: Hyperliquid's top tier is
"> 150M", open-ended).

Maintenance margin of a position in a tier: ``notional × MMR − cum``.  A
missing ``cum`` is completed by the recurrence (``shared/reference/formulas.md``)::

    cum_1 = 0,  cum_k = cum_(k−1) + minNotional_k × (MMR_k − MMR_(k−1))

Tier values are kept as exact ``Decimal`` (JSON is parsed with
``parse_float=Decimal``) and converted to the caller's number type with
:func:`contractcalc._numeric.constant_like` when used in a formula.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from contractcalc.core.numeric import Num, constant_like, is_array, number
from contractcalc.errors import InputError, TierCapExceeded

__all__ = [
    "PRESET_TABLES",
    "Tier",
    "TierPreset",
    "TierTable",
    "complete_maintenance_amounts",
    "load_tiers",
    "preset_table",
    "preset_tables_for",
    "table_from_data",
]


@dataclass(frozen=True)
class Tier:
    """One tier: its notional range, maintenance margin rate and amount, and leverage cap."""

    tier: int
    min_notional: Decimal
    max_notional: Decimal
    maintenance_margin_rate: Decimal
    max_leverage: Decimal
    maintenance_amount: Decimal

    def describe(self) -> str:
        """``tier 3 (250000–1000000 USDT notional, max 50x)``-style text for messages."""
        if self.max_notional.is_infinite():
            return f"tier {self.tier} (notional from {_plain(self.min_notional)}, max {_plain(self.max_leverage)}x)"
        return (
            f"tier {self.tier} (notional {_plain(self.min_notional)}–{_plain(self.max_notional)}, "
            f"max {_plain(self.max_leverage)}x)"
        )


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True)
class TierTable:
    """The tiers of one symbol, in ascending notional order."""

    symbol: str
    currency: str
    tiers: tuple[Tier, ...]
    source: str = ""
    as_of: str = ""

    def __post_init__(self) -> None:
        if not self.tiers:
            raise InputError("tiers", "must hold at least one tier", self.symbol)

    @property
    def max_notional(self) -> Decimal:
        """The largest notional any tier holds."""
        return self.tiers[-1].max_notional

    def index_for_notional(self, notional: Num) -> Any:
        """0-based index of the tier holding ``notional`` (arrays give an int array).

        >>> table = load_tiers(Y23_TIERS, "X")
        >>> table.index_for_notional(3500)
        3
        >>> table.tiers[table.index_for_notional(3500)].maintenance_margin_rate
        Decimal('0.035')
        """
        notional = number("notional", notional)
        self.check_notional(notional)
        floors = [tier.min_notional for tier in self.tiers[1:]]
        if is_array(notional):
            import numpy as np

            return np.searchsorted(np.array(floors, dtype=float), notional, side="right")
        return sum(1 for floor in floors if notional >= floor)

    def tier_for_notional(self, notional: Num) -> Tier:
        """The tier holding a scalar ``notional``."""
        return self.tiers[int(self.index_for_notional(notional))]

    def check_notional(self, notional: Num) -> None:
        """Raise when ``notional`` is negative or beyond the last tier."""
        top = constant_like(self.max_notional, notional)
        inside = (notional >= 0) & (notional <= top) if is_array(notional) else 0 <= notional <= top
        if not (inside.all() if is_array(inside) else inside):
            raise TierCapExceeded(
                "notional",
                f"must be within the tier table of {self.symbol} (0 to {_plain(self.max_notional)})",
                notional if not is_array(notional) else "an array with values outside",
            )

    def check_leverage(self, leverage: Num, notional: Num) -> None:
        """Raise when ``leverage`` exceeds the cap of the tier holding ``notional``.

        >>> table = load_tiers(Y23_TIERS, "X")
        >>> table.check_leverage(60, 3500)
        Traceback (most recent call last):
        ...
        contractcalc.errors.TierCapExceeded: 'leverage' must be <= 25, the cap of tier 4 (notional 3000–4000, ...
        """
        if is_array(leverage) or is_array(notional):
            import numpy as np

            caps = np.array([float(t.max_leverage) for t in self.tiers])
            index = self.index_for_notional(notional)
            over = np.asarray(leverage > caps[index])
            if over.any():
                position = np.unravel_index(int(np.argmax(over)), over.shape)
                tier = self.tiers[int(np.broadcast_to(index, over.shape)[position])]
                value = np.broadcast_to(leverage, over.shape)[position]
                raise TierCapExceeded(
                    "leverage",
                    f"must be <= {_plain(tier.max_leverage)}, the cap of {tier.describe()}",
                    value.item(),
                    tuple(int(p) for p in position),
                )
            return
        tier = self.tier_for_notional(notional)
        if leverage > constant_like(tier.max_leverage, leverage):
            raise TierCapExceeded(
                "leverage",
                f"must be <= {_plain(tier.max_leverage)}, the cap of {tier.describe()}",
                leverage,
            )


def _decimal(field: str, value: Any, where: str = "") -> Decimal:
    """A tier value as ``Decimal``; errors name the ``tiers`` input (``where`` locates the tier)."""
    label = f"{where}'{field}'"
    if isinstance(value, bool) or value is None:
        raise InputError("tiers", f"{label} must be a number", value)
    try:
        result = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        raise InputError("tiers", f"{label} must be a number", value) from None
    if not result.is_finite() or result < 0:
        raise InputError("tiers", f"{label} must be a finite number >= 0", value)
    return result


def complete_maintenance_amounts(
    floors: Sequence[Decimal], rates: Sequence[Decimal], amounts: Sequence[Decimal | None]
) -> list[Decimal]:
    """Fill in missing maintenance amounts (``cum``) by the recurrence.

    Binance's 2021 BTCUSDT table (examples.md B7): tier 3 has cum
    250,000 × (1 % − 0.5 %) + 50 = 1,300.

    >>> D = Decimal
    >>> complete_maintenance_amounts(
    ...     [D(0), D(50000), D(250000)], [D("0.004"), D("0.005"), D("0.01")], [None, None, None])
    [Decimal('0'), Decimal('50.000'), Decimal('1300.000')]
    """
    result: list[Decimal] = []
    for k, (floor, rate, given) in enumerate(zip(floors, rates, amounts, strict=True)):
        if given is not None:
            result.append(given)
        elif k == 0:
            result.append(Decimal(0))
        else:
            result.append(result[-1] + floor * (rate - rates[k - 1]))
    return result


def _parse_table(symbol: str, raw_tiers: Any, source: str, as_of: str) -> TierTable:
    if not isinstance(raw_tiers, list) or not raw_tiers:
        raise InputError("tiers", f"must be a non-empty list of tiers for {symbol}", type(raw_tiers).__name__)
    for position, raw in enumerate(raw_tiers, start=1):
        if not isinstance(raw, Mapping):
            raise InputError("tiers", f"must hold tier objects for {symbol}", raw, where=f" at tier {position}")
    ordered = sorted(raw_tiers, key=lambda t: _decimal("minNotional", t.get("minNotional"), f"{symbol}: "))
    floors, caps, rates, leverages, amounts, numbers = [], [], [], [], [], []
    for k, raw in enumerate(ordered):
        where = f"{symbol} tier {_tier_number(raw, k)}: "
        floors.append(_decimal("minNotional", raw.get("minNotional"), where))
        raw_cap = raw.get("maxNotional")
        open_ended = k == len(ordered) - 1 and raw_cap is None  # a top tier with no upper bound
        caps.append(Decimal("Infinity") if open_ended else _decimal("maxNotional", raw_cap, where))
        rates.append(_decimal("maintenanceMarginRate", raw.get("maintenanceMarginRate"), where))
        leverages.append(_decimal("maxLeverage", raw.get("maxLeverage"), where))
        if caps[-1] <= floors[-1]:
            raise InputError("tiers", f"{where}'maxNotional' must be > 'minNotional' ({_plain(floors[-1])})",
                             raw.get("maxNotional"))
        if leverages[-1] <= 0:
            raise InputError("tiers", f"{where}'maxLeverage' must be > 0", raw.get("maxLeverage"))
        info = raw.get("info") or {}
        cum = info.get("cum", info.get("maintAmount")) if isinstance(info, Mapping) else None
        amounts.append(None if cum is None else _decimal("cum", cum, where))
        numbers.append(_tier_number(raw, k))
    cums = complete_maintenance_amounts(floors, rates, amounts)
    tiers = tuple(
        Tier(
            tier=numbers[k],
            min_notional=floors[k],
            max_notional=caps[k],
            maintenance_margin_rate=rates[k],
            max_leverage=leverages[k],
            maintenance_amount=cums[k],
        )
        for k, raw in enumerate(ordered)
    )
    for lower, upper in itertools.pairwise(tiers):
        if lower.max_notional != upper.min_notional:
            raise InputError("tiers", f"must be contiguous for {symbol}", f"gap at {upper.describe()}")
    currency = str(ordered[0].get("currency") or "")
    return TierTable(symbol=symbol, currency=currency, tiers=tiers, source=source, as_of=as_of)


def _tier_number(raw: Mapping[str, Any], k: int) -> int:
    """The tier's ``tier`` field as an integer, or its 1-based position when absent."""
    value = raw.get("tier", k + 1)
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise InputError("tiers", "'tier' must be a whole number", value, where=f" at tier {k + 1}")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value():
        raise InputError("tiers", "'tier' must be a whole number", value, where=f" at tier {k + 1}")
    # Checked before int(): int(Decimal("1e5000000")) builds a five-million-digit integer (minutes).
    if number.adjusted() >= len(str(MAX_TIER_NUMBER)) - 1:
        raise InputError("tiers", f"'tier' must be a whole number below {MAX_TIER_NUMBER:,}", _short(value),
                         where=f" at tier {k + 1}")
    return int(number)


#: Tier numbers are small counts (1, 2, ... 20); anything this large is a broken file.
MAX_TIER_NUMBER = 1_000_000


def _short(value: Any) -> Any:
    """A rejected value for a message, cut to a readable length."""
    text = str(value)
    return value if len(text) <= 40 else f"{text[:20]}...{text[-10:]}"


def load_tiers(tiers: str | Mapping[str, Any], symbol: str | None = None) -> TierTable:
    """A :class:`TierTable` from ccxt's ``fetch_leverage_tiers()`` shape.

    ``tiers`` is a mapping ``{symbol: [tier, ...]}`` or the name of a shipped
    preset (see :data:`PRESET_TABLES`).  A file a user names is read by
    :func:`contractcalc.io.tiers.load_tiers` (the bounded reader), which
    accepts a path too.  ``symbol`` may be omitted when the source holds one
    symbol only.

    >>> table = load_tiers("binance-usdm-BTCUSDT-2021-03-18")
    >>> table.symbol, table.as_of, table.tier_for_notional(264000).maintenance_margin_rate
    ('BTC/USDT:USDT', '2021-03-18', Decimal('0.01'))
    """
    if isinstance(tiers, str):
        if tiers not in PRESET_TABLES:
            rule = f"must be a shipped tier table ({', '.join(PRESET_TABLES)}) or a mapping"
            raise InputError("tiers", rule, tiers)
        preset = PRESET_TABLES[tiers]
        # a plain open beside this module, as _refreshed_presets lists them: importlib.resources would
        # cost a CLI answer ~10 ms (it imports zipfile, tempfile, shutil)
        with open(os.path.join(_DATA_DIR, preset.file), encoding="utf-8") as handle:
            text = handle.read()
        return table_from_data(json.loads(text, parse_float=Decimal), symbol, source=preset.source,
                               as_of=preset.as_of)
    return table_from_data(tiers, symbol)


#: Version of the refreshed tier document (``contractcalc tiers refresh``).
TIER_DOCUMENT_VERSION = 1


def unwrap_tier_document(data: Any, source: str = "", as_of: str = "") -> tuple[Any, str, str]:
    """A refreshed tier document's ``tiers``, source and date; other data as it is.

    >>> unwrap_tier_document({"contractcalc_tiers": 1, "exchange": "bybit-linear", "source": "ccxt 4.5 bybit",
    ...                       "fetched_at": "2026-11-30T08:00:00Z", "tiers": {"BTC/USDT:USDT": []}})
    ({'BTC/USDT:USDT': []}, 'ccxt 4.5 bybit, fetched 2026-11-30T08:00:00Z', '2026-11-30')
    """
    if isinstance(data, Mapping) and "contractcalc_tiers" in data:
        if data.get("contractcalc_tiers") != TIER_DOCUMENT_VERSION:
            raise InputError("tiers", f"must be a tier document of version {TIER_DOCUMENT_VERSION}",
                             data.get("contractcalc_tiers"))
        fetched = str(data.get("fetched_at", ""))
        origin = str(data.get("source", "")) or source
        return data.get("tiers"), f"{origin}, fetched {fetched}" if fetched else origin, fetched[:10] or as_of
    return data, source, as_of


def table_from_data(data: Any, symbol: str | None, *, source: str = "", as_of: str = "") -> TierTable:
    """The table of ``symbol`` in parsed tier data (``{symbol: [tier, ...]}``), checked.

    A refreshed document (``contractcalc tiers refresh``) gives its own source and date.
    """
    data, source, as_of = unwrap_tier_document(data, source, as_of)
    if not isinstance(data, Mapping) or not data:
        rule = "must map symbols to tier lists (ccxt fetch_leverage_tiers shape)"
        raise InputError("tiers", rule, type(data).__name__)
    if symbol is None:
        if len(data) != 1:
            raise InputError("symbol", f"is required: the tier file holds {', '.join(sorted(map(str, data)))}")
        symbol = next(iter(data))
    key = _match_symbol(str(symbol), data)
    if key is None:
        raise InputError("symbol", f"is not in the tier file (it holds {', '.join(sorted(map(str, data)))})",
                         symbol)
    return _parse_table(key, data[key], source, as_of)


def _compact_symbol(symbol: str) -> str:
    """``BTC/USDT:USDT``, ``BTCUSDT`` and ``BTC-USDT-SWAP`` all become ``BTCUSDT``."""
    text = symbol.split(":")[0].upper()
    for separator in "/-_":
        text = text.replace(separator, "")
    return text.removesuffix("SWAP").removesuffix("PERP")


def _match_symbol(symbol: str, data: Mapping[str, Any]) -> str | None:
    """The key of ``data`` for ``symbol``: exact, or the one key with the same compact form.

    >>> _match_symbol("BTCUSDT", {"BTC/USDT:USDT": [], "ETH/USDT:USDT": []})
    'BTC/USDT:USDT'
    """
    if symbol in data:
        return symbol
    matches = [key for key in data if _compact_symbol(str(key)) == _compact_symbol(str(symbol))]
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class TierPreset:
    """A tier table shipped with contractcalc, with where and when it was published."""

    name: str
    exchange: str
    symbol: str
    file: str
    source: str
    as_of: str
    note: str = ""


#: Binance USDⓈ-M perpetuals shipped from freqtrade's recording of Binance's brackets on 2024-10-24
#: (its BTCUSDT table is the one shipped as binance-usdm-BTCUSDT-2024-10, tier for tier).
_BINANCE_2024_10_24 = ("ETH", "SOL", "XRP", "DOGE", "BNB", "ADA")

#: Bybit USDT perpetuals shipped from a recorded snapshot of Bybit's public risk-limit endpoint
#: (2026-08-05/06; its BTCUSDT tiers 1-20 equal those of bybit-linear-BTCUSDT, tier for tier).
_BYBIT_2026_08_05 = ("ETH", "SOL", "XRP", "DOGE", "BNB")
#: Hyperliquid perpetuals from the margin tiers its docs publish (dated by the mainnet meta of 2026-09-27); the
#: top tier is open-ended and the maintenance amount follows the docs' recurrence (not in the files).
_HYPERLIQUID_2026_09_27 = ("BTC", "ETH", "SOL", "XRP", "DOGE")
_HYPERLIQUID_2026_09_27_SOURCE = (
    "Hyperliquid docs, Trading > Margin tiers, Mainnet Margin Tiers "
    "(https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers, undated, read 2026-12-01), "
    "MMR = 1 / (2 x max leverage), deduction by the docs' recurrence; dated by the mainnet meta of 2026-09-27 "
    "(df-hyperliquid-core fixtures/perps/meta_mainnet.json), whose BTC and ETH tables are the page's"
)
_BYBIT_2026_08_05_SOURCE = (
    "Bybit GET /v5/market/risk-limit?category=linear (riskLimitValue, maintenanceMargin, maxLeverage, "
    "mmDeduction = cum) as a live snapshot of 2026-08-05/06 recorded in src/emulation/marginTierData.json of "
    "https://github.com/SoftwareMaestro16/trade-bot (commit 43443f4aa3595e37cd11720cdc696b28e929f89b)"
)


def _snapshot_presets(exchange: str, quote: str, as_of: str, bases: tuple[str, ...],
                      source: str) -> tuple[TierPreset, ...]:
    """One shipped table per base of a linear snapshot: ``<exchange>-<BASE><QUOTE>-<as_of>``."""
    return tuple(
        TierPreset(name=f"{exchange}-{base}{quote}-{as_of}", exchange=exchange, symbol=f"{base}/{quote}:{quote}",
                   file=f"{exchange}-{base}{quote}-{as_of}.json", source=source, as_of=as_of)
        for base in bases
    )


_BINANCE_2024_10_24_SOURCE = (
    "Binance USDⓈ-M GET /fapi/v1/leverageBracket (ccxt fetch_leverage_tiers) as freqtrade's "
    "weekly job recorded it in freqtrade/exchange/binance_leverage_tiers.json "
    "(https://github.com/freqtrade/freqtrade, commit 3d9514d2660c42dfdbde517f7b421d1a5cf4f196, "
    "2024-10-24T03:08:02Z)"
)

PRESET_TABLES: dict[str, TierPreset] = {
    preset.name: preset
    for preset in (
        TierPreset(
            name="binance-usdm-BTCUSDT-2024-10",
            exchange="binance-usdm",
            symbol="BTC/USDT:USDT",
            file="binance-usdm-BTCUSDT-2024-10.json",
            source="Binance USDⓈ-M GET /fapi/v1/leverageBracket for BTCUSDT",
            as_of="2024-10",
        ),
        TierPreset(
            name="binance-usdm-BTCUSDT-2021-03-18",
            exchange="binance-usdm",
            symbol="BTC/USDT:USDT",
            file="binance-usdm-BTCUSDT-2021-03-18.json",
            source="Binance announcement, USDT-margined BTCUSDT leverage and margin table (cum by the recurrence)",
            as_of="2021-03-18",
        ),
        TierPreset(
            name="binance-coinm-BTCUSD-reconstructed",
            exchange="binance-coinm",
            symbol="BTC/USD:BTC",
            file="binance-coinm-BTCUSD-reconstructed.json",
            source="Binance COIN-M BTCUSD tiers, reconstructed from published examples (bounds in BTC)",
            as_of="2023",
            note="illustrative: only tier 1, the tier-5 example and the 300 BTC example are published",
        ),
        *_snapshot_presets("binance-usdm", "USDT", "2024-10-24", _BINANCE_2024_10_24,
                           _BINANCE_2024_10_24_SOURCE),
        *_snapshot_presets("bybit-linear", "USDT", "2026-08-05", _BYBIT_2026_08_05, _BYBIT_2026_08_05_SOURCE),
        *_snapshot_presets("hyperliquid", "USDC", "2026-09-27", _HYPERLIQUID_2026_09_27,
                           _HYPERLIQUID_2026_09_27_SOURCE),
        TierPreset(
            name="bybit-linear-BTCUSDT",
            exchange="bybit-linear",
            symbol="BTC/USDT:USDT",
            file="bybit-linear-BTCUSDT.json",
            source="Bybit margin parameters page, BTCUSDT perpetual risk limits (cum is Bybit's MM deduction)",
            as_of="2024",
        ),
    )
}


#: The folder of the shipped tables (package data beside this module).
_DATA_DIR = os.path.join(os.path.dirname(__file__), "data", "tiers")

#: A refreshed table's file name: ``<exchange>-<SYMBOL>-<YYYY-MM-DD>.json`` (io.tier_refresh writes it).
_REFRESHED_NAME = re.compile(
    r"^(?P<exchange>[a-z]+-[a-z]+|hyperliquid)-(?P<symbol>[A-Z0-9]+)-(?P<day>\d{4}-\d{2}-\d{2})\.json$")


def _refreshed_presets() -> list[TierPreset]:
    """Tables written beside the shipped ones by ``contractcalc tiers refresh``: presets named as their file."""
    from contractcalc.venues.exchanges import EXCHANGES

    shipped = {p.file for p in PRESET_TABLES.values()}
    found = []
    try:  # os.listdir, not importlib.resources: this runs at import, on every CLI start
        names = os.listdir(_DATA_DIR)
    except OSError:  # pragma: no cover - a package without its data folder
        return []
    for name in sorted(names):
        match = _REFRESHED_NAME.match(name)
        if name in shipped or match is None or match.group("exchange") not in EXCHANGES:
            continue
        found.append(TierPreset(
            name=name.removesuffix(".json"), exchange=match.group("exchange"), symbol=match.group("symbol"),
            file=name, source=f"refreshed through ccxt (contractcalc tiers refresh) on {match.group('day')}",
            as_of=match.group("day")))
    return found


PRESET_TABLES.update((p.name, p) for p in _refreshed_presets())

#: A shipped table older than this many days is announced as stale.
STALE_AFTER_DAYS = 90


def table_age_days(as_of: str, today: date | None = None) -> int | None:
    """Days since ``as_of`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: its last day), or ``None`` if undated.

    >>> table_age_days("2024-10", date(2025, 1, 29)), table_age_days("2024", date(2025, 1, 1))
    (90, 1)
    """
    today = today or date.today()
    parts = [int(p) for p in re.findall(r"\d+", as_of)[:3]]
    if not parts:
        return None
    year, month, day = [*parts, 12, 31][:3] if len(parts) == 1 else [*parts, 0][:3]
    if len(parts) == 2:  # the month's last day: the day before the next month's first (not calendar: it imports locale)
        return (today - date(year + month // 12, month % 12 + 1, 1)).days + 1
    return (today - date(year, month, day)).days


def stale_warning(preset: TierPreset, today: date | None = None) -> str | None:
    """The warning for a shipped table older than :data:`STALE_AFTER_DAYS`, naming the refresh command."""
    age = table_age_days(preset.as_of, today)
    if age is None or age <= STALE_AFTER_DAYS:
        return None
    return (f"tier table {preset.name} is from {preset.as_of} ({age} days old): exchanges change their tiers; "
            f"refresh it with: contractcalc tiers refresh --exchange {preset.exchange} --symbol {preset.symbol}")


def preset_tables_for(exchange: str, symbol: str | None = None) -> list[TierPreset]:
    """Shipped presets for an exchange (and symbol, in any exchange spelling), newest first.

    >>> [p.name for p in preset_tables_for("binance-usdm", "BTCUSDT")]
    ['binance-usdm-BTCUSDT-2024-10', 'binance-usdm-BTCUSDT-2021-03-18']
    """
    found = [
        p for p in PRESET_TABLES.values()
        if p.exchange == exchange and (symbol is None or _match_symbol(symbol, {p.symbol: None}) is not None)
    ]
    return sorted(found, key=lambda p: p.as_of, reverse=True)


def preset_table(exchange: str, symbol: str) -> TierTable | None:
    """The newest shipped table for ``exchange`` and ``symbol``, or ``None``."""
    found = preset_tables_for(exchange, symbol)
    return load_tiers(found[0].name, symbol) if found else None


#: examples.md Y23 (Bybit's tiered-MM example), used in doctests above.
Y23_TIERS: dict[str, Any] = {
    "X": [
        {"tier": k + 1, "minNotional": 1000 * k, "maxNotional": 1000 * (k + 1),
         "maintenanceMarginRate": rate, "maxLeverage": lev, "info": {}}
        for k, (rate, lev) in enumerate(
            [("0.02", 50), ("0.025", 40), ("0.03", 33), ("0.035", 25), ("0.04", 20)]
        )
    ]
}
