"""``contractcalc stress``: shock every mark of a book and see who is liquidated and what it costs.

All the work is :func:`contractcalc.engines.stress_run.run_stress`; here the flags
are passed through, a progress bar is drawn on stderr for long runs (a
terminal, no ``--json``), and the ladder is printed once it is complete.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from contractcalc.interfaces.cli._output import emit, format_readable, parse_number, render, write


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
    from contractcalc.engines.stress_run import run_stress

    fee = parse_number("taker_fee_rate", values.get("taker_fee_rate"))
    depth = parse_number("cascade", values.get("cascade"))
    progress, stop = _progress(as_json)
    try:
        result, _ = run_stress(
            values["positions"], values.get("accounts"), exchange=values["exchange"], tiers=values.get("tiers"),
            shocks=values.get("shocks"), scenarios=values.get("scenarios"),
            backend=values.get("backend") or "local", scheduler=values.get("scheduler"),
            output=values.get("output"), taker_fee_rate=None if fee is None else float(fee), progress=progress,
            cascade=None if depth is None else float(depth))
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
    if key == "cascade_shock" and isinstance(value, float):
        return format_readable("", round(Decimal(repr(value)) * 100, 4).normalize()) + " %"
    if key == "shock" and isinstance(value, Decimal):
        return format_readable("", round(value * 100, 4).normalize()) + " %"
    return format_readable("", value)


def _show(data: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    from rich.table import Table

    ladder = data["ladder"]
    scenario = bool(ladder) and "scenario" in ladder[0]
    keys = (["scenario", "shock", "weight"] if scenario else ["shock"]) + (
        ["cascade_shock"] if ladder and "cascade_shock" in ladder[0] else []) + [
        "accounts_liquidated", "positions_liquidated", "notional_liquidated", "shortfall"]
    headings = {"cascade_shock": "after cascade", "accounts_liquidated": "accounts",
                "positions_liquidated": "positions", "notional_liquidated": "notional", "shortfall": "shortfall"}
    backend = values.get("backend") or "local"
    table = Table(title=f"Stress ladder ({values['exchange']}, {backend})", header_style="bold")
    for key in keys:
        table.add_column(headings.get(key, key), justify="left" if key == "scenario" else "right")
    for row in ladder:
        table.add_row(*[_cell(key, row[key]) for key in keys])
    notes = [f"{data['positions']:,} positions in {data['accounts']:,} accounts. A pool is liquidated when its "
             "margin balance at the shocked marks is at or below its maintenance requirement there.",
             "notional: value of the liquidated pools' positions at the shocked marks; shortfall: how far their "
             "margin balance falls below zero (what an insurance fund pays)."]
    if values.get("output"):
        notes.append(f"Per-account first-liquidation moves written to {values['output']}.")
    write(render(table, *notes, min_width=100))  # all rendered first: no half answer


# ---------------------------------------------------------------------------
# Registration on the command line (fields, flags and help: schema.STRESS)

from contractcalc.interfaces.cli._command import command  # noqa: E402
from contractcalc.interfaces.schema import STRESS  # noqa: E402


@command(STRESS)
def stress(values: dict[str, Any], as_json: bool) -> None:
    handle(values, as_json)
