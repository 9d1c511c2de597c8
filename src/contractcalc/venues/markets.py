"""Price tick and lot size of the presets' perpetuals (``venues/data/markets.json``).

The figures are the exchanges' own fields as ccxt recorded them in its static
test markets (``ts/src/test/static/markets/*.json``, MIT licence): Binance's
``PRICE_FILTER.tickSize`` and ``LOT_SIZE.stepSize``/``minQty``, Bybit's
``priceFilter.tickSize`` and ``lotSizeFilter.qtyStep``/``minOrderQty``, OKX's
``tickSz``, ``lotSz``, ``minSz`` and ``ctVal``, Hyperliquid's ``szDecimals``.
The file names the ccxt commit each exchange's figures come from and when they
were recorded; exchanges change them.

Amounts are counted in contracts of ``contract_size`` (base units for a
linear contract, USD for an inverse one): OKX's BTC-USDT-SWAP lot of 0.1
contract is 0.1 × 0.01 = 0.001 BTC.

Hyperliquid has no fixed tick: a perpetual's price has at most 5 significant
figures (a whole number always passes) and at most ``6 − szDecimals``
decimals, so the tick depends on the price (:meth:`MarketRules.tick_at`).

The file is read on first use, never at import (CLI start-up).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from contractcalc.errors import InputError

__all__ = ["MarketRules", "exchange_markets", "market_rules", "market_source", "price_ticks", "symbol_base"]


@dataclass(frozen=True)
class MarketRules:
    """One market's price tick and lot, as the exchange publishes them.

    ``price_tick`` is ``None`` where the tick depends on the price (Hyperliquid:
    ``significant_figures`` and ``max_decimals`` give it).
    """

    exchange: str
    symbol: str
    price_tick: Decimal | None
    #: Order size step, in contracts of ``contract_size``.
    amount_step: Decimal
    #: Smallest order, in contracts (``None``: not in the recorded data).
    min_amount: Decimal | None
    #: Base units (linear) or USD (inverse) per contract.
    contract_size: Decimal
    significant_figures: int | None = None
    max_decimals: int | None = None

    def tick_at(self, price: Decimal) -> Decimal:
        """The price tick that applies at ``price`` (the fixed tick, or Hyperliquid's rule).

        Hyperliquid's docs (tick and lot size): 1234.5 is a valid price but
        1234.56 is not; 0.001234 is, 0.0012345 is not (6 decimals at most).

        >>> btc = market_rules("hyperliquid", "BTC/USDC:USDC")
        >>> btc.tick_at(Decimal("43210.337")), btc.tick_at(Decimal("1234.56"))
        (Decimal('1'), Decimal('0.1'))
        >>> market_rules("hyperliquid", "ADA/USDC:USDC").tick_at(Decimal("0.0012345"))
        Decimal('0.000001')
        >>> market_rules("binance-usdm", "BTC/USDT:USDT").tick_at(Decimal("43210.337"))
        Decimal('0.1')
        """
        if self.price_tick is not None:
            return self.price_tick
        assert self.significant_figures is not None and self.max_decimals is not None
        # the exponent of the leading digit; a whole number is always allowed, so at least 1
        leading = price.adjusted()
        by_figures = min(leading - self.significant_figures + 1, 0)
        return Decimal(1).scaleb(max(by_figures, -self.max_decimals))

    def base_lot(self, linear: bool) -> Decimal:
        """The lot as the calculators count sizes: base units (linear) or contracts (inverse).

        >>> market_rules("okx-linear", "BTC/USDT:USDT").base_lot(linear=True)
        Decimal('0.001')
        >>> market_rules("binance-coinm", "BTCUSD").base_lot(linear=False)
        Decimal('1')
        """
        return self.amount_step * self.contract_size if linear else self.amount_step

    def base_min(self, linear: bool) -> Decimal | None:
        """The smallest order in the same unit as :meth:`base_lot` (``None`` if not recorded)."""
        if self.min_amount is None:
            return None
        return self.min_amount * self.contract_size if linear else self.min_amount


@cache
def _data() -> dict[str, Any]:
    # open, not importlib.resources: the CLI's start-up budget (as venues.tiers reads its tables)
    with open(os.path.join(os.path.dirname(__file__), "data", "markets.json"), encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


_QUOTES = ("USDT", "USDC", "BUSD", "USD")


def symbol_base(symbol: str) -> str:
    """The base currency of a symbol in ccxt's or an exchange's spelling.

    >>> [symbol_base(s) for s in ("ETH/USDT:USDT", "ETHUSDT", "BTC-USD-SWAP", "BTCUSD_PERP", "doge")]
    ['ETH', 'ETH', 'BTC', 'BTC', 'DOGE']
    """
    text = symbol.strip().upper().split(":")[0]
    if "/" in text:
        return text.split("/")[0]
    text = re.split(r"[-_]", text)[0]
    for quote in _QUOTES:
        if text.endswith(quote) and len(text) > len(quote):
            return text.removesuffix(quote)
    return text


def exchange_markets(exchange: str) -> dict[str, MarketRules]:
    """Every recorded market of a preset, by ccxt symbol (empty for a preset without data)."""
    return dict(_markets(exchange))


@cache
def _markets(exchange: str) -> tuple[tuple[str, MarketRules], ...]:
    entry = _data()["exchanges"].get(exchange)
    if entry is None:
        return ()
    figures, decimals = entry.get("price_significant_figures"), entry.get("max_price_decimals")
    found = []
    for symbol, raw in entry["markets"].items():
        tick = raw.get("price_tick")
        rules = MarketRules(
            exchange=exchange, symbol=symbol,
            price_tick=Decimal(tick) if tick is not None else None,
            amount_step=Decimal(raw["amount_step"]),
            min_amount=Decimal(raw["min_amount"]) if "min_amount" in raw else None,
            contract_size=Decimal(raw["contract_size"]),
            significant_figures=figures if tick is None else None,
            max_decimals=decimals - int(raw["sz_decimals"]) if tick is None else None,
        )
        found.append((symbol, rules))
    return tuple(found)


def market_rules(exchange: str, symbol: str) -> MarketRules:
    """The recorded tick and lot of ``symbol`` on ``exchange``, found by its base currency.

    Raises :class:`InputError` naming ``symbol`` when the data has no such market.

    >>> market_rules("bybit-linear", "ETHUSDT").price_tick
    Decimal('0.01')
    >>> market_rules("binance-usdm", "PEPE/USDT:USDT")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'symbol' has no recorded price tick and lot size on binance-usdm ...
    """
    markets = _markets(exchange)
    base = symbol_base(symbol)
    for key, rules in markets:
        if symbol_base(key) == base:
            return rules
    known = ", ".join(symbol_base(key) for key, _ in markets) or "none"
    raise InputError("symbol", f"has no recorded price tick and lot size on {exchange} (recorded: {known})", symbol)


def price_ticks(exchange: str) -> dict[str, Decimal]:
    """``{base currency: fixed price tick}`` of a preset (the page's ``price_ticks``).

    >>> price_ticks("okx-inverse")
    {'BTC': Decimal('0.1')}
    """
    return {symbol_base(key): r.price_tick for key, r in _markets(exchange) if r.price_tick is not None}


def lot_sizes(exchange: str, linear: bool) -> dict[str, Decimal]:
    """``{base currency: lot}`` in base units (linear) or contracts (inverse)."""
    return {symbol_base(key): r.base_lot(linear) for key, r in _markets(exchange)}


def market_source(exchange: str) -> str:
    """Where a preset's ticks and lots come from, with the ccxt commit and when they were recorded.

    >>> market_source("okx-inverse")[:60]
    "ccxt's static markets ts/src/test/static/markets/okx.json at"
    """
    entry = _data()["exchanges"].get(exchange)
    if entry is None:
        return ""
    return (f"ccxt's static markets {entry['ccxt_file']} at commit {entry['ccxt_commit'][:12]}, "
            f"recorded {entry['recorded']}")


def rounding_note(exchange: str, symbol: str, result: Any) -> str:
    """The CLI's note on ``round``: the tick and lot used, and where they come from.

    >>> rounding_note("bybit-linear", "ETHUSDT", {"price_tick": Decimal("0.01"), "lot_size": Decimal("0.01")})[:88]
    'Rounded to the tick 0.01 and lot 0.01 of bybit-linear ETH/USDT:USDT (sizes down, liquida'
    """
    rules = market_rules(exchange, symbol)
    used = []
    if "price_tick" in result:
        used.append(f"the tick {result['price_tick']}")
    if "lot_size" in result:
        used.append(f"lot {result['lot_size']}" if used else f"the lot {result['lot_size']}")
    return (f"Rounded to {' and '.join(used)} of {exchange} {rules.symbol} (sizes down, liquidation prices "
            f"toward the entry), from {market_source(exchange)}.")
