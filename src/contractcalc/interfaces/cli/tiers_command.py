"""``contractcalc tiers``: the tier tables with their dates, and fresh ones from the exchange through ccxt."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from contractcalc.interfaces.cli._command import command
from contractcalc.interfaces.schema import TIERS_LIST, TIERS_REFRESH


@command(TIERS_LIST)
def list_command(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.venues.tiers import PRESET_TABLES, STALE_AFTER_DAYS, table_age_days

    today = date.today()
    rows = []
    for preset in sorted(PRESET_TABLES.values(), key=lambda p: (p.exchange, p.symbol, p.as_of)):
        age = table_age_days(preset.as_of, today)
        rows.append({"name": preset.name, "exchange": preset.exchange, "symbol": preset.symbol,
                     "as_of": preset.as_of, "age_days": age,
                     "stale": age is not None and age > STALE_AFTER_DAYS, "source": preset.source})
    if as_json:
        sys.stdout.write(json.dumps({"tables": rows}) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Tier tables", show_header=True, header_style="bold")
    for column in ("name", "symbol", "as of", "age"):
        table.add_column(column, no_wrap=True)  # a name is typed back as --tiers NAME: never cut it
    table.add_column("source")
    for row in rows:
        shown = "—" if row["age_days"] is None else f"{row['age_days']} days" + (" (stale)" if row["stale"] else "")
        table.add_row(str(row["name"]), str(row["symbol"]), str(row["as_of"]), shown, str(row["source"]))
    console = Console(width=120)
    console.print(table)
    console.print(f"Tables older than {STALE_AFTER_DAYS} days are stale: exchanges change their tiers. "
                  "Fetch the current ones with: contractcalc tiers refresh --exchange E --symbol S")


@command(TIERS_REFRESH)
def refresh_command(values: dict[str, Any], as_json: bool) -> None:
    from contractcalc.io.tier_refresh import refresh_tiers, write_tier_document

    document = refresh_tiers(values["exchange"], values["symbol"] or None)
    path = write_tier_document(document, values["out"])
    summary = {"path": str(path), "exchange": document["exchange"], "fetched_at": document["fetched_at"],
               "source": document["source"],
               "symbols": {name: len(tiers) for name, tiers in document["tiers"].items()}}
    if as_json:
        sys.stdout.write(json.dumps(summary) + "\n")
        return
    sys.stdout.write(f"wrote {path}\n")
    for name, count in summary["symbols"].items():
        sys.stdout.write(f"  {name}: {count} tiers, fetched {document['fetched_at']} ({document['source']})\n")
