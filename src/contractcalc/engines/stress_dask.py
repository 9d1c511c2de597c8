"""The stress ladder on a Dask cluster: the same kernel per partition of whole accounts.

1. read the book (and the accounts) as Dask DataFrames (Parquet row groups,
   CSV/JSON lines blocks);
2. shuffle both by ``account`` once, into the same number of partitions: the
   hash of an account picks its partition in both frames, so every account's
   positions and its wallet row meet in one partition;
3. ``map_partitions`` runs :func:`contractcalc.engines.stress.prepare_book`
   and :func:`~contractcalc.engines.stress.stress_ladder` on each partition
   (pandas in, a small frame of per-shock sums out);
4. the sums are added on the client.

Counts are integers summed exactly, so they equal the local backend's to the
last digit; the notional and shortfall sums may differ in the last bits (the
order of the additions differs).  ``scheduler`` connects to a running
cluster (``tcp://host:8786``); without it a :class:`distributed.LocalCluster`
is started for the run and closed after.  Needs ``contractcalc[dask]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from contractcalc.engines.stress import (
    AccountMoves,
    StressResult,
    account_moves,
    prepare_book,
    stress_ladder,
)
from contractcalc.errors import InputError
from contractcalc.io.books import load_book

__all__ = ["dask_stress"]

_NO_VALUE = InputError("x", "y").value  # the sentinel of "no value given"


class _PartitionError(Exception):
    """An :class:`InputError` raised in a worker, carried back as plain picklable arguments."""

    def __init__(self, field: str, rule: str, has_value: bool, value: Any) -> None:
        super().__init__(field, rule, has_value, value)

    def input_error(self) -> InputError:
        field, rule, has_value, value = self.args
        return InputError(field, rule, value) if has_value else InputError(field, rule)


def _tiers_for_workers(tiers: Any) -> Any:
    """A tier file read once on the client (its JSON travels with the graph); presets stay names."""
    from contractcalc.venues.tiers import PRESET_TABLES

    if tiers is None or (isinstance(tiers, str) and tiers in PRESET_TABLES) or not isinstance(tiers, str):
        return tiers
    from contractcalc.io.files import read_json

    return read_json(tiers, field="tiers")


def _partition(positions: Any, accounts: Any, *, exchange: str, tiers: Any, shocks: Sequence[Any],
               taker_fee_rate: float | None, moves: bool) -> Any:
    """One partition's ladder sums (rows 0..G−1) and its position and account counts (row −1)."""
    import pandas as pd

    if len(positions) == 0:
        if moves:
            return pd.DataFrame({key: [] for key in AccountMoves.KEYS})
        return pd.DataFrame({"row": [-1], "a": [0.0], "p": [0.0], "n": [0.0], "s": [0.0]})
    try:
        book, wallets = load_book(positions.reset_index(drop=True),
                                  None if accounts is None or len(accounts) == 0 else accounts.reset_index(drop=True))
        prepared = prepare_book(book, wallets, exchange=exchange, tiers=tiers, taker_fee_rate=taker_fee_rate)
        if moves:
            return pd.DataFrame(account_moves(prepared).to_columns())
        sums = stress_ladder(prepared, shocks)
    except InputError as error:
        raise _PartitionError(error.field, error.rule, error.value is not _NO_VALUE,
                              None if error.value is _NO_VALUE else error.value) from None
    rows = np.arange(-1, sums.shape[1])
    return pd.DataFrame({"row": rows, "a": np.r_[prepared.accounts, sums[0]], "p": np.r_[prepared.positions, sums[1]],
                         "n": np.r_[0.0, sums[2]], "s": np.r_[0.0, sums[3]]})


def dask_stress(
    positions: Any,
    accounts: Any = None,
    *,
    exchange: str,
    tiers: Any = None,
    shocks: Sequence[Any],
    scheduler: str | None = None,
    with_moves: bool = False,
    taker_fee_rate: float | None = None,
    npartitions: int | None = None,
    cluster_options: dict[str, Any] | None = None,
) -> tuple[StressResult, AccountMoves | None]:
    """The ladder (and, ``with_moves``, the per-account moves) computed on a Dask cluster."""
    from contractcalc.io.dask_books import read_frame

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("backend", "dask needs Dask installed (pip install 'contractcalc[dask]')", "dask") from None
    frame = read_frame(positions, field="positions")
    if "account" not in frame.columns:
        raise InputError("positions", "column 'account' is a required column (missing)")
    wallets = read_frame(accounts, field="accounts") if accounts is not None else None
    if wallets is not None and "account" not in wallets.columns:
        raise InputError("accounts", "must have the column 'account' (missing)")
    tiers = _tiers_for_workers(tiers)
    import logging

    for name in ("distributed", "distributed.shuffle", "distributed.nanny"):  # per-run notices are not for users
        logging.getLogger(name).setLevel(logging.ERROR)
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as error:
            raise InputError("scheduler", f"must be a reachable Dask scheduler ({error})", scheduler) from None
        cluster = None
    else:
        options = {"processes": True, "n_workers": 2, "threads_per_worker": 1, "dashboard_address": None}
        options.update(cluster_options or {})
        cluster = LocalCluster(**options)
        client = Client(cluster)
    try:
        parts = npartitions or max(frame.npartitions, 1)
        # one shuffle of each frame by account, into the same partitions
        frame = frame.assign(account=frame["account"].astype(str)).shuffle(on="account", npartitions=parts)
        if wallets is not None:
            wallets = wallets.assign(account=wallets["account"].astype(str)).shuffle(on="account", npartitions=parts)
        kwargs = {"exchange": exchange, "tiers": tiers, "shocks": list(shocks), "taker_fee_rate": taker_fee_rate}
        import dask.dataframe as dd
        import pandas as pd

        meta = pd.DataFrame({"row": pd.Series(dtype="int64"), "a": pd.Series(dtype="float64"),
                             "p": pd.Series(dtype="float64"), "n": pd.Series(dtype="float64"),
                             "s": pd.Series(dtype="float64")})
        args = (frame, wallets) if wallets is not None else (frame, None)
        try:
            from dask.base import compute

            ladder_graph = dd.map_partitions(_partition, *args, meta=meta, align_dataframes=False, moves=False,
                                             **kwargs)
            graphs = [ladder_graph]
            if with_moves:  # the same shuffle feeds both: one compute
                moves_meta = pd.DataFrame({"account": pd.Series(dtype="object"),
                                           "positions": pd.Series(dtype="int64"),
                                           **{key: pd.Series(dtype="float64") for key in AccountMoves.KEYS[2:]}})
                graphs.append(dd.map_partitions(_partition, *args, meta=moves_meta, align_dataframes=False,
                                                moves=True, **kwargs))
            computed = compute(*graphs)
            partial = computed[0]
            table = computed[1] if with_moves else None
        except _PartitionError as error:
            raise error.input_error() from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    sums = partial.groupby("row")[["a", "p", "n", "s"]].sum().sort_index()
    totals = sums.loc[-1]
    ladder = sums.drop(index=-1).reindex(range(len(shocks)), fill_value=0.0)
    result = StressResult(
        positions=int(totals["p"]),
        accounts=int(totals["a"]),
        shocks=tuple(shocks),
        accounts_liquidated=np.rint(ladder["a"].to_numpy()).astype(np.int64),
        positions_liquidated=np.rint(ladder["p"].to_numpy()).astype(np.int64),
        notional_liquidated=ladder["n"].to_numpy(dtype=np.float64),
        shortfall=ladder["s"].to_numpy(dtype=np.float64),
    )
    moves = None
    if table is not None:
        table = table.sort_values("account", kind="stable")
        moves = AccountMoves(*(table[key].to_numpy() for key in AccountMoves.KEYS))
    return result, moves
