"""``contractcalc stress``: shock every mark of a book and see who is liquidated and what it costs.

All the work is :func:`contractcalc.engines.stress.run_stress`; here the flags
are passed through, a progress bar is drawn on stderr for long runs (a
terminal, no ``--json``), and the ladder is printed once it is complete.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from contractcalc.interfaces.cli._output import emit, format_readable, parse_number

HELP = (
    "Book stress: move every mark by each shock (mark × (1 + k)) and count the margin pools liquidated "
    "(an account's cross positions with its wallet, or one isolated position with its margin), the positions "
    "in them, their notional at the shocked marks and the shortfall (how far their margin balance falls "
    "below zero).\n\n"
    "--positions FILE: CSV, Parquet or JSON lines with account, symbol, side, quantity (or contracts "
    "[contract_size]), entry, mark, margin_mode, leverage or wallet_balance (an isolated position's margin), "
    "maintenance_margin_rate [maintenance_amount] unless --tiers holds the symbol. --accounts FILE: account, "
    "wallet_balance (the cross wallets).\n\n"
    "--shocks FROM:TO:STEP (both ends included, e.g. --shocks=-0.5:0.5:0.01) or --scenarios FILE|span:RANGE "
    "(a JSON/CSV file of per-symbol moves, or CME SPAN's 16 scenarios for a price-scan range). "
    "--output FILE (.csv or .parquet) writes per account the move that first liquidates it on the way down "
    "and up (solved exactly), its margin balance, maintenance margin and margin ratio now. "
    "--backend dask runs on a Dask cluster (--scheduler ADDRESS, else a local one)."
)

FLAG_HELP = {
    "positions": "Book: CSV, Parquet or JSON lines file of positions.",
    "accounts": "Cross wallets: CSV, Parquet or JSON lines file with account, wallet_balance.",
    "exchange": "Exchange preset (its contract kind and liquidation model).",
    "tiers": "Tier table: ccxt fetch_leverage_tiers() JSON file or shipped preset name.",
    "shocks": "FROM:TO:STEP, relative moves of every mark (both ends included).",
    "scenarios": "Instead of --shocks: scenario file (JSON or CSV: scenario, symbol, shock) or span:RANGE.",
    "backend": "local (default: in-process, NumPy) or dask.",
    "scheduler": "With --backend dask: address of a running Dask scheduler (default: start a local cluster).",
    "output": "Write the per-account first-liquidation moves and margins here (.csv or .parquet).",
    "taker_fee_rate": "Fee to close counted by okx-* (default: the preset's taker rate).",
}


def _progress(as_json: bool) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A Rich progress bar on stderr when it is a terminal and the output is not JSON."""
    if as_json or not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("stress"), BarColumn(), TextColumn("{task.completed}/{task.total} chunks"),
                   TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    task = bar.add_task("stress", total=None)
    started = False

    def update(done: int, total: int) -> None:
        nonlocal started
        if not started:
            bar.start()
            started = True
        bar.update(task, completed=done, total=total)

    def stop() -> None:
        if started:
            bar.stop()

    return update, stop


def handle(values: Mapping[str, Any], as_json: bool) -> None:
    """Run the stress for the parsed flags (``values`` by keyword) and print the ladder."""
    from contractcalc.engines.stress import run_stress

    fee = parse_number("taker_fee_rate", values.get("taker_fee_rate"))
    progress, stop = _progress(as_json)
    try:
        result, _ = run_stress(
            values["positions"], values.get("accounts"), exchange=values["exchange"], tiers=values.get("tiers"),
            shocks=values.get("shocks"), scenarios=values.get("scenarios"),
            backend=values.get("backend") or "local", scheduler=values.get("scheduler"),
            output=values.get("output"), taker_fee_rate=None if fee is None else float(fee), progress=progress)
    finally:
        stop()
    data = result.to_dict()
    if as_json:
        emit(data, as_json=True, title="")
        return
    _show(data, values)


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key in ("notional_liquidated", "shortfall") and isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1 else format_readable("", Decimal(repr(value)).normalize())
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if key == "shock" and isinstance(value, Decimal):
        return format_readable("", round(value * 100, 4).normalize()) + " %"
    return format_readable("", value)


def _show(data: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    ladder = data["ladder"]
    scenario = bool(ladder) and "scenario" in ladder[0]
    keys = (["scenario", "shock", "weight"] if scenario else ["shock"]) + [
        "accounts_liquidated", "positions_liquidated", "notional_liquidated", "shortfall"]
    headings = {"accounts_liquidated": "accounts", "positions_liquidated": "positions",
                "notional_liquidated": "notional", "shortfall": "shortfall"}
    backend = values.get("backend") or "local"
    table = Table(title=f"Stress ladder ({values['exchange']}, {backend})", header_style="bold")
    for key in keys:
        table.add_column(headings.get(key, key), justify="left" if key == "scenario" else "right")
    for row in ladder:
        table.add_row(*[_cell(key, row[key]) for key in keys])
    console = Console()
    console.width = max(console.width, 100)
    console.print(table)
    notes = [f"{data['positions']:,} positions in {data['accounts']:,} accounts. A pool is liquidated when its "
             "margin balance at the shocked marks is at or below its maintenance requirement there.",
             "notional: value of the liquidated pools' positions at the shocked marks; shortfall: how far their "
             "margin balance falls below zero (what an insurance fund pays)."]
    if values.get("output"):
        notes.append(f"Per-account first-liquidation moves written to {values['output']}.")
    for note in notes:
        console.print(note, markup=False, highlight=False)


# ---------------------------------------------------------------------------
# Registration on the command line (typer)

from typing import Annotated  # noqa: E402

from contractcalc.interfaces.cli import app  # noqa: E402
from contractcalc.interfaces.cli._options import JsonFlag, option  # noqa: E402


@app.command("stress", help=HELP)
def stress(
    positions: Annotated[str, option("--positions", FLAG_HELP["positions"])],
    exchange: Annotated[str, option("--exchange", FLAG_HELP["exchange"])],
    accounts: Annotated[str | None, option("--accounts", FLAG_HELP["accounts"])] = None,
    tiers: Annotated[str | None, option("--tiers", FLAG_HELP["tiers"])] = None,
    shocks: Annotated[str | None, option("--shocks", FLAG_HELP["shocks"])] = None,
    scenarios: Annotated[str | None, option("--scenarios", FLAG_HELP["scenarios"])] = None,
    backend: Annotated[str, option("--backend", FLAG_HELP["backend"])] = "local",
    scheduler: Annotated[str | None, option("--scheduler", FLAG_HELP["scheduler"])] = None,
    output: Annotated[str | None, option("--output", FLAG_HELP["output"])] = None,
    taker_fee_rate: Annotated[str | None, option("--taker-fee-rate", FLAG_HELP["taker_fee_rate"])] = None,
    json: JsonFlag = False,
) -> None:
    handle({"positions": positions, "accounts": accounts, "exchange": exchange, "tiers": tiers, "shocks": shocks,
            "scenarios": scenarios, "backend": backend, "scheduler": scheduler, "output": output,
            "taker_fee_rate": taker_fee_rate}, json)
