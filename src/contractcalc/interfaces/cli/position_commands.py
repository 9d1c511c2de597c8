"""``pnl``, ``target``, ``average-entry``, ``cost``, ``size``, ``max-open``: exchange-exact position math.

Each command parses its flags to ``Decimal`` and calls the calculator of the
same name in :mod:`contractcalc.calculators`; nothing is computed here.
"""

from __future__ import annotations

import sys
from typing import Annotated

from contractcalc.engines import calculators
from contractcalc.interfaces.cli import app
from contractcalc.interfaces.cli._options import (
    Contracts,
    ContractSize,
    Entry,
    Exchange,
    JsonFlag,
    Leverage,
    OptionalContract,
    OrderPrice,
    Quantity,
    Side,
    Stop,
    StopCheckMaintenanceAmount,
    StopCheckMaintenanceMarginRate,
    StopCheckTiers,
    Symbol,
    option,
)
from contractcalc.interfaces.cli._output import emit, parse_number, require_number, stop_warning
from contractcalc.venues.exchanges import EXCHANGES
from contractcalc.venues.tiers import PRESET_TABLES


def _units(contract: str | None, exchange: str | None) -> str:
    kind = contract
    if kind is None and exchange in EXCHANGES:
        kind = EXCHANGES[exchange].contract
    if kind in ("inverse", "coin"):
        return "Inverse contract: amounts (PnL, margin, fees, notional) in the base coin; sizes in contracts."
    return "Linear contract: amounts (PnL, margin, fees, notional) in the quote currency; sizes in base units."


PNL_LABELS = {
    "pnl": "linear s·Q·(X − E); inverse s·F·(1/E − 1/X)",
    "initial_margin": "value at entry / leverage",
    "roe": "pnl / initial margin",
    "notional": "value at entry: Q·E or F/E",
    "fees": "open fee (value at entry) + close fee (value at exit)",
    "funding": "paid (negative: received): s·value·rate·intervals",
    "net_pnl": "pnl − fees − funding",
    "breakeven_price": "exit where pnl pays both fees",
}


@app.command("pnl")
def pnl(
    side: Side,
    entry: Annotated[str, option("--entry", "Entry (average open) price.")],
    exit: Annotated[str, option("--exit", "Exit (or mark) price.")],
    contract: OptionalContract = None,
    quantity: Quantity = None,
    contracts: Contracts = None,
    contract_size: ContractSize = None,
    leverage: Annotated[str | None, option("--leverage", "Leverage, for margin and ROE.")] = None,
    open_fee_rate: Annotated[
        str | None, option("--open-fee-rate", "Fee rate to open (0.0005 = 0.05 %); preset: taker.")
    ] = None,
    close_fee_rate: Annotated[
        str | None, option("--close-fee-rate", "Fee rate to close; preset: taker.")
    ] = None,
    funding_rate: Annotated[
        str | None, option("--funding-rate", "Funding rate per interval; positive: longs pay.")
    ] = None,
    funding_intervals: Annotated[
        str | None, option("--funding-intervals", "Funding intervals held (default 1).")
    ] = None,
    funding_mark: Annotated[
        str | None, option("--funding-mark", "Mark price for funding (default: entry).")
    ] = None,
    exchange: Exchange = None,
    symbol: Symbol = None,
    json: JsonFlag = False,
) -> None:
    """PnL, margin, ROE, fees, funding, net PnL and break-even of a closed position."""
    result = calculators.pnl(
        contract=contract,
        side=side,
        entry=require_number("entry", entry),
        exit=require_number("exit", exit),
        quantity=parse_number("quantity", quantity),
        contracts=parse_number("contracts", contracts),
        contract_size=parse_number("contract_size", contract_size),
        leverage=parse_number("leverage", leverage),
        open_fee_rate=parse_number("open_fee_rate", open_fee_rate),
        close_fee_rate=parse_number("close_fee_rate", close_fee_rate),
        funding_rate=parse_number("funding_rate", funding_rate),
        funding_intervals=parse_number("funding_intervals", funding_intervals),
        funding_mark=parse_number("funding_mark", funding_mark),
        exchange=exchange,
        symbol=symbol,
    )
    emit(result, as_json=json, title="PnL (exchange-exact)", labels=PNL_LABELS,
          notes=[_units(contract, exchange)])


@app.command("target")
def target(
    side: Side,
    entry: Entry,
    leverage: Leverage,
    roe: Annotated[str, option("--roe", "Wanted ROE as a fraction (0.5 = 50 %).")],
    contract: OptionalContract = None,
    exchange: Exchange = None,
    json: JsonFlag = False,
) -> None:
    """Exit price for a wanted ROE: linear E·(1 + s·ROE/L), inverse E/(1 − s·ROE/L)."""
    result = calculators.target(
        contract=contract,
        side=side,
        entry=require_number("entry", entry),
        leverage=require_number("leverage", leverage),
        roe=require_number("roe", roe),
        exchange=exchange,
    )
    wanted = require_number("roe", roe)
    if wanted > calculators.ROE_LIKELY_PERCENT:
        # stderr, so --json stays one JSON object on stdout
        percent = f"{(wanted * 100).normalize():f}"
        sys.stderr.write(f"warning: --roe {roe} is {percent} %; ROE is a fraction (0.5 = 50 %): "
                         f"for {roe} % give --roe {roe}%\n")
    emit(result, as_json=json, title="Target price (exchange-exact)",
          labels={"target_price": "exit price giving the ROE, before fees"}, notes=[])


@app.command("average-entry")
def average_entry(
    fill: Annotated[
        list[str],
        option("--fill", "A fill SIZE@PRICE (repeat), e.g. --fill 0.5@5000 --fill 0.3@6000."),
    ],
    contract: OptionalContract = None,
    exchange: Exchange = None,
    json: JsonFlag = False,
) -> None:
    """Average entry of fills: linear size-weighted, inverse harmonic (ΣF / Σ(F/P))."""
    result = calculators.average_entry(contract=contract, fill=fill, exchange=exchange)
    emit(result, as_json=json, title="Average entry (exchange-exact)",
          labels={"average_entry": "linear ΣQ·P/ΣQ; inverse ΣF/Σ(F/P)", "total_size": "sum of the fill sizes"},
          notes=[])


COST_LABELS = {
    "initial_margin": "value at entry / leverage",
    "open_loss": "loss shown at once at the mark (Binance)",
    "open_fee": "fee on the value at entry",
    "close_fee": "fee on the value at the bankruptcy price (Bybit)",
    "bankruptcy_price": "where the initial margin is lost",
    "cost": "margin + open loss + both fees",
}


@app.command("cost")
def cost(
    side: Side,
    entry: OrderPrice,
    leverage: Leverage,
    contract: OptionalContract = None,
    quantity: Quantity = None,
    contracts: Contracts = None,
    contract_size: ContractSize = None,
    mark: Annotated[str | None, option("--mark", "Mark price, for the open loss.")] = None,
    fee_rate: Annotated[
        str | None, option("--fee-rate", "Fee rate to open and to close; preset: taker; else 0.")
    ] = None,
    exchange: Exchange = None,
    symbol: Symbol = None,
    tiers: Annotated[
        str | None, option("--tiers", "Tier table (ccxt JSON file or preset) to check the leverage cap.")
    ] = None,
    json: JsonFlag = False,
) -> None:
    """Cost to open: initial margin, open loss, fees to open and close, bankruptcy price."""
    result = calculators.cost(
        contract=contract,
        side=side,
        entry=require_number("entry", entry),
        leverage=require_number("leverage", leverage),
        quantity=parse_number("quantity", quantity),
        contracts=parse_number("contracts", contracts),
        contract_size=parse_number("contract_size", contract_size),
        mark=parse_number("mark", mark),
        fee_rate=parse_number("fee_rate", fee_rate),
        exchange=exchange,
        symbol=symbol,
        tiers=tiers,
    )
    notes = [
        _units(contract, exchange),
        "Binance's Cost is margin + open loss (use --fee-rate 0); Bybit's order cost is margin + both fees.",
    ]
    emit(result, as_json=json, title="Order cost (exchange-exact)", labels=COST_LABELS, notes=notes)


SIZE_LABELS = {
    "quantity": "base units losing risk_amount at the stop, fees included",
    "contracts": "contracts losing risk_amount at the stop, fees included",
    "notional": "value at entry",
    "risk_amount": "balance × risk rate",
    "leverage_needed": "notional / balance",
    "reward_risk_ratio": "net PnL at target / risk amount",
    "liquidation_price": "exchange's, isolated at --leverage",
    "stop_before_liquidation_exact": "liquidation price at or beyond the stop",
    "max_leverage_for_stop": "highest leverage keeping it beyond the stop",
}


@app.command("size")
def size(
    side: Side,
    balance: Annotated[str, option("--balance", "Account balance (quote for linear, coin for inverse).")],
    risk_rate: Annotated[str, option("--risk-rate", "Share of the balance to risk, in (0, 1].")],
    entry: Entry,
    stop: Stop,
    target: Annotated[str | None, option("--target", "Target price, for the reward/risk ratio.")] = None,
    contract: OptionalContract = None,
    contract_size: ContractSize = None,
    open_fee_rate: Annotated[
        str | None, option("--open-fee-rate", "Fee rate to open; preset: taker; else 0.")
    ] = None,
    close_fee_rate: Annotated[
        str | None, option("--close-fee-rate", "Fee rate to close (at the stop); preset: taker; else 0.")
    ] = None,
    max_leverage: Annotated[
        str | None, option("--max-leverage", "Refuse a position that needs more leverage.")
    ] = None,
    exchange: Exchange = None,
    symbol: Symbol = None,
    leverage: Annotated[
        str | None, option("--leverage", "With --exchange: leverage of the isolated position (liquidation).")
    ] = None,
    maintenance_margin_rate: StopCheckMaintenanceMarginRate = None,
    maintenance_amount: StopCheckMaintenanceAmount = None,
    tiers: StopCheckTiers = None,
    json: JsonFlag = False,
) -> None:
    """Position size that loses balance × risk rate at the stop (fees included).

    With --exchange and a maintenance rate (--maintenance-margin-rate, --tiers, a shipped table for
    --symbol, or hyperliquid's --max-leverage): the exchange's liquidation price at --leverage, whether
    the stop comes first, and the highest leverage that keeps the liquidation price beyond the stop.
    """
    result = calculators.size(
        contract=contract,
        side=side,
        balance=require_number("balance", balance),
        risk_rate=require_number("risk_rate", risk_rate),
        entry=require_number("entry", entry),
        stop=require_number("stop", stop),
        target=parse_number("target", target),
        contract_size=parse_number("contract_size", contract_size),
        open_fee_rate=parse_number("open_fee_rate", open_fee_rate),
        close_fee_rate=parse_number("close_fee_rate", close_fee_rate),
        max_leverage=parse_number("max_leverage", max_leverage),
        exchange=exchange,
        symbol=symbol,
        leverage=parse_number("leverage", leverage),
        maintenance_margin_rate=parse_number("maintenance_margin_rate", maintenance_margin_rate),
        maintenance_amount=parse_number("maintenance_amount", maintenance_amount),
        tiers=tiers,
    )
    notes = [_units(contract, exchange), "Sizes are exact: round down to your exchange's lot size."]
    warning = stop_warning(result, exchange)
    if warning is not None:
        notes.insert(0, warning)
    emit(result, as_json=json, title="Position size from risk", labels=SIZE_LABELS, notes=notes)


def _preset_lines() -> str:
    lines = [
        f"{name}: {p.exchange} {p.symbol}, {p.source}, as of {p.as_of}" + (f" ({p.note})" if p.note else "")
        for name, p in PRESET_TABLES.items()
    ]
    return "\n\n".join(lines)


MAX_OPEN_HELP = (
    "Largest position at a leverage: min(balance × leverage, the upper bound of the highest tier "
    "whose max leverage ≥ the leverage). Fees and open loss are not deducted.\n\n"
    "Shipped tier tables (use --tiers NAME, or --exchange and --symbol for the newest; "
    "tables change, load a fresh one with --tiers FILE):\n\n" + _preset_lines()
)


@app.command("max-open", help=MAX_OPEN_HELP)
def max_open(
    balance: Annotated[str, option("--balance", "Available balance (quote for linear, coin for inverse).")],
    leverage: Leverage,
    entry: OrderPrice,
    exchange: Exchange = None,
    symbol: Symbol = None,
    tiers: Annotated[
        str | None, option("--tiers", "Tier table: a ccxt fetch_leverage_tiers() JSON file or a shipped preset name.")
    ] = None,
    contract: OptionalContract = None,
    contract_size: ContractSize = None,
    json: JsonFlag = False,
) -> None:
    result = calculators.max_open(
        balance=require_number("balance", balance),
        leverage=require_number("leverage", leverage),
        entry=require_number("entry", entry),
        exchange=exchange,
        symbol=symbol,
        tiers=tiers,
        contract=contract,
        contract_size=parse_number("contract_size", contract_size),
    )
    labels = {
        "max_quantity": "max notional / entry",
        "max_contracts": "max notional × entry / contract size",
        "max_notional": "min(balance × leverage, tier cap)",
    }
    emit(result, as_json=json, title="Max open", labels=labels, notes=[_units(contract, exchange)])
