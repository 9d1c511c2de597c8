"""Presets whose every contract is 1 unit of the base by rule default ``contractSize`` to 1.

Independent figure: ccxt's recorded markets (``venues/data/markets.json``, copied from ccxt's static
test markets) give contractSize 1 for every Binance USDⓈ-M, Bybit USDT and Hyperliquid perpetual; OKX
linear sizes vary by symbol (0.01 BTC, 0.1 ETH, 1000, ...), so a symbol without a rule stays refused.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from contractcalc.venues import markets
from contractcalc.venues.exchanges import exchange_preset

ONE_BASE_UNIT = ("binance-usdm", "bybit-linear", "hyperliquid")

SOL = {"symbol": "SOL/USDT:USDT", "side": "long", "contracts": 100, "entryPrice": 150, "markPrice": 140,
       "maintenanceMarginRate": 0.01, "maintenanceAmount": 0}


@pytest.mark.parametrize("exchange", ONE_BASE_UNIT)
def test_the_preset_agrees_with_every_recorded_market(exchange: str) -> None:
    data = json.loads((Path(markets.__file__).parent / "data" / "markets.json").read_text())
    recorded = {Decimal(market["contract_size"]) for market in data["exchanges"][exchange]["markets"].values()}
    assert recorded == {Decimal(1)}
    preset = exchange_preset(exchange)
    for symbol in (*data["exchanges"][exchange]["markets"], "NEWCOIN/USDT:USDT", None):
        assert preset.contract_size(symbol) == 1


def _positions(tmp_path: Path, item: dict[str, Any]) -> str:
    path = tmp_path / "positions.json"
    path.write_text(json.dumps([item]))
    return str(path)


@pytest.mark.parametrize("exchange", ONE_BASE_UNIT)
def test_a_position_without_contract_size_is_one_base_unit(cli: Any, tmp_path: Path, exchange: str) -> None:
    args = ("liquidation", "--exchange", exchange, "--wallet-balance", "5000", "--json", "--positions")
    without = cli(*args, _positions(tmp_path, SOL))
    assert without.code == 0, without.err
    given = cli(*args, _positions(tmp_path, {**SOL, "contractSize": 1}))
    assert json.loads(without.out) == json.loads(given.out)
    if exchange == "binance-usdm":
        # Binance cross, one long: LP = (Q·E − WB) / (Q·(1 − MMR)) = (15000 − 5000) / (100 × 0.99) = 101.0101...
        position = json.loads(without.out)["positions"][0]
        assert position["contract_size"] == 1
        assert position["liquidation_price"] == pytest.approx(10000 / 99)


def test_binance_usdm_contracts_without_size_equal_the_quantity(cli: Any) -> None:
    base = ("liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "100", "--leverage", "10",
            "--maintenance-margin-rate", "0.004", "--json")
    by_contracts = cli(*base, "--contracts", "3")
    assert by_contracts.code == 0, by_contracts.err
    # 3 × 100 / 10 = 30 margin; LP = (300 − 30) / (3 × 0.996) = 90.36...
    assert json.loads(by_contracts.out) == json.loads(cli(*base, "--quantity", "3").out)
    assert json.loads(by_contracts.out)["liquidation_price"] == pytest.approx(270 / 2.988)


@pytest.mark.parametrize("exchange", ["okx-linear"])
def test_a_varying_size_is_still_required(cli: Any, tmp_path: Path, exchange: str) -> None:
    result = cli("liquidation", "--exchange", exchange, "--wallet-balance", "5000", "--positions",
                 _positions(tmp_path, SOL))
    assert result.code == 2
    assert result.err == ("error: '--positions' item 0: 'contractSize' is required "
                          f"({exchange} has no default for this symbol)\n")
