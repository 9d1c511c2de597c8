"""Exchange presets: contract kind, contract size by symbol, fee rates, and how a flag overrides them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contractcalc import InputError, cost, pnl, target
from contractcalc.engines.calculators import market
from contractcalc.venues.exchanges import EXCHANGES, exchange_preset

D = Decimal


def test_the_issue_lists_these_presets() -> None:
    assert set(EXCHANGES) == {"binance-usdm", "binance-coinm", "bybit-linear", "bybit-inverse", "okx-linear",
                              "okx-inverse", "hyperliquid"}
    kinds = {name: preset.contract for name, preset in EXCHANGES.items()}
    assert [n for n, k in kinds.items() if k == "inverse"] == ["binance-coinm", "bybit-inverse", "okx-inverse"]


@pytest.mark.parametrize(
    ("exchange", "symbol", "size"),
    [
        ("binance-coinm", "BTC/USD:BTC", D(100)),  # BTCUSD 100 USD
        ("binance-coinm", "BTCUSD_PERP", D(100)),
        ("binance-coinm", "ETH/USD:ETH", D(10)),  # others 10 USD
        ("bybit-inverse", "BTC/USD:BTC", D(1)),  # 1 USD
        ("bybit-inverse", None, D(1)),
        ("okx-inverse", "BTC-USD-SWAP", D(100)),
        ("okx-linear", "BTC/USDT:USDT", D("0.01")),
        ("okx-linear", "ETH-USDT-SWAP", D("0.1")),
        ("binance-usdm", "BTC/USDT:USDT", D(1)),  # 1 base unit per contract (ccxt binanceusdm contractSize 1)
    ],
)
def test_contract_size_by_symbol(exchange: str, symbol: str | None, size: Decimal | None) -> None:
    assert exchange_preset(exchange).contract_size(symbol) == size


def test_every_preset_has_sane_fee_rates() -> None:
    for preset in EXCHANGES.values():
        assert 0 <= preset.maker_fee_rate <= preset.taker_fee_rate < D("0.001"), preset.name


def test_a_preset_fills_in_kind_size_and_taker_fees() -> None:
    # B3 through the binance-coinm preset: 10 BTCUSD contracts @ 10,104, taker 0.05 % → fee 0.000049485 BTC
    # (here the open fee of a pnl at an unchanged price: open + close = 2 × that)
    result = pnl(exchange="binance-coinm", symbol="BTC/USD:BTC", side="long", entry=D(10104), exit=D(10104),
                 contracts=D(10))
    assert abs(result["fees"] - 2 * D("0.000049485")) <= D("0.000000001")
    assert result["pnl"] == 0


def test_a_flag_overrides_the_preset() -> None:
    # bybit-inverse is 1 USD per contract; --contract-size 100 and --fee-rate 0 win
    result = cost(exchange="bybit-inverse", side="long", entry=D(10000), leverage=D(10), contracts=D(10),
                  contract_size=D(100), fee_rate=D(0))
    assert result["initial_margin"] == D("0.01")  # 10 × 100 / 10,000 / 10
    assert result["open_fee"] == 0


def test_the_preset_needs_a_symbol_when_sizes_differ_by_symbol() -> None:
    with pytest.raises(InputError, match="'symbol' is required to pick the contract size on binance-coinm"):
        market(None, "binance-coinm").size(None, 5)
    # only where a calculation needs the size: an average entry or a target does not
    assert target(exchange="binance-coinm", side="long", entry=100, leverage=10, roe=1)["target_price"] > 100
    assert market(None, "binance-coinm", None, D(10)).contract_size == 10  # or an explicit size


def test_contract_kind_must_match_the_preset() -> None:
    with pytest.raises(InputError) as caught:
        market("inverse", "binance-usdm")
    assert str(caught.value) == "'contract' must be linear, as the exchange binance-usdm is (got 'inverse')"
    assert market("usdt", "binance-usdm").contract == "linear"


def test_unknown_exchange_and_missing_contract() -> None:
    with pytest.raises(InputError, match=r"'exchange' must be one of binance-usdm, .* \(got 'ftx'\)"):
        market(None, "ftx")
    with pytest.raises(InputError, match="'contract' is required"):
        market(None, None)
