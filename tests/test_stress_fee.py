"""Book stress and the taker rate: Bybit cross's fee to close at the bankruptcy price, refused where no rule has one.

Independent figures: hand calculations written here, Bybit's published inverse
example (help centre, "How to calculate Liquidation Price (Inverse
Contract)": 5,739.08 before its 0.5 tick), and an invariant tying stress to
:func:`contractcalc.engines.book.book_liquidation` on random books
(Hypothesis): each account's first liquidating move takes the mark to the
price book_liquidation reports, and the flag flips there.
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _stress_books import random_book
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractcalc.engines.book import book_liquidation
from contractcalc.engines.stress import (
    Scenario,
    account_moves,
    close_fee_rates,
    parse_shocks,
    prepare_book,
    stress,
)
from contractcalc.engines.stress_run import run_stress
from contractcalc.errors import InputError

BTC, BTC_INVERSE = "BTC/USDT:USDT", "BTC/USD:BTC"
BYBIT_TIERS = "bybit-linear-BTCUSDT"
FEE = 0.00055

# ---------------------------------------------------------------------------
# Hand calculations


def _long_account(**extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """One cross account: wallet 1,000 USDT, long 1 BTC @ 10,000 marked 10,000, MMR 0.5 % (at entry: 50)."""
    rows = {"account": ["a"], "symbol": [BTC], "side": ["long"], "quantity": [1.0], "entry": [10000.0],
            "mark": [10000.0], "maintenance_margin_rate": [0.005], **extra}
    return rows, {"account": ["a"], "wallet_balance": [1000.0]}


def test_hand_calculated_bybit_cross_account_with_and_without_the_taker_rate() -> None:
    """Without a rate: g(k) = 1,000 + 10,000k − 50 <= 0 from k = −0.095.

    With 0.055 %: the bankruptcy price solves 1,000 + (BP − 10,000) = 0.00055·BP,
    BP = 9,000 / 0.99945 = 9,004.95272..., the fee to close 0.00055·BP = 4.952724...;
    g(k) = 1,000 + 10,000k − 50 − 4.952724 <= 0 from k = −0.0945047276.
    """
    bankruptcy = 9000 / (1 - FEE)
    fee_to_close = FEE * bankruptcy
    assert fee_to_close == pytest.approx(4.952724, abs=1e-6)
    without = prepare_book(*_long_account(), exchange="bybit-linear")
    with_fee = prepare_book(*_long_account(), exchange="bybit-linear", taker_fee_rate=FEE)
    assert without.close_fee is None
    assert with_fee.close_fee is not None and with_fee.close_fee.tolist() == pytest.approx([fee_to_close], rel=1e-12)
    shocks = [-0.0951, -0.0946, -0.0944]
    assert stress(without, shocks).accounts_liquidated.tolist() == [1, 0, 0]
    assert stress(with_fee, shocks).accounts_liquidated.tolist() == [1, 1, 0]
    # −9.46 %: the one position is closed at 9,054; its balance (1,000 − 946 = 54) covers it: no shortfall
    row = stress(with_fee, shocks).rows()[1]
    assert (row["positions_liquidated"], row["notional_liquidated"], row["shortfall"]) == (1, pytest.approx(9054), 0)
    assert account_moves(without).liquidation_move_down.tolist() == pytest.approx([-0.095], rel=1e-12)
    move = (1000 - 50 - fee_to_close) / 10000
    assert account_moves(with_fee).liquidation_move_down.tolist() == pytest.approx([-move], rel=1e-12)
    # the scenario path (a move per symbol, the direct kernel) counts the same fee
    direct = stress(with_fee, [Scenario(str(k), Decimal(str(k)), {BTC: Decimal(str(k))}) for k in shocks])
    assert direct.accounts_liquidated.tolist() == [1, 1, 0]


def test_a_short_is_liquidated_sooner_on_the_way_up() -> None:
    """Short 1 BTC @ 10,000, wallet 1,000, MMR 0.5 %: BP = (−10,000 − 1,000) / (−1 − 0.00055) = 10,993.95...,
    fee 6.04667...; g(k) = 950 − 6.04667 − 10,000k <= 0 from k = 0.0943953."""
    rows, wallets = _long_account(side=["short"])
    bankruptcy = 11000 / (1 + FEE)
    move = (950 - FEE * bankruptcy) / 10000
    book = prepare_book(rows, wallets, exchange="bybit-linear", taker_fee_rate=FEE)
    assert account_moves(book).liquidation_move_up.tolist() == pytest.approx([move], rel=1e-12)
    assert stress(book, [move - 1e-6, move + 1e-6]).accounts_liquidated.tolist() == [0, 1]


def test_bybits_published_inverse_example() -> None:
    """Bybit's inverse cross example: 0.5 BTC, long 10,000 contracts (1 USD) at 8,000, MMR 0.5 %, taker 0.075 %:
    liquidation price 5,739.08 (shown as 5,739.50 at its 0.5 tick): the first move down is 5,739.08 / 8,000 − 1."""
    rows = {"account": ["a"], "symbol": [BTC_INVERSE], "side": ["long"], "contracts": [10000.0],
            "contract_size": [1.0], "entry": [8000.0], "mark": [8000.0], "maintenance_margin_rate": [0.005]}
    book = prepare_book(rows, {"account": ["a"], "wallet_balance": [0.5]}, exchange="bybit-inverse",
                        taker_fee_rate=0.00075)
    assert book.close_fee is not None and round(float(book.close_fee[0]), 8) == 0.00131152  # Bybit: 0.00131152 BTC
    price = 8000 * (1 + float(account_moves(book).liquidation_move_down[0]))
    assert round(price, 2) == 5739.08


def test_isolated_positions_pay_no_fee_at_the_bankruptcy_price() -> None:
    """Bybit counts the fee at the bankruptcy price in cross mode only (docs/liquidation.md), as book_liquidation."""
    rows, _ = _long_account(margin_mode=["isolated"], leverage=[10.0])
    book = prepare_book(rows, None, exchange="bybit-linear", taker_fee_rate=FEE)
    plain = prepare_book(rows, None, exchange="bybit-linear")
    assert book.close_fee is None
    assert account_moves(book).liquidation_move_down.tolist() == account_moves(plain).liquidation_move_down.tolist()


def test_split_legs_of_one_symbol_share_one_bankruptcy_price() -> None:
    """Two longs of 0.5 BTC @ 10,000 are one long of 1 BTC: the same fee in total, the same first move."""
    one = prepare_book(*_long_account(), exchange="bybit-linear", taker_fee_rate=FEE)
    rows, wallets = _long_account()
    split = {key: value * 2 for key, value in rows.items()}
    split["quantity"] = [0.5, 0.5]
    two = prepare_book(split, wallets, exchange="bybit-linear", taker_fee_rate=FEE)
    assert one.close_fee is not None and two.close_fee is not None
    assert two.close_fee.sum() == pytest.approx(one.close_fee.sum(), rel=1e-12)
    assert account_moves(two).liquidation_move_down.tolist() == pytest.approx(
        account_moves(one).liquidation_move_down.tolist(), rel=1e-12)


def test_okx_is_unchanged_and_counts_the_rate_at_the_mark() -> None:
    """OKX: g(k) = 1,000 + 10,000k − (0.005 + f)·10,000(1 + k): with f = 0.1 %: 940 + 9,940k, k = −940/9,940."""
    book = prepare_book(*_long_account(), exchange="okx-linear", taker_fee_rate=0.001)
    assert book.close_fee is None and book.fee == 0.001
    assert account_moves(book).liquidation_move_down.tolist() == pytest.approx([-940 / 9940], rel=1e-12)


# ---------------------------------------------------------------------------
# Refused where the exchange's rule has no fee to close


@pytest.mark.parametrize("exchange", ["binance-usdm", "binance-coinm", "hyperliquid"])
def test_a_rate_no_rule_uses_is_refused(exchange: str) -> None:
    with pytest.raises(InputError, match=r"is not part of .*liquidation formula") as error:
        close_fee_rates(exchange, 0.0005)
    assert error.value.field == "taker_fee_rate"
    assert close_fee_rates(exchange, 0.0) == (0.0, 0.0) == close_fee_rates(exchange, None)  # 0 changes nothing
    rows, wallets = _long_account()
    with pytest.raises(InputError) as error:
        prepare_book(rows, wallets, exchange="binance-usdm", taker_fee_rate=0.0005)
    assert error.value.field == "taker_fee_rate"


def test_a_bad_rate_is_refused() -> None:
    for rate in (-0.001, 1.0):
        with pytest.raises(InputError) as error:
            close_fee_rates("bybit-linear", rate)
        assert error.value.field == "taker_fee_rate"


def test_the_dask_backend_refuses_before_reading_anything(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-book.parquet")
    with pytest.raises(InputError) as error:
        run_stress(missing, exchange="binance-usdm", shocks="-0.1:0:0.1", backend="dask", taker_fee_rate=0.0005)
    assert error.value.field == "taker_fee_rate"


def test_cli_refuses_in_one_line(cli: Any, tmp_path: Path) -> None:
    positions, accounts = tmp_path / "book.csv", tmp_path / "accounts.csv"
    positions.write_text("account,symbol,side,quantity,entry,mark,maintenance_margin_rate\n"
                         "a,BTC/USDT:USDT,long,1,10000,10000,0.005\n")
    accounts.write_text("account,wallet_balance\na,1000\n")
    args = ["stress", "--positions", str(positions), "--accounts", str(accounts), "--shocks=-0.0951:-0.0944:0.0007"]
    result = cli(*args, "--exchange", "binance-usdm", "--taker-fee-rate", "0.0005")
    assert result.code == 2 and result.out == ""
    assert result.err == ("error: '--taker-fee-rate' is not part of binance-usdm's liquidation formula "
                          "(only okx-* counts the fee to close) (got 0.0005)\n")
    # bybit: the rate counts (the hand calculation above: −9.44 % liquidates nothing, −9.51 % the account)
    data = cli(*args, "--exchange", "bybit-linear", "--taker-fee-rate", "0.00055", "--json").json()
    assert [row["accounts_liquidated"] for row in data["ladder"]] == [1, 0]


def test_api_refuses_with_422() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from contractcalc.interfaces.web import api, create_app

    example = next(endpoint.example for endpoint in api.ENDPOINTS if endpoint.command == "stress")
    client = TestClient(create_app())
    answer = client.post("/api/stress", json={**example, "exchange": "binance-usdm", "taker_fee_rate": 0.0005})
    assert answer.status_code == 422, answer.text
    item = answer.json()["detail"][0]
    assert item["field"] == "taker_fee_rate" and "not part of binance-usdm's liquidation formula" in item["message"]
    answer = client.post("/api/stress", json={**example, "exchange": "bybit-linear", "taker_fee_rate": 0.00055})
    assert answer.status_code == 200, answer.text


# ---------------------------------------------------------------------------
# The invariant: stress against book_liquidation on random Bybit books


@st.composite
def _bybit_books(draw: Any) -> tuple[str, dict[str, list[Any]], dict[str, list[Any]], float, str | None]:
    inverse = draw(st.booleans())
    exchange = "bybit-inverse" if inverse else "bybit-linear"
    tiers = None if inverse else draw(st.sampled_from([None, BYBIT_TIERS]))
    fee = draw(st.sampled_from([0.0, 0.0002, 0.00055, 0.00075, 0.002]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rows: dict[str, list[Any]] = {key: [] for key in ("account", "symbol", "side", "entry", "mark", "margin_mode",
                                                      "leverage", "maintenance_margin_rate",
                                                      "contracts" if inverse else "quantity")}
    if inverse:
        rows["contract_size"] = []
    wallets: dict[str, list[Any]] = {"account": [], "wallet_balance": []}
    mark = 60000.0
    for k in range(draw(st.integers(1, 12))):
        name = f"acct{k:03d}"
        kind = draw(st.sampled_from(["one", "hedged", "isolated"]))
        sides = {"one": [draw(st.sampled_from(["long", "short"]))], "hedged": ["long", "short"],
                 "isolated": [draw(st.sampled_from(["long", "short"]))]}[kind]
        notional = 0.0
        for side in sides:
            size = float(rng.lognormal(0, 1))
            rows["account"].append(name)
            rows["symbol"].append(BTC_INVERSE if inverse else BTC)
            rows["side"].append(side)
            rows["entry"].append(float(mark * (1 + rng.normal(0, 0.05))))
            rows["mark"].append(mark)
            rows["margin_mode"].append("isolated" if kind == "isolated" else "cross")
            rows["leverage"].append(float(rng.choice([3.0, 5.0, 10.0, 20.0])))
            rows["maintenance_margin_rate"].append(math.nan if tiers else float(rng.choice([0.005, 0.01])))
            if inverse:
                rows["contracts"].append(round(size * 10000))
                rows["contract_size"].append(1.0)
                notional += round(size * 10000) / mark
            else:
                rows["quantity"].append(size)
                notional += size * mark
        if kind != "isolated":
            wallets["account"].append(name)
            wallets["wallet_balance"].append(notional * float(rng.uniform(0.03, 0.5)))
    return exchange, rows, wallets, fee, tiers


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bybit_books())
def test_the_flag_flips_at_book_liquidations_price(case: tuple[Any, ...]) -> None:
    exchange, rows, given_wallets, fee, tiers = case
    wallets = given_wallets if given_wallets["account"] else None  # every account isolated: no wallet rows
    rate = fee if fee else None  # no rate given: no fee to close
    book = prepare_book(rows, wallets, exchange=exchange, tiers=tiers, taker_fee_rate=rate)
    result = book_liquidation(rows, wallets, exchange=exchange, tiers=tiers, taker_fee_rate=rate)
    positions = result.positions
    # the fees to close: the same amounts as book_liquidation's, row by row (one account's rows are adjacent)
    expected_fees = np.zeros(len(rows["account"])) if positions.fee_to_close is None else positions.fee_to_close
    got_fees = np.zeros(book.positions) if book.close_fee is None else book.close_fee
    assert got_fees.tolist() == pytest.approx(np.asarray(expected_fees, dtype=float).tolist(), rel=1e-12, abs=1e-15)
    moves = account_moves(book)
    by_account = dict(zip(rows["account"], positions.liquidation_price.tolist(), strict=True))
    for k, name in enumerate(moves.account.tolist()):
        price = by_account[name]
        nearest = [m for m in (moves.liquidation_move_down[k], moves.liquidation_move_up[k]) if not math.isnan(m)]
        if nearest and min(map(abs, nearest)) == 0:
            continue  # liquidated at the mark already
        if math.isnan(price):
            assert nearest == [], name
            continue
        move = min(nearest, key=abs)
        assert 60000 * (1 + move) == pytest.approx(price, rel=1e-9), name
        # the flag flips there: not liquidated just inside the move, liquidated just beyond it
        mine = {key: [v for v, a in zip(value, rows["account"], strict=True) if a == name]
                for key, value in rows.items()}
        own = prepare_book(mine, wallets, exchange=exchange, tiers=tiers, taker_fee_rate=rate)
        flags = stress(own, [move * (1 - 1e-7), move * (1 + 1e-7)]).accounts_liquidated.tolist()
        assert flags == [0, 1], (name, move)


# ---------------------------------------------------------------------------
# The Dask backend


def test_dask_equals_local_with_the_fee_to_close(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    columns, accounts = random_book(2000, 300, seed=5, exchange="bybit-linear")
    columns["maintenance_margin_rate"] = np.where(np.isnan(columns["maintenance_margin_rate"]), 0.005,
                                                  columns["maintenance_margin_rate"])
    positions_file, accounts_file = tmp_path / "book.parquet", tmp_path / "accounts.parquet"
    pq.write_table(pa.table(columns), positions_file, row_group_size=400)
    pq.write_table(pa.table(accounts), accounts_file)
    shocks = "-0.5:0.5:0.05"
    local, local_moves = run_stress(str(positions_file), str(accounts_file), exchange="bybit-linear", shocks=shocks,
                                    taker_fee_rate=0.002, with_moves=True)
    plain, plain_moves = run_stress(str(positions_file), str(accounts_file), exchange="bybit-linear", shocks=shocks,
                                    with_moves=True)
    assert local_moves is not None and plain_moves is not None
    # the rate counts: every cross account with a bankruptcy price is liquidated sooner
    assert local.accounts_liquidated.sum() > plain.accounts_liquidated.sum()
    assert (np.nan_to_num(local_moves.liquidation_move_down, nan=-2)
            >= np.nan_to_num(plain_moves.liquidation_move_down, nan=-2)).all()
    from contractcalc.engines.stress_dask import dask_stress

    remote, remote_moves = dask_stress(str(positions_file), str(accounts_file), exchange="bybit-linear",
                                       shocks=parse_shocks(shocks), with_moves=True, npartitions=3,
                                       taker_fee_rate=0.002,
                                       cluster_options={"processes": False, "n_workers": 1, "threads_per_worker": 2})
    assert remote.accounts_liquidated.tolist() == local.accounts_liquidated.tolist()
    assert remote.positions_liquidated.tolist() == local.positions_liquidated.tolist()
    np.testing.assert_allclose(remote.notional_liquidated, local.notional_liquidated, rtol=1e-12)
    np.testing.assert_allclose(remote.shortfall, local.shortfall, rtol=1e-12, atol=1e-9)
    assert remote_moves is not None
    assert remote_moves.account.tolist() == local_moves.account.tolist()
    np.testing.assert_allclose(remote_moves.liquidation_move_down, local_moves.liquidation_move_down, rtol=1e-12)
