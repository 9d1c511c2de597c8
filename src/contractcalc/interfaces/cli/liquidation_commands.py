"""``contractcalc liquidation``: the liquidation price the way each exchange computes it.

Flags are parsed to ``Decimal`` and passed to :func:`contractcalc.liquidation_price`
under the same names; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from contractcalc.interfaces.cli._command import command
from contractcalc.interfaces.cli._output import emit, format_readable, render, write
from contractcalc.interfaces.schema import LIQUIDATION


@command(LIQUIDATION)
def liquidation(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.engines.liquidation import liquidation_price
    from contractcalc.venues.exchanges import exchange_preset

    result = liquidation_price(**values)
    if as_json:
        emit(result, as_json=True, title="")
        return
    preset = exchange_preset(values["exchange"])
    tiers, symbol, mark = values["tiers"], values["symbol"], values["mark"]
    if values["positions"] is not None:
        _show_account(result, preset.name, preset.contract)
        return
    shown = {key: value for key, value in result.items() if key != "note"}
    emit(shown, as_json=False, title=f"Liquidation ({preset.name}, {values['margin_mode'] or 'isolated'})",
         labels=_labels(result, tiers, symbol, mark is not None),
         notes=_notes(result, preset.name, preset.contract, tiers, symbol))


def _labels(result: Mapping[str, Any], tiers: str | None, symbol: str | None, has_mark: bool) -> dict[str, str]:
    labels = LIQUIDATION.meanings
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
    from contractcalc.engines.liquidation import MODEL_FORMULAS, model_for
    from contractcalc.venues.exchanges import exchange_preset

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
    from rich.table import Table

    table = Table(title=f"Cross-margin liquidation ({exchange})", header_style="bold")
    for _, heading in ACCOUNT_COLUMNS:
        table.add_column(heading, justify="left" if heading in ("symbol", "side") else "right")
    notes: list[str] = []
    for row in result["positions"]:
        table.add_row(*[_cell(key, row[key]) for key, _ in ACCOUNT_COLUMNS])
        if row.get("note"):
            notes.append(f"{row['symbol']} {row['side']}: {row['note']}.")
    summary = Table(show_header=False)
    summary.add_column("quantity")
    summary.add_column("value", justify="right")
    for key in ("wallet_balance", "unrealized_pnl", "margin_balance", "maintenance_margin", "margin_ratio"):
        summary.add_row(key, format_readable(key, result[key]))
    if any(row["hedged"] for row in result["positions"]):
        notes.append("Hedged legs (a long and a short of one symbol) share one liquidation price.")
    notes.append("Each price holds the other positions at their marks (their PnL and maintenance margin). "
                 "--json adds bankruptcy prices, maintenance margins and amounts.")
    notes.append(_units(contract))
    write(render(table, summary, *notes, min_width=100))  # all rendered first: no half answer


def _cell(key: str, value: Any) -> str:
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        value = round(Decimal(repr(value)) if isinstance(value, float) else value, 8 - Decimal(value).adjusted() - 1)
    if key in ("distance_to_liquidation", "maintenance_margin_rate") and value is not None:
        return format_readable("", value * 100) + " %"
    return format_readable("", value)
