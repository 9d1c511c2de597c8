"""The names of the exchange presets, in order, without the presets themselves.

The CLI's help and the schema list the names on every start; the presets
(:data:`contractcalc.venues.exchanges.EXCHANGES`, a frozen dataclass each) are
created only by an answer that uses one.  ``venues/exchanges.py`` checks at
import that its presets are these names, in this order.
"""

from __future__ import annotations

__all__ = ["EXCHANGE_NAMES"]

#: Every preset name (``--exchange``), in the order help texts and errors list them.
EXCHANGE_NAMES: tuple[str, ...] = (
    "binance-usdm",
    "binance-coinm",
    "bybit-linear",
    "bybit-inverse",
    "okx-linear",
    "okx-inverse",
    "hyperliquid",
)
