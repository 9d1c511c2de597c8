"""``contractcalc stress`` end to end: check the options, read the book, pick a backend, write the table.

The entry point of book stress (the CLI, the web API and the benchmarks call
:func:`run_stress`).  The math lives in :mod:`contractcalc.engines.stress` (the
kernel: it imports no backend); ``--backend dask`` hands the same kernel to
:mod:`contractcalc.engines.stress_dask`, imported only when asked for.  This
module sits above both, so neither imports it and there is no cycle.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from contractcalc.book import BOOK_COLUMNS, Accounts, Book
from contractcalc.engines.stress import (
    MAX_SHOCKS,
    AccountMoves,
    ProgressCallback,
    Scenario,
    StressBook,
    StressResult,
    account_moves,
    as_float_shocks,
    close_fee_rates,
    parse_shocks,
    prepare_book,
    span_scenarios,
    stress,
)
from contractcalc.errors import InputError
from contractcalc.io.books import load_book, relabel_column_error
from contractcalc.venues.exchanges import exchange_preset

__all__ = ["BACKENDS", "load_book", "run_stress", "scenarios_from"]

#: The backends ``run_stress`` (``--backend``) takes.
BACKENDS = ("local", "dask")


def scenarios_from(spec: str) -> list[Scenario]:
    """``span:RANGE`` (CME SPAN's 16 scenarios for a price-scan range) or a scenario file.

    >>> len(scenarios_from("span:0.15"))
    16
    """
    if isinstance(spec, str) and spec.lower().startswith("span:"):
        try:
            scan = Decimal(spec.split(":", 1)[1].strip())
        except InvalidOperation:
            raise InputError("scenarios", "span's price-scan range must be a number, e.g. span:0.15", spec) from None
        return span_scenarios(scan)
    from contractcalc.io.stress_files import read_scenarios

    items = read_scenarios(spec)
    if not items:
        raise InputError("scenarios", "must hold at least one scenario", spec)
    if len(items) > MAX_SHOCKS:
        raise InputError("scenarios", f"must hold at most {MAX_SHOCKS} scenarios", len(items))
    out = []
    for item in items:
        moves = [item["shock"], *item["shocks"].values()]
        for move in moves:
            if move <= -1:
                raise InputError("scenarios", f"'{item['name']}': a move must be > -1 (-100 % leaves no price)",
                                 str(move))
        if item["weight"] < 0:
            raise InputError("scenarios", f"'{item['name']}': 'weight' must be >= 0", str(item["weight"]))
        out.append(Scenario(item["name"], item["shock"], dict(item["shocks"]), item["weight"]))
    return out


def run_stress(
    positions: Any,
    accounts: Any = None,
    *,
    exchange: str,
    tiers: Any = None,
    shocks: str | Sequence[Any] | None = None,
    scenarios: str | Sequence[Scenario] | None = None,
    backend: str = "local",
    scheduler: str | None = None,
    output: str | os.PathLike[str] | None = None,
    taker_fee_rate: float | None = None,
    progress: ProgressCallback | None = None,
    with_moves: bool = False,
    max_shocks: int = MAX_SHOCKS,
    cascade: float | None = None,
) -> tuple[StressResult, AccountMoves | None]:
    """Everything ``contractcalc stress`` does: check the options, read the book, run a backend, write ``output``.

    ``shocks``: ``FROM:TO:STEP`` or a list of moves; ``scenarios``: ``span:RANGE``,
    a scenario file or :class:`Scenario` objects (exactly one of the two).
    ``taker_fee_rate``: OKX's fee to close at the mark, Bybit cross's at the
    bankruptcy price (:func:`~contractcalc.engines.stress.close_fee_rates`);
    refused for the exchanges whose rule has none.
    Returns the ladder and, with ``output`` or ``with_moves``, the per-account moves.
    """
    if backend not in BACKENDS:
        raise InputError("backend", "must be local or dask", backend)
    if scheduler is not None and backend != "dask":
        raise InputError("scheduler", "goes with --backend dask", scheduler)
    if (shocks is None) == (scenarios is None):
        raise InputError("shocks", "or --scenarios is required (exactly one of them)")
    if cascade is not None:
        if backend != "local":
            raise InputError("cascade", "runs on the local backend", cascade)
        if scenarios is not None:
            raise InputError("cascade", "goes with --shocks (uniform moves), not --scenarios", cascade)
        if not (cascade > 0 and math.isfinite(cascade)):
            raise InputError("cascade", "must be a depth > 0 (the notional that moves the price by 100 %)", cascade)
    # a taker rate the exchange's rule has no place for is refused before any file is read or cluster started
    close_fee_rates(exchange_preset(exchange), taker_fee_rate)
    if output is not None:
        from contractcalc.io.stress_files import check_output

        check_output(output)
    grid: list[Any]
    if shocks is not None:
        grid = parse_shocks(shocks) if isinstance(shocks, str) else list(shocks)
        as_float_shocks(grid)
    else:
        assert scenarios is not None
        grid = scenarios_from(scenarios) if isinstance(scenarios, str) else list(scenarios)
    if len(grid) > max_shocks:
        raise InputError("shocks" if shocks is not None else "scenarios", f"must hold at most {max_shocks:,} shocks",
                         len(grid))
    with_moves = with_moves or output is not None
    if backend == "dask":
        from contractcalc.engines.stress_dask import dask_stress

        result, moves = dask_stress(positions, accounts, exchange=exchange, tiers=tiers, shocks=grid,
                                    scheduler=scheduler, with_moves=with_moves,
                                    taker_fee_rate=taker_fee_rate)
    else:
        book, wallets = load_book(positions, accounts)
        prepared = _prepare_labelled(book, wallets, exchange, tiers, taker_fee_rate)
        result = stress(prepared, grid, progress, cascade_depth=cascade)
        moves = account_moves(prepared) if with_moves else None
    if output is not None and moves is not None:
        from contractcalc.io.stress_files import write_output

        write_output(output, moves.to_columns())
    return result, moves


def _prepare_labelled(book: Book, wallets: Accounts | None, exchange: str, tiers: Any,
                      taker_fee_rate: float | None) -> StressBook:
    try:
        return prepare_book(book, wallets, exchange=exchange, tiers=tiers, taker_fee_rate=taker_fee_rate)
    except InputError as error:
        raise relabel_column_error(error, "positions", BOOK_COLUMNS) from None
