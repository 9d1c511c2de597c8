"""Exchange presets: contract kind, contract size, default fee rates, liquidation model.

A preset only fills in defaults; every value can be overridden by the
matching keyword (``contract_size``, ``open_fee_rate``, ...).  Fee rates are
the entry-level (VIP 0 / regular user) maker and taker rates published by each
exchange in 2024; check your own account's rates.

Liquidation models (``shared/reference/formulas.md``, "Liquidation price"):

- ``binance``: margin balance = maintenance margin; no fees.
- ``bybit``: maintenance margin valued at the entry price.
- ``okx``: the estimated fee to close counts towards the requirement (also Gate, Bitget).
- ``hyperliquid``: as ``okx`` with no fee and MMR = 1 / (2 × max leverage).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contractcalc.errors import InputError
from contractcalc.venues.exchange_names import EXCHANGE_NAMES

__all__ = ["EXCHANGES", "ExchangePreset", "exchange_preset"]


@dataclass(frozen=True)
class ExchangePreset:
    """Defaults for one exchange's market type."""

    name: str
    contract: str  # "linear" or "inverse"
    liquidation_model: str  # "binance", "bybit", "okx" or "hyperliquid"
    maker_fee_rate: Decimal
    taker_fee_rate: Decimal
    #: Contract size by base currency ("BTC"), with "" as the default for others.
    #: Linear: base units per contract (``None``: no size by rule, the market's own must be given).
    #: A preset whose every contract is 1 unit of the base by the exchange's rule says so here (ccxt's
    #: markets record contractSize 1 for each of them: ``venues/data/markets.json``).
    #: Inverse: quote units (USD) per contract.
    contract_sizes: tuple[tuple[str, Decimal | None], ...] = (("", None),)
    description: str = ""
    #: The most negative fee rate the exchange pays (a maker rebate), as it publishes it; 0: no rebate.
    min_fee_rate: Decimal = Decimal(0)

    def contract_size(self, symbol: str | None = None) -> Decimal | None:
        """Contract size for ``symbol`` (ccxt style ``BTC/USD:BTC`` or ``BTCUSD``).

        >>> exchange_preset("binance-coinm").contract_size("BTC/USD:BTC")
        Decimal('100')
        >>> exchange_preset("binance-coinm").contract_size("ETH/USD:ETH")
        Decimal('10')
        """
        sizes = dict(self.contract_sizes)
        if symbol:
            text = symbol.upper()
            base = text.split("/")[0] if "/" in text else text.split("-")[0]
            for prefix, size in self.contract_sizes:
                if prefix and (base == prefix or (("/" not in text) and base.startswith(prefix))):
                    return size
        return sizes.get("")


D = Decimal

EXCHANGES: dict[str, ExchangePreset] = {
    preset.name: preset
    for preset in (
        ExchangePreset(
            "binance-usdm", "linear", "binance", D("0.0002"), D("0.0005"),
            contract_sizes=(("", D(1)),),
            description="Binance USDⓈ-M futures (USDT-margined): 1 base unit per contract",
            # Binance's USDⓈ-M Futures Liquidity Provider Program (announcement of 2022-03-07): maker
            # rebates of up to -0.003 % (USDT pairs) and -0.014 % (BUSD pairs)
            min_fee_rate=D("-0.00014"),
        ),
        ExchangePreset(
            "binance-coinm", "inverse", "binance", D("0.0002"), D("0.0005"),
            contract_sizes=(("BTC", D(100)), ("", D(10))),
            description="Binance COIN-M futures: BTCUSD 100 USD per contract, others 10 USD",
        ),
        ExchangePreset(
            "bybit-linear", "linear", "bybit", D("0.0002"), D("0.00055"),
            contract_sizes=(("", D(1)),),
            description="Bybit USDT perpetuals: 1 base unit per contract",
        ),
        ExchangePreset(
            "bybit-inverse", "inverse", "bybit", D("0.0002"), D("0.00055"),
            contract_sizes=(("", D(1)),),
            description="Bybit inverse contracts: 1 USD per contract",
        ),
        ExchangePreset(
            "okx-linear", "linear", "okx", D("0.0002"), D("0.0005"),
            contract_sizes=(("BTC", D("0.01")), ("ETH", D("0.1")), ("", None)),
            description="OKX USDT-margined swaps (also right for Gate and Bitget): BTC 0.01, ETH 0.1 per contract",
        ),
        ExchangePreset(
            "okx-inverse", "inverse", "okx", D("0.0002"), D("0.0005"),
            contract_sizes=(("BTC", D(100)), ("", D(10))),
            description="OKX coin-margined swaps: BTC-USD 100 USD per contract, others 10 USD",
        ),
        ExchangePreset(
            "hyperliquid", "linear", "hyperliquid", D("0.00015"), D("0.00045"),
            contract_sizes=(("", D(1)),),
            description="Hyperliquid perpetuals (USDC-margined): 1 base unit per contract",
        ),
    )
}

# The schema (every CLI start) lists the names from venues/exchange_names.py without creating the presets
if tuple(EXCHANGES) != EXCHANGE_NAMES:  # pragma: no cover - caught by any test that imports this module
    raise ImportError(f"venues/exchange_names.py lists {EXCHANGE_NAMES}, the presets are {tuple(EXCHANGES)}")


def exchange_preset(name: str) -> ExchangePreset:
    """The preset called ``name``.

    >>> exchange_preset("bybit-inverse").contract
    'inverse'
    >>> exchange_preset("ftx")
    Traceback (most recent call last):
    ...
    contractcalc.errors.InputError: 'exchange' must be one of binance-usdm, ..., hyperliquid (got 'ftx')
    """
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in EXCHANGES:
        raise InputError("exchange", f"must be one of {', '.join(EXCHANGES)}", name)
    return EXCHANGES[key]
