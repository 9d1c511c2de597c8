"""Option types shared by the commands, so a flag means one thing everywhere.

A type is shared only where the flag and its help text are the same in every
command using it; a flag whose help says something command-specific (e.g.
``--leverage`` in ``pnl``) stays in its command.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from contractcalc.venues.exchanges import EXCHANGES


def option(flag: str, help: str) -> Any:
    """An option without a shown default; numbers are read as text so the CLI parses them exactly (``Decimal``)."""
    return typer.Option(flag, help=help, show_default=False)

#: ``--json``: print exactly one JSON object whose keys are the library's names.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]

_SIDE_HELP = "long or short."
Side = Annotated[str, option("--side", _SIDE_HELP)]
OptionalSide = Annotated[str | None, option("--side", _SIDE_HELP)]
Contract = Annotated[str, option("--contract", "linear or inverse (also the seed's usdt, u, coin).")]

# ---------------------------------------------------------------------------
# Market and size (the position commands; --quantity and --contracts also liquidation)

OptionalContract = Annotated[
    str | None, option("--contract", "linear or inverse; default: the exchange preset's kind.")
]
Exchange = Annotated[
    str | None,
    option("--exchange",
           "Preset for contract kind, contract size and fee rates (flags override): " + ", ".join(EXCHANGES) + "."),
]
Symbol = Annotated[
    str | None, option("--symbol", "Market, e.g. BTC/USDT:USDT or BTCUSD (picks contract size and tiers).")
]
Quantity = Annotated[str | None, option("--quantity", "Linear size in base units (e.g. BTC).")]
Contracts = Annotated[str | None, option("--contracts", "Number of contracts.")]
ContractSize = Annotated[
    str | None,
    option("--contract-size", "Per contract: base units (linear) or USD (inverse); default: the preset's."),
]

# ---------------------------------------------------------------------------
# Prices, leverage and margin

Entry = Annotated[str, option("--entry", "Entry price.")]
OrderPrice = Annotated[str, option("--entry", "Order price.")]
Stop = Annotated[str, option("--stop", "Stop-loss price.")]
Leverage = Annotated[str, option("--leverage", "Leverage.")]
LeverageMultiple = Annotated[str, option("--leverage", "Leverage multiple.")]
Principal = Annotated[str, option("--principal", "Margin put up.")]

# ---------------------------------------------------------------------------
# The stop against an exchange's liquidation price (``size`` and ``plan``, with --exchange)

StopCheckMaintenanceMarginRate = Annotated[
    str | None, option("--maintenance-margin-rate", "With --exchange: maintenance margin rate.")
]
StopCheckMaintenanceAmount = Annotated[
    str | None, option("--maintenance-amount", "With --exchange: maintenance amount (cum).")
]
StopCheckTiers = Annotated[str | None, option("--tiers", "With --exchange: tier table file or preset.")]

# ---------------------------------------------------------------------------
# Which of stop, target and liquidation price is touched first (``size`` and ``plan``)

TouchVolatility = Annotated[
    str | None, option("--volatility", "With a horizon: annual volatility (0.8 = 80 %): which of stop, target and "
                       "liquidation price is touched first.")
]
TouchHorizon = Annotated[str | None, option("--horizon", "With a volatility: horizon, e.g. 24h, 7d.")]
TouchDrift = Annotated[str | None, option("--drift", "With a volatility: annual drift of the price (default 0).")]
