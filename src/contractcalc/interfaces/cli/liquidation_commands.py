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

    if values["book"] is not None or values["accounts"] is not None or values["output"] is not None:
        _show_book(values, as_json)
        return
    del values["book"], values["accounts"], values["output"]
    if values["positions"] is None:
        _every_missing_flag(values)
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
    notes = _notes(result, preset.name, preset.contract, tiers, symbol, values["margin_mode"] == "cross")
    if values["round"]:
        from contractcalc.venues.markets import rounding_note

        notes.insert(0, rounding_note(preset.name, symbol, result))
    emit(shown, as_json=False, title=f"Liquidation ({preset.name}, {values['margin_mode'] or 'isolated'})",
         labels=_labels(result, tiers, symbol, mark is not None), notes=notes)


def _every_missing_flag(values: Mapping[str, Any]) -> None:
    """One position's missing flags all in one message, as click reports the required options of other commands.

    With a single flag missing, the library's own message (which says what to give) is kept.
    """
    import click

    from contractcalc.interfaces.schema import missing_position_inputs

    missing = missing_position_inputs(values)
    if len(missing) >= 2:
        flags = ["'--" + names[0].replace("_", "-") + "'"
                 + "".join(f" (or '--{other.replace('_', '-')}')" for other in names[1:]) for names in missing]
        raise click.UsageError("missing options " + ", ".join(flags) + ".")


def _labels(result: Mapping[str, Any], tiers: str | None, symbol: str | None, has_mark: bool) -> dict[str, str]:
    labels = LIQUIDATION.meanings
    if tiers is None and result.get("tier") is None:  # no table: neither --tiers nor one found by --symbol
        labels["tier"] = "rate given directly"
        labels["tier_at_entry"] = "no tier table"
    if not has_mark:
        labels["margin_ratio"] = "give --mark"
    elif result.get("margin_ratio") is None:
        labels["margin_ratio"] = "margin balance <= 0 at mark"
    labels["distance_to_liquidation"] += " (ref: mark)" if has_mark else " (ref: entry)"
    return labels


def _notes(
    result: Mapping[str, Any], exchange: str, contract: str, tiers: str | None, symbol: str | None,
    cross: bool = False,
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
    if model.close_fee_at_bankruptcy and cross:
        if "fee_to_close" in result:
            notes.append("Bybit cross: the fee to close (taker rate × value at the bankruptcy price) is part of the "
                         "requirement and of the bankruptcy price. Bybit shows prices rounded to the tick, a long's "
                         "up and a short's down.")
        else:
            notes.append("Bybit cross counts the fee to close at the bankruptcy price: give --taker-fee-rate "
                         "(e.g. 0.055%) to include it.")
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


#: The columns of the book table (at most :data:`BOOK_ROWS_SHOWN` rows; --output and --json hold them all).
BOOK_COLUMNS = (
    ("account", "account"), ("symbol", "symbol"), ("side", "side"), ("margin_mode", "mode"),
    ("mark_price", "mark"), ("liquidation_price", "liquidation"), ("distance_to_liquidation", "distance"),
    ("tier", "tier"), ("unrealized_pnl", "PnL"),
)
BOOK_ROWS_SHOWN = 40


def _book_error(error: Any, field: str) -> Any:
    """An error about a column of the book (or accounts) file, named by the file's flag."""
    from contractcalc.errors import InputError

    if error.field in ("book", "accounts", "output", "exchange", "tiers", "taker_fee_rate"):
        return error
    rule = f"column '{error.field}' {error.rule}".replace("'tiers'", "'--tiers'")  # the CLI's words: flags
    if not error.has_value:  # a column missing altogether: no value to show
        return InputError(field, rule)
    return InputError(field, rule, error.value, error.index)


def _show_book(values: dict[str, Any], as_json: bool) -> None:
    """``liquidation --book FILE [--accounts FILE] [--output FILE]``: every position's price, per account sums."""
    from contractcalc.engines.book import book_liquidation
    from contractcalc.errors import InputError
    from contractcalc.io.books import read_accounts, read_book, write_table

    book_path, accounts_path, output = values.pop("book"), values.pop("accounts"), values.pop("output")
    if book_path is None:
        raise InputError("book", f"is required with {'--accounts' if accounts_path is not None else '--output'}")
    for name in ("side", "entry", "quantity", "contracts", "contract_size", "leverage", "wallet_balance",
                 "margin_mode", "maintenance_margin_rate", "maintenance_amount", "symbol", "max_leverage",
                 "extra_margin", "mark", "positions"):
        if values.get(name) is not None:
            raise InputError(name, "does not go with --book (give it per row of the book)", values[name])
    if values.get("round"):
        raise InputError("round", "does not go with --book (the book's prices are not rounded)")
    import os.path  # not pathlib: a one-shot answer does not import it (tests/test_cli_startup.py)

    suffix = os.path.splitext(output or "")[1].lower()
    if output is not None and suffix in (".jsonl", ".ndjson", ".json"):
        raise InputError("output", "must be a .csv or .parquet file (JSON lines are read, not written)", output)
    if output is not None and suffix not in (".csv", ".parquet", ".pq"):  # not the readers' list: no .jsonl
        raise InputError("output", "must be a .csv, .parquet or .pq file", output)
    try:
        book = read_book(book_path)
    except InputError as error:
        raise _book_error(error, "book") from None
    try:
        accounts = read_accounts(accounts_path) if accounts_path is not None else None
    except InputError as error:
        raise _book_error(error, "accounts") from None
    fee = values.get("taker_fee_rate")
    try:
        result = book_liquidation(book, accounts, exchange=values["exchange"], tiers=values["tiers"],
                                  taker_fee_rate=None if fee is None else float(fee))
    except InputError as error:
        raise _book_error(error, "book") from None
    data = result.to_dict()  # everything is computed before anything is written or printed
    if output is not None:
        write_table(output, result.positions.to_dict())
    if as_json:
        emit(data, as_json=True, title="")
        return
    _print_book(data, values["exchange"], output)


def _print_book(data: Mapping[str, Any], exchange: str, output: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from contractcalc.venues.exchanges import exchange_preset

    positions, accounts = data["positions"], data["accounts"]
    console = Console()
    console.width = max(console.width, 110)
    table = Table(title=f"Book liquidation ({exchange}): {len(positions):,} positions, {len(accounts):,} accounts",
                  header_style="bold")
    for _, heading in BOOK_COLUMNS:
        table.add_column(heading, justify="left" if heading in ("account", "symbol", "side", "mode") else "right")
    for row in positions[:BOOK_ROWS_SHOWN]:
        table.add_row(*[_cell(key, row[key]) if key != "tier" or row[key] else "—" for key, _ in BOOK_COLUMNS])
    console.print(table)
    summary = Table(title="Cross accounts at the marks", header_style="bold")
    keys = ("account", "wallet_balance", "unrealized_pnl", "margin_balance", "maintenance_margin", "margin_ratio")
    for key in keys:
        summary.add_column(key, justify="left" if key == "account" else "right")
    cross = [row for row in accounts if row["wallet_balance"] or row["maintenance_margin"]]
    for row in cross[:BOOK_ROWS_SHOWN]:
        summary.add_row(*[_cell(key, row[key]) for key in keys])
    if cross:
        console.print(summary)
    notes = []
    hidden = len(positions) - BOOK_ROWS_SHOWN
    if hidden > 0 or len(cross) > BOOK_ROWS_SHOWN:
        notes.append(f"The first {BOOK_ROWS_SHOWN} rows are shown; --output FILE (.csv or .parquet) or --json "
                     "hold every one.")
    if output is not None:
        notes.append(f"Wrote {len(positions):,} rows to {output}.")
    notes.append("Cross: the account's other positions held at their marks; hedged legs share one price.")
    notes.append("Isolated: the position's own margin (wallet_balance, or value at entry / leverage).")
    notes.append(_units(exchange_preset(exchange).contract))
    for note in notes:
        console.print(note, markup=False, highlight=False)
