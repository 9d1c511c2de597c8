"""``contractcalc tiers``: the tier tables, their dates, and fresh ones from the exchange."""

from __future__ import annotations

import json as json_module
import sys
from datetime import date
from typing import Annotated

import typer

from contractcalc.interfaces.cli import app
from contractcalc.interfaces.cli._options import JsonFlag, option
from contractcalc.venues.exchanges import EXCHANGES

tiers_app = typer.Typer(
    help="Maintenance-margin tier tables: list the shipped ones with their dates, refresh them through ccxt.",
    no_args_is_help=True,
)
app.add_typer(tiers_app, name="tiers")


@tiers_app.command("list")
def list_tables(json: JsonFlag = False) -> None:
    """The tier tables contractcalc knows, newest first per market, with their source, date and age."""
    from contractcalc.venues.tiers import PRESET_TABLES, STALE_AFTER_DAYS, table_age_days

    today = date.today()
    rows = []
    for preset in sorted(PRESET_TABLES.values(), key=lambda p: (p.exchange, p.symbol, p.as_of), reverse=False):
        age = table_age_days(preset.as_of, today)
        rows.append({"name": preset.name, "exchange": preset.exchange, "symbol": preset.symbol,
                     "as_of": preset.as_of, "age_days": age,
                     "stale": age is not None and age > STALE_AFTER_DAYS, "source": preset.source})
    if json:
        sys.stdout.write(json_module.dumps({"tables": rows}) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Tier tables", show_header=True, header_style="bold")
    for column in ("name", "symbol", "as of", "age", "source"):
        table.add_column(column)
    for row in rows:
        shown = "—" if row["age_days"] is None else f"{row['age_days']} days" + (" (stale)" if row["stale"] else "")
        table.add_row(str(row["name"]), str(row["symbol"]), str(row["as_of"]), shown, str(row["source"]))
    console = Console(width=120)
    console.print(table)
    console.print(f"Tables older than {STALE_AFTER_DAYS} days are stale: exchanges change their tiers. "
                  "Fetch the current ones with: contractcalc tiers refresh --exchange E --symbol S")


@tiers_app.command("refresh")
def refresh(
    exchange: Annotated[str, option("--exchange", "Exchange preset: " + ", ".join(EXCHANGES) + ".")],
    symbol: Annotated[list[str] | None, option(
        "--symbol", "Market to fetch, e.g. BTC/USDT:USDT (repeat for more; default: every market).")] = None,
    out: Annotated[str | None, option(
        "--out", "Folder to write to (default: beside the shipped tables, where it becomes a preset).")] = None,
    json: JsonFlag = False,
) -> None:
    """Fetch the exchange's leverage tiers through ccxt (pip install 'contractcalc[ccxt]').

    Completes each tier's maintenance amount (cum) by the recurrence where the exchange
    leaves it out, and writes a versioned JSON with fetched_at and source:
    <exchange>-<SYMBOL>-<YYYY-MM-DD>.json. Binance's tiers need an API key: set
    CCXT_API_KEY and CCXT_SECRET in the environment.
    """
    from contractcalc.io.tier_refresh import refresh_tiers, write_tier_document

    document = refresh_tiers(exchange, symbol or None)
    path = write_tier_document(document, out)
    summary = {"path": str(path), "exchange": document["exchange"], "fetched_at": document["fetched_at"],
               "source": document["source"],
               "symbols": {name: len(tiers) for name, tiers in document["tiers"].items()}}
    if json:
        sys.stdout.write(json_module.dumps(summary) + "\n")
        return
    sys.stdout.write(f"wrote {path}\n")
    for name, count in summary["symbols"].items():
        sys.stdout.write(f"  {name}: {count} tiers, fetched {document['fetched_at']} ({document['source']})\n")
