"""``contractcalc liquidation``: the liquidation price the way each exchange computes it.

Flags are parsed to ``Decimal`` and passed to :func:`contractcalc.liquidation_price`
under the same names; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

from contractcalc.engines.liquidation import MODEL_FORMULAS, liquidation_price, model_for
from contractcalc.interfaces.cli import app
from contractcalc.interfaces.cli._options import Contracts, JsonFlag, OptionalSide, Quantity, option
from contractcalc.interfaces.cli._output import emit, format_readable, parse_number
from contractcalc.venues.exchanges import EXCHANGES, exchange_preset
from contractcalc.venues.tiers import PRESET_TABLES

HELP = (
    "Liquidation price, bankruptcy price, maintenance margin and its tier, distance to liquidation.\n\n"
    "One position: --exchange, --side, --entry and --quantity (or --contracts), with --leverage "
    "(isolated margin defaults to the initial margin) or --wallet-balance, and the maintenance rate: "
    "--maintenance-margin-rate [--maintenance-amount], or --tiers FILE|PRESET --symbol SYMBOL "
    "(the tier is the one holding the notional at the liquidation price), or for hyperliquid "
    "--max-leverage (MMR = 1 / (2 × max leverage)).\n\n"
    "A cross account: --exchange, --wallet-balance and --positions FILE.json (a list of ccxt "
    "positions: symbol, side, contracts, contractSize, entryPrice, markPrice, and "
    "maintenanceMarginRate and maintenanceAmount unless --tiers holds the symbol).\n\n"
    "Shipped tier tables: " + ", ".join(PRESET_TABLES) + "."
)


LABELS = {
    "liquidation_price": "margin balance = requirement",
    "bankruptcy_price": "margin balance = 0",
    "maintenance_margin": "notional × rate − amount, at LP",
    "maintenance_margin_rate": "rate of the tier",
    "maintenance_amount": "cum / MM deduction of the tier",
    "tier": "holds the notional at LP",
    "tier_at_entry": "holds the entry notional",
    "initial_margin": "value at entry / leverage",
    "wallet_balance": "margin used (+ extra margin)",
    "distance_to_liquidation": "|LP − ref| / ref",
    "margin_ratio": "MM / margin balance at mark",
}


@app.command("liquidation", help=HELP)
def liquidation(
    exchange: Annotated[str, option("--exchange", "Exchange: " + ", ".join(EXCHANGES) + ".")],
    side: OptionalSide = None,
    entry: Annotated[str | None, option("--entry", "Entry (average open) price.")] = None,
    quantity: Quantity = None,
    contracts: Contracts = None,
    contract_size: Annotated[
        str | None, option("--contract-size", "Per contract: base units (linear) or USD (inverse).")
    ] = None,
    leverage: Annotated[str | None, option("--leverage", "Leverage (initial margin = value / leverage).")] = (
        None
    ),
    wallet_balance: Annotated[
        str | None, option("--wallet-balance", "Isolated: position margin (default: initial margin). "
                                  "Cross: the account's wallet balance.")
    ] = None,
    margin_mode: Annotated[
        str | None, option("--margin-mode", "isolated (default) or cross (default with --positions).")
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
    symbol: Annotated[str | None, option("--symbol", "Symbol in the tier file, e.g. BTC/USDT:USDT.")] = None,
    taker_fee_rate: Annotated[
        str | None, option("--taker-fee-rate", "Fee to close counted by okx-* (default: preset taker).")
    ] = None,
    max_leverage: Annotated[
        str | None, option("--max-leverage", "Hyperliquid: the asset's max leverage.")
    ] = None,
    extra_margin: Annotated[
        str | None, option("--extra-margin", "Margin added to an isolated position.")
    ] = None,
    mark: Annotated[str | None, option("--mark", "Current mark price (distance, margin ratio).")] = None,
    positions: Annotated[
        str | None, option("--positions", "Cross account: JSON file with a list of ccxt positions.")
    ] = None,
    json: JsonFlag = False,
) -> None:
    result = liquidation_price(
        exchange=exchange,
        side=side,
        entry=parse_number("entry", entry),
        quantity=parse_number("quantity", quantity),
        contracts=parse_number("contracts", contracts),
        contract_size=parse_number("contract_size", contract_size),
        leverage=parse_number("leverage", leverage),
        wallet_balance=parse_number("wallet_balance", wallet_balance),
        margin_mode=margin_mode,
        maintenance_margin_rate=parse_number("maintenance_margin_rate", maintenance_margin_rate),
        maintenance_amount=parse_number("maintenance_amount", maintenance_amount),
        tiers=tiers,
        symbol=symbol,
        taker_fee_rate=parse_number("taker_fee_rate", taker_fee_rate),
        max_leverage=parse_number("max_leverage", max_leverage),
        extra_margin=parse_number("extra_margin", extra_margin),
        mark=parse_number("mark", mark),
        positions=positions,
    )
    if json:
        emit(result, as_json=True, title="")
        return
    preset = exchange_preset(exchange)
    if positions is not None:
        _show_account(result, preset.name, preset.contract)
        return
    shown = {key: value for key, value in result.items() if key != "note"}
    emit(shown, as_json=False, title=f"Liquidation ({preset.name}, {margin_mode or 'isolated'})",
         labels=_labels(result, tiers, symbol, mark is not None),
         notes=_notes(result, preset.name, preset.contract, tiers, symbol))


def _labels(result: Mapping[str, Any], tiers: str | None, symbol: str | None, has_mark: bool) -> dict[str, str]:
    labels = dict(LABELS)
    if tiers is None:
        labels["tier"] = "rate given directly"
        labels["tier_at_entry"] = ""
    if not has_mark:
        labels["margin_ratio"] = "give --mark"
    elif result.get("margin_ratio") is None:
        labels["margin_ratio"] = "margin balance <= 0 at mark"
    labels["distance_to_liquidation"] += " (ref: mark)" if has_mark else " (ref: entry)"
    return labels


def _notes(
    result: Mapping[str, Any], exchange: str, contract: str, tiers: str | None, symbol: str | None
) -> list[str]:
    model = model_for(exchange_preset(exchange))
    notes = []
    if result.get("note"):
        notes.append(f"Note: {result['note']}.")
    if tiers is not None:
        notes.append(f"Tiers: {tiers}" + (f", {symbol}" if symbol else "") + ".")
    elif symbol is not None and result.get("tier") is not None:
        # the newest shipped table of the symbol (the engine's choice), with its date and age
        from contractcalc.venues.tiers import preset_tables_for

        newest = preset_tables_for(exchange, symbol)[0]
        notes.append(f"Tiers: {newest.name} (shipped, as of {newest.as_of}), found by --symbol {symbol}.")
    table = _shipped(tiers, exchange, symbol, result)
    if table is not None:
        from contractcalc.venues.tiers import stale_warning

        warning = stale_warning(table)
        if warning is not None:
            notes.append(f"WARNING: {warning}.")
    notes.append(f"{model.name} formula: {MODEL_FORMULAS[(model.name, contract)]}")
    if model.counts_close_fee:
        notes.append("The fee to close (taker rate × value at the liquidation price) counts towards the requirement.")
    if model.mm_at_entry:
        notes.append("Bybit values the maintenance margin (and picks its tier) at the entry price.")
    tier, at_entry = result.get("tier"), result.get("tier_at_entry")
    if tier is not None and at_entry is not None and tier != at_entry:
        notes.append(
            f"The tier at the liquidation price ({tier}) is not the tier at entry ({at_entry}): the exchange "
            "measures maintenance margin at the mark, which is the liquidation price when it liquidates."
        )
    notes.append(_units(contract))
    return notes


def _shipped(tiers: str | None, exchange: str, symbol: str | None, result: Mapping[str, Any]) -> Any:
    """The shipped table behind ``result``: named by --tiers, or the newest found by --symbol."""
    from contractcalc.venues.tiers import PRESET_TABLES, preset_tables_for

    if tiers is not None:
        return PRESET_TABLES.get(tiers)
    if symbol is not None and result.get("tier") is not None:
        found = preset_tables_for(exchange, symbol)
        return found[0] if found else None
    return None


def _units(contract: str) -> str:
    if contract == "inverse":
        return "Inverse contract: margins and amounts in the base coin; notional (for tiers) in coin."
    return "Linear contract: margins and amounts in the quote currency."


ACCOUNT_COLUMNS = (
    ("symbol", "symbol"),
    ("side", "side"),
    ("contracts", "size"),
    ("mark_price", "mark"),
    ("liquidation_price", "liquidation"),
    ("distance_to_liquidation", "distance"),
    ("maintenance_margin_rate", "rate"),
    ("tier", "tier"),
    ("unrealized_pnl", "PnL"),
)


def _show_account(result: Mapping[str, Any], exchange: str, contract: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Cross-margin liquidation ({exchange})", header_style="bold")
    for _, heading in ACCOUNT_COLUMNS:
        table.add_column(heading, justify="left" if heading in ("symbol", "side") else "right")
    notes: list[str] = []
    for row in result["positions"]:
        table.add_row(*[_cell(key, row[key]) for key, _ in ACCOUNT_COLUMNS])
        if row.get("note"):
            notes.append(f"{row['symbol']} {row['side']}: {row['note']}.")
    console = Console()
    console.width = max(console.width, 100)
    console.print(table)
    summary = Table(show_header=False)
    summary.add_column("quantity")
    summary.add_column("value", justify="right")
    for key in ("wallet_balance", "unrealized_pnl", "margin_balance", "maintenance_margin", "margin_ratio"):
        summary.add_row(key, format_readable(key, result[key]))
    console.print(summary)
    if any(row["hedged"] for row in result["positions"]):
        notes.append("Hedged legs (a long and a short of one symbol) share one liquidation price.")
    notes.append("Each price holds the other positions at their marks (their PnL and maintenance margin). "
                 "--json adds bankruptcy prices, maintenance margins and amounts.")
    notes.append(_units(contract))
    for note in notes:
        console.print(note, markup=False, highlight=False)


def _cell(key: str, value: Any) -> str:
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        value = round(Decimal(repr(value)) if isinstance(value, float) else value, 8 - Decimal(value).adjusted() - 1)
    if key in ("distance_to_liquidation", "maintenance_margin_rate") and value is not None:
        return format_readable("", value * 100) + " %"
    return format_readable("", value)
