"""Random books for the stress tests (tests/test_stress.py, tests/test_cli_stress.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

from contractcalc.venues.exchanges import exchange_preset

BTC, ETH, SOL = "BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT"
TIERS = "binance-usdm-BTCUSDT-2024-10"


def random_book(n: int, accounts: int, seed: int, exchange: str = "binance-usdm") -> tuple[dict[str, Any],
                                                                                          dict[str, Any]]:
    """A random book: BTC on the tier table, ETH and SOL at fixed rates, 30 % isolated, hedged legs by chance."""
    rng = np.random.default_rng(seed)
    inverse = exchange_preset(exchange).contract == "inverse"
    symbols = np.array(["BTC/USD:BTC"]) if inverse else np.array([BTC, ETH, SOL])
    marks = {BTC: 60000.0, ETH: 3000.0, SOL: 150.0, "BTC/USD:BTC": 60000.0}
    symbol = symbols[rng.integers(0, symbols.size, n)]
    mark = np.array([marks[x] for x in symbol])
    columns: dict[str, Any] = {
        "account": np.array([f"acct{k:05d}" for k in rng.integers(0, accounts, n)]),
        "symbol": symbol,
        "side": np.where(rng.random(n) < 0.6, "long", "short"),
        "entry": mark * (1 + rng.normal(0, 0.05, n)),
        "mark": mark,
        "margin_mode": np.where(rng.random(n) < 0.3, "isolated", "cross"),
        "leverage": rng.choice([2.0, 5.0, 10.0, 20.0, 50.0], n),
        "maintenance_margin_rate": np.where(symbol == BTC, np.nan, np.where(symbol == ETH, 0.005, 0.01)),
    }
    if inverse:
        columns["contracts"] = rng.integers(1, 5000, n).astype(float)
        columns["maintenance_margin_rate"] = np.full(n, 0.004)
    else:
        columns["quantity"] = rng.lognormal(0, 1.5, n) * 60000 / mark / 20
    names = np.unique(columns["account"])
    wallet = rng.lognormal(7, 1.5, names.size)
    return columns, {"account": names, "wallet_balance": wallet}
