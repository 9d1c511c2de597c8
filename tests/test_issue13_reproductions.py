"""Issue 13's reproductions not covered by the web, file and Schemathesis tests: each gets its clear error
(or its right answer).  The others: tests/test_web_hardening.py (Host, headers, bodies, connections,
cost), tests/test_file_fuzz.py (hangs and tracebacks on files), tests/test_web_schemathesis.py (schema).

- a list where a number goes in a cross position: an InputError naming the item and key, in the
  library, the CLI (one line, exit 2) and the HTTP API (422);
- more than one long (or short) leg of a symbol in a cross account: refused by name (hedge mode);
- numbers that silently went wrong (int64 wrap-around, 1e308 -> inf, float16, results that
  underflow to 0): the right figure or an error naming the input;
- half an answer: ``liquidation --margin-mode cross --wallet-balance 1e308`` printed its table and
  then an error; the table and ``--json`` now agree (both answer), and nothing is half-printed.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import contractcalc
from contractcalc import InputError
from contractcalc.interfaces.cli import run

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from contractcalc.interfaces.web import create_app

POSITION = {"symbol": "BTC/USDT:USDT", "side": "long", "contracts": 1, "contractSize": 1, "entryPrice": 60000,
            "markPrice": 61000, "maintenanceMarginRate": 0.004}
ETH_SHORT = {"symbol": "ETH/USDT:USDT", "side": "short", "contracts": 10, "contractSize": 1, "entryPrice": 3000,
             "markPrice": 3100, "maintenanceMarginRate": 0.005}
CROSS = {"exchange": "binance-usdm", "margin_mode": "cross", "wallet_balance": 1000}


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(code: int, out: str, err: str) -> str:
    assert code == 2 and out == "", (code, out, err)
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


# ---------------------------------------------------------------------------
# A list where a number goes (the positions item model)


@pytest.mark.parametrize(("key", "value"), [("contracts", [1, 2]), ("markPrice", [60000, 1]),
                                            ("entryPrice", {"a": 1}), ("contracts", True)])
def test_a_list_where_a_number_goes_is_refused_everywhere(key: str, value: Any, tmp_path: Path, client: TestClient,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    bad = {**POSITION, key: value}
    with pytest.raises(InputError) as caught:
        contractcalc.liquidation_price(**CROSS, positions=[bad])
    assert caught.value.field == "positions" and f"item 0: '{key}' must be a number" in str(caught.value)

    path = tmp_path / "positions.json"
    path.write_text(json.dumps([bad]))
    err = one_error_line(*cli(["liquidation", "--exchange", "binance-usdm", "--wallet-balance", "1000",
                               "--positions", str(path)], capsys))
    assert err.startswith(f"error: '--positions' item 0: '{key}' must be a number"), err

    response = client.post("/api/liquidation", json={**CROSS, "positions": [bad]})
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["field"] == "positions" and item["rule"].startswith(f"item 0: '{key}' must be a number"), item


def test_two_long_legs_of_one_symbol_are_refused(client: TestClient) -> None:
    # 100 legs of one symbol cost quadratic time; hedge mode holds one long and one short per symbol
    legs = [POSITION, {**POSITION, "contracts": 2}]
    with pytest.raises(InputError, match=r"'positions' item 1: 'side' must leave at most one long leg per symbol"):
        contractcalc.liquidation_price(**CROSS, positions=legs)
    response = client.post("/api/liquidation", json={**CROSS, "positions": legs})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "positions"
    # one long and one short of a symbol (hedge mode) are fine
    hedged = [POSITION, {**POSITION, "side": "short", "entryPrice": 62000}]
    assert client.post("/api/liquidation", json={**CROSS, "positions": hedged}).status_code == 200


def test_a_positions_file_over_the_cap_is_one_error_line_naming_it(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from contractcalc.io.positions import MAX_POSITIONS

    # distinct symbols: the cap on the list is checked before any leg rule or computation
    legs = [{**POSITION, "symbol": f"S{k}/USDT:USDT"} for k in range(MAX_POSITIONS + 1)]
    path = tmp_path / "positions.json"
    path.write_text(json.dumps(legs))
    err = one_error_line(*cli(["liquidation", "--exchange", "binance-usdm", "--wallet-balance", "1000",
                               "--positions", str(path)], capsys))
    assert err.startswith(f"error: '--positions' must hold at most {MAX_POSITIONS:,} positions"), err
    assert f"{MAX_POSITIONS + 1:,} positions" in err


# ---------------------------------------------------------------------------
# Numbers that went wrong silently


def test_int64_arrays_do_not_wrap_around() -> None:
    # (4e18 − 3e18) × 4 = 4e18 fits a double; as int64, 3e18 × 4 = 1.2e19 wraps to a negative notional
    entry = np.array([3 * 10**18], dtype=np.int64)
    try:
        result = contractcalc.pnl(contract="linear", side="long", entry=entry, exit=np.array([4 * 10**18]),
                                  quantity=np.array([4]))
    except InputError:
        return  # a clear error is an answer too
    assert result["pnl"][0] == pytest.approx(4e18) and result["notional"][0] == pytest.approx(1.2e19)


def test_a_quantity_of_1e308_is_an_error_not_inf() -> None:
    with pytest.raises(InputError):
        contractcalc.pnl(contract="linear", side="long", entry=100, exit=110, quantity=1e308, leverage=10)


def test_float16_arrays_are_computed_in_float64() -> None:
    result = contractcalc.pnl(contract="linear", side="long", entry=np.array([60000], dtype=np.float16),
                              exit=np.array([64000], dtype=np.float16), quantity=np.array([10], dtype=np.float16))
    # 60000 = 1875 x 32 and 64000 = 2000 x 32 are exact in float16 (spacing 32 there, 65504 its largest);
    # the notional 600,000 and 600,000 is beyond float16 (it would be inf)
    assert result["notional"][0] == 600_000
    assert result["pnl"][0] == 40_000


@pytest.mark.parametrize("args", [
    ["target", "--contract", "linear", "--side", "long", "--entry", "1e-400", "--leverage", "10", "--roe", "0.5",
     "--json"],
    ["seed", "leverage", "--open", "100", "--stop", "1e400", "--json"],
])
def test_results_that_underflow_are_errors_not_zero(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    one_error_line(*cli(args, capsys))


# ---------------------------------------------------------------------------
# Half an answer: the whole output is built before anything is printed


def test_a_cross_account_with_a_huge_wallet_answers_whole_in_both_forms(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "positions.json"
    path.write_text(json.dumps([POSITION, ETH_SHORT]))
    args = ["liquidation", "--exchange", "binance-usdm", "--margin-mode", "cross", "--wallet-balance", "1e308",
            "--positions", str(path)]
    code, out, err = cli([*args, "--json"], capsys)
    assert code == 0 and err == "", err
    data = json.loads(out)
    assert data["wallet_balance"] == 1e308
    # the short ETH leg is liquidated where the wallet is gone: 10 × (P − 3000) = 1e308 − MM, near 1e307
    assert data["positions"][1]["liquidation_price"] == pytest.approx(1e307, rel=1e-2)
    code, out, err = cli(args, capsys)
    assert code == 0 and err == "", err
    assert "1e+308" in out and "Linear contract" in out.splitlines()[-1]


def test_a_table_that_cannot_be_built_prints_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from contractcalc.interfaces.cli import liquidation_commands

    calls = []

    def failing(key: str, value: Any) -> str:
        calls.append(key)
        if key == "margin_ratio":  # the last row of the account summary, after the positions table
            raise ArithmeticError("cannot format")
        return str(value)

    monkeypatch.setattr(liquidation_commands, "format_readable", failing)
    path = tmp_path / "positions.json"
    path.write_text(json.dumps([POSITION, ETH_SHORT]))
    code, out, err = cli(["liquidation", "--exchange", "binance-usdm", "--wallet-balance", "1000", "--positions",
                          str(path)], capsys)
    assert "margin_ratio" in calls
    one_error_line(code, out, err)  # nothing of the table reached stdout
