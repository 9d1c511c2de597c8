"""One schema of fields: the CLI's options, the API's request models and the library agree with it."""

from __future__ import annotations

import inspect
from typing import Any

import click
import pytest

from contractcalc.interfaces import schema
from contractcalc.interfaces.cli import _register, app
from contractcalc.interfaces.web import api

_register()

API_COMMANDS = [spec for spec in schema.COMMANDS.values() if spec.api]

#: Keywords for programs only, not flags or body fields (which outputs to compute; a NumPy generator).
LIBRARY_ONLY = {"liquidation": {"outputs"}, "risk": {"rng"}}
ENDPOINTS = {endpoint.command: endpoint for endpoint in api.ENDPOINTS}


def cli_command(name: str) -> click.Command:
    command: Any = app
    for part in name.split(" "):
        command = command.commands[part]
    assert isinstance(command, click.Command)
    return command


def test_every_api_command_has_an_endpoint_and_back() -> None:
    assert {spec.name for spec in API_COMMANDS} <= set(ENDPOINTS)
    for name in ENDPOINTS:
        assert schema.COMMANDS[name].api, name


@pytest.mark.parametrize("spec", API_COMMANDS, ids=lambda s: s.name)
def test_fields_are_the_library_keywords(spec: schema.Command) -> None:
    parameters = inspect.signature(ENDPOINTS[spec.name].function).parameters
    assert {f.name for f in spec.fields} == set(parameters) - LIBRARY_ONLY.get(spec.name, set()), spec.name
    for field in spec.fields:
        parameter = parameters[field.name]
        assert field.required == (parameter.default is inspect.Parameter.empty), field.name
        if not field.required:
            assert parameter.default == field.default, field.name


@pytest.mark.parametrize("spec", list(schema.COMMANDS.values()), ids=lambda s: s.name)
def test_cli_options_are_the_schema_fields(spec: schema.Command) -> None:
    command = cli_command(spec.name)
    options = [p for p in command.params if isinstance(p, click.Option) and p.name not in ("json", "help")]
    assert [p.name for p in options] == [f.name for f in spec.fields]
    for option, field in zip(options, spec.fields, strict=True):
        assert option.opts == [field.flag]
        assert option.help == field.help
        assert option.required == field.required
        shown = option.make_metavar(click.Context(command))
        integer = "INTEGER RANGE" if field.min is not None else "INTEGER"
        expected = {"number": "FLOAT", "text": "TEXT", "integer": integer, "bool": "BOOLEAN"}
        if field.kind == "list":
            assert shown == ("FILE" if field.cli == "file" else "TEXT"), field.name
            assert option.multiple == (field.cli == "repeat")
        else:
            assert shown == (field.metavar or expected[field.kind]), field.name
    assert any(p.name == "json" for p in command.params) == (spec.name != "serve")


@pytest.mark.parametrize("spec", API_COMMANDS, ids=lambda s: s.name)
def test_api_fields_are_the_schema_fields(spec: schema.Command) -> None:
    model = api.request_model(ENDPOINTS[spec.name])
    assert list(model.model_fields) == [f.name for f in spec.fields]
    for field in spec.fields:
        info = model.model_fields[field.name]
        assert info.is_required() == field.required
        assert info.description == (field.web_help or field.help)
        # no flag in the API's words
        assert "--" not in (info.description or ""), (spec.name, field.name)


def test_calculators_serve_results_labels_and_units() -> None:
    from fastapi.testclient import TestClient

    from contractcalc.interfaces.web import create_app

    described = TestClient(create_app()).get("/api/calculators").json()
    assert described["labels"]["net_pnl"] == "Net PnL"
    assert described["percent_suffixes"] == list(schema.PERCENT_SUFFIXES)
    by_name = {c["command"]: c for c in described["calculators"]}
    pnl = by_name["pnl"]
    assert pnl["results"][0] == {"key": "pnl", "label": "PnL", "unit": "amount",
                                 "meaning": "linear s·Q·(X − E); inverse s·F·(1/E − 1/X)"}
    units = {field["name"]: field["unit"] for field in pnl["fields"]}
    assert units["entry"] == "price" and units["open_fee_rate"] == "fraction"
    for spec in API_COMMANDS:
        assert [r["key"] for r in by_name[spec.name]["results"]] == [r.key for r in spec.results]


def test_the_cli_table_meanings_come_from_the_schema(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # no wrapping
    out = cli("pnl", "--contract", "linear", "--side", "long", "--entry", "7000", "--exit", "7500",
              "--quantity", "0.2", "--leverage", "10").out
    for result in schema.PNL.results:
        assert result.key in out and result.meaning in out


@pytest.mark.parametrize("key", ["net_pnl", "max_notional", "roe"])
def test_labels(key: str) -> None:
    assert schema.label(key)[0].isupper()
    assert schema.label(key) == schema.LABELS.get(key, key.replace("_", " ").capitalize())


def test_replay_fields_are_its_keywords_and_policies() -> None:
    from contractcalc.engines import replay

    parameters = inspect.signature(replay.replay).parameters
    assert {f.name for f in schema.REPLAY.fields} == set(parameters)
    for field in schema.REPLAY.fields:
        assert field.required == (parameters[field.name].default is inspect.Parameter.empty), field.name
    assert schema.INTRABAR_POLICIES == replay.INTRABAR_POLICIES
    assert schema.REPLAY.field("intrabar").default == parameters["intrabar"].default


def test_risk_fields_are_its_keywords_and_choices() -> None:
    from contractcalc.core.volatility import ESTIMATORS
    from contractcalc.engines import risk

    parameters = inspect.signature(risk.risk).parameters
    # every keyword but the NumPy generator a program may pass (rng) is a flag
    assert {f.name for f in schema.RISK.fields} == set(parameters) - {"rng"}
    assert tuple(ESTIMATORS) == schema.VOLATILITY_ESTIMATORS
    assert schema.RISK_RETURNS == risk.RETURNS
    assert (schema.RISK_DEFAULT_PATHS, schema.RISK_DEFAULT_STEPS) == (risk.DEFAULT_PATHS, risk.DEFAULT_STEPS)
