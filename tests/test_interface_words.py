"""Errors in each interface's words: flags in the CLI, body fields in the API, never both; values as typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from contractcalc.errors import InputError
from contractcalc.interfaces import schema
from contractcalc.interfaces._words import api_words, cli_message
from contractcalc.interfaces.web import api, create_app

#: One valid command line per command; each test below spoils one number in it.
VALID = {
    "pnl": ["--side", "long", "--entry", "7000", "--exit", "7500", "--quantity", "0.2", "--contract", "linear"],
    "target": ["--side", "long", "--entry", "7000", "--leverage", "10", "--roe", "0.5", "--contract", "linear"],
    "cost": ["--side", "long", "--entry", "8000", "--leverage", "50", "--quantity", "1", "--contract", "linear"],
    "size": ["--side", "long", "--balance", "10000", "--risk-rate", "0.01", "--entry", "50000", "--stop", "49000",
             "--contract", "linear"],
    "max-open": ["--balance", "10000", "--leverage", "50", "--entry", "50000",
                 "--tiers", "binance-usdm-BTCUSDT-2021-03-18"],
    "liquidation": ["--exchange", "binance-usdm", "--side", "long", "--entry", "60000", "--quantity", "1",
                    "--leverage", "20", "--maintenance-margin-rate", "0.004"],
    "plan": ["--side", "long", "--entry", "20000", "--stop", "15000", "--target", "24000", "--principal", "1000"],
    "seed leverage": ["--open", "100", "--stop", "90"],
}


def spoiled(name: str) -> list[tuple[list[str], str]]:
    """Every number flag of ``name`` set to values the library refuses, one at a time."""
    cases = []
    for field in schema.command(name).fields:
        if field.kind != "number":
            continue
        for value in ("-1", "0", "2", "1e400"):
            args = list(VALID[name])
            if field.flag in args:
                at = args.index(field.flag)
                del args[at:at + 2]
            cases.append(([*name.split(" "), *args, field.flag, value], field.name))
    return cases


CASES = [case for name in VALID for case in spoiled(name)]


@pytest.mark.parametrize(("args", "field"), CASES, ids=lambda x: " ".join(x) if isinstance(x, list) else x)
def test_cli_errors_name_flags_only_and_values_as_typed(cli: Any, args: list[str], field: str) -> None:
    result = cli(*args)
    if result.code == 0:
        return  # a value the command accepts
    assert result.code == 2
    (line,) = result.err.splitlines()
    assert line.startswith("error: ")
    command = schema.command(" ".join(a for a in args[:2] if not a.startswith("--")).strip()
                             if args[0] == "seed" else args[0])
    names = {f.name for f in command.fields}
    quoted = set(re.findall(r"'([a-z][a-z0-9_]*)'", line))
    assert not quoted & names, line  # no body field beside the flags
    assert "Decimal(" not in line and "(got None" not in line
    if line.startswith(f"error: '{args[-2]}'") and "(got " in line and args[-1] == "1e400":
        assert "(got 1e400" in line, line  # as typed, not 1E+400


def test_a_rule_naming_another_input_names_its_flag(cli: Any) -> None:
    result = cli("pnl", "--side", "long", "--entry", "7000", "--exit", "7500", "--quantity", "0.2",
                 "--contract", "linear", "--funding-mark", "7_000")
    assert result.err == "error: '--funding-mark' needs '--funding-rate' (got 7_000)\n"


def test_a_percentage_is_shown_as_typed(cli: Any) -> None:
    result = cli("size", *VALID["size"][:2], "--balance", "10000", "--risk-rate", "150%", "--entry", "50000",
                 "--stop", "49000", "--contract", "linear")
    assert result.code == 2
    assert result.err.rstrip().endswith("(got 150%)"), result.err


def test_values_the_user_did_not_type_keep_the_library_form() -> None:
    error = InputError("leverage", "must be finite", "nan")
    assert cli_message(error, ["leverage"], {"leverage": "nan"}) == "'--leverage' must be finite (got 'nan')"


def test_file_columns_are_not_flags() -> None:
    # 'side' inside a positions file is a column, not the --side flag
    error = InputError("positions", "item 1 'side' must be 'long' or 'short'", "flat")
    assert cli_message(error, ["positions", "side"], lists=["positions"]) == (
        "'--positions' item 1 'side' must be 'long' or 'short' (got 'flat')")


def test_api_words_turn_flags_into_fields() -> None:
    assert api_words("is required (give --accounts)") == "is required (give 'accounts')"
    assert api_words("goes with --backend dask") == "goes with 'backend' dask"
    item = api.from_input_error(InputError("shocks", "or --scenarios is required (exactly one of them)"))
    assert item["message"] == "'shocks' or 'scenarios' is required (exactly one of them)"
    assert "--" not in item["rule"]


def test_api_reads_the_index_from_the_error() -> None:
    item = api.from_input_error(InputError("entry", "must be > 0", -1.0, index=3))
    assert item["index"] == 3 and item["field"] == "entry"


def test_api_errors_name_fields_only() -> None:
    client = TestClient(create_app())
    body = {"contract": "linear", "side": "long", "entry": 7000, "exit": 7500, "quantity": 0.2, "funding_mark": 7000}
    (item,) = client.post("/api/pnl", json=body).json()["detail"]
    assert item["message"] == "'funding_mark' needs 'funding_rate' (got 7000)"
    assert "--" not in item["message"]
