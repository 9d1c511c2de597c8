"""``contractcalc replay``: a position replayed through candles the way the exchange would have handled it.

Flags are parsed to ``Decimal`` and passed to :func:`contractcalc.engines.replay.replay`
under the same names; nothing is computed here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from contractcalc.interfaces.cli import app
from contractcalc.interfaces.cli._options import Contracts, JsonFlag, Quantity, Side, option
from contractcalc.interfaces.cli._output import emit, parse_number
from contractcalc.venues.exchanges import EXCHANGES, exchange_preset
from contractcalc.venues.tiers import PRESET_TABLES

HELP = (
    "Replay a position through candles: stop, target, liquidation and funding the way the exchange "
    "would have done it.\n\n"
    "--candles FILE: ccxt rows [timestamp_ms, open, high, low, close, volume] in JSON, or CSV with a header "
    "timestamp,open,high,low,close[,volume] (or a freqtrade data folder with --symbol and --timeframe). "
    "--mark-candles FILE: mark-price candles with the same timestamps (liquidation and funding use them). "
    "--funding FILE: [timestamp_ms, rate] rows in JSON or CSV timestamp,rate.\n\n"
    "The position opens at --entry (default: the first open) at the first candle's open time; its "
    "liquidation price comes from the flags of `contractcalc liquidation` (isolated). Within a candle the "
    "level nearer the open is reached first; --intrabar decides when the stop (or liquidation) and the "
    "target both lie inside one candle: pessimistic (default), optimistic, nearest-first. A gap fills at "
    "the open; liquidation loses the whole margin.\n\n"
    "Shipped tier tables: " + ", ".join(PRESET_TABLES) + "."
)

#: As :data:`contractcalc.engines.replay.INTRABAR_POLICIES` (not imported here: it loads NumPy,
#: and every command's start would pay for it).
INTRABAR_POLICIES = ("pessimistic", "optimistic", "nearest-first")

LABELS = {
    "exit_reason": "stop, target, liquidation or open",
    "exit_time": "exit candle's open time (ms)",
    "exit_price": "level, gap's open, LP or last close",
    "pnl": "price PnL; −margin if liquidated",
    "fees": "rate × value at entry (+ at exit)",
    "funding": "Σ s·value·rate (paid > 0)",
    "net_pnl": "pnl − fees − funding",
    "bars_held": "first to exit candle, both in",
    "liquidation_price": "the exchange's (isolated)",
}


@app.command("replay", help=HELP)
def replay_command(
    candles: Annotated[str, option("--candles", "Candles: ccxt JSON rows or CSV (or a freqtrade data folder).")],
    side: Side,
    exchange: Annotated[str, option("--exchange", "Exchange: " + ", ".join(EXCHANGES) + ".")],
    mark_candles: Annotated[
        str | None, option("--mark-candles", "Mark-price candles (same timestamps): liquidation and funding.")
    ] = None,
    funding: Annotated[str | None, option("--funding", "Funding rates: JSON [timestamp_ms, rate] rows or CSV.")] = (
        None
    ),
    entry: Annotated[str | None, option("--entry", "Entry price (default: the first candle's open).")] = None,
    quantity: Quantity = None,
    contracts: Contracts = None,
    contract_size: Annotated[
        str | None, option("--contract-size", "Per contract: base units (linear) or USD (inverse).")
    ] = None,
    leverage: Annotated[str | None, option("--leverage", "Leverage (isolated margin = value / leverage).")] = None,
    wallet_balance: Annotated[
        str | None, option("--wallet-balance", "Isolated margin (default: the initial margin).")
    ] = None,
    maintenance_margin_rate: Annotated[
        str | None, option("--maintenance-margin-rate", "Maintenance margin rate (0.005 = 0.5 %).")
    ] = None,
    maintenance_amount: Annotated[
        str | None, option("--maintenance-amount", "Maintenance amount (Binance cum, Bybit MM deduction).")
    ] = None,
    tiers: Annotated[
        str | None, option("--tiers", "Tier table: ccxt fetch_leverage_tiers() JSON file or shipped preset name.")
    ] = None,
    symbol: Annotated[
        str | None, option("--symbol", "Symbol, e.g. BTC/USDT:USDT (tiers, contract size, freqtrade files).")
    ] = None,
    max_leverage: Annotated[str | None, option("--max-leverage", "Hyperliquid: the asset's max leverage.")] = None,
    stop: Annotated[str | None, option("--stop", "Stop-loss price (triggers on the last-price candles).")] = None,
    target: Annotated[str | None, option("--target", "Take-profit price.")] = None,
    intrabar: Annotated[
        str, option("--intrabar", "Stop and target in one candle: " + ", ".join(INTRABAR_POLICIES)
                    + " (default pessimistic).")
    ] = "pessimistic",
    fee_rate: Annotated[
        str | None, option("--fee-rate", "Fee rate at entry and at a stop/target exit (default: preset taker).")
    ] = None,
    timeframe: Annotated[
        str | None, option("--timeframe", "With a freqtrade data folder: the timeframe, e.g. 1m.")
    ] = None,
    json: JsonFlag = False,
) -> None:
    from contractcalc.engines.replay import replay

    result = replay(
        candles,
        exchange=exchange,
        side=side,
        entry=parse_number("entry", entry),
        quantity=parse_number("quantity", quantity),
        contracts=parse_number("contracts", contracts),
        contract_size=parse_number("contract_size", contract_size),
        leverage=parse_number("leverage", leverage),
        wallet_balance=parse_number("wallet_balance", wallet_balance),
        maintenance_margin_rate=parse_number("maintenance_margin_rate", maintenance_margin_rate),
        maintenance_amount=parse_number("maintenance_amount", maintenance_amount),
        tiers=tiers,
        symbol=symbol,
        max_leverage=parse_number("max_leverage", max_leverage),
        stop=parse_number("stop", stop),
        target=parse_number("target", target),
        intrabar=intrabar,
        fee_rate=parse_number("fee_rate", fee_rate),
        mark_candles=mark_candles,
        funding=funding,
        timeframe=timeframe,
    ).to_dict()
    if json:
        emit(result, as_json=True, title="")
        return
    preset = exchange_preset(exchange)
    when = datetime.fromtimestamp(result["exit_time"] / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    notes = [f"Exit candle opened {when}; intrabar policy: {intrabar}."]
    if result["liquidation_price"] is None:
        notes.append("No liquidation by price: the margin covers a move to zero.")
    if result["exit_reason"] == "open":
        notes.append("Still open at the last candle: PnL unrealised at its close.")
    unit = "the base coin" if preset.contract == "inverse" else "the quote currency"
    notes.append(f"{preset.contract.capitalize()} contract ({preset.name}): amounts in {unit}.")
    emit(result, as_json=False, title=f"Replay ({preset.name}, isolated)", labels=LABELS, notes=notes)
