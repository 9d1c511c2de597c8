"""Schemathesis against the web calculator, in-process (ASGI, no network): the schema and the server agree.

Every operation of ``/openapi.json`` runs through Schemathesis's engine (the phases of
``schemathesis run``: the schema's examples, coverage, fuzzing and stateful) with all its
checks, a fixed seed and a fixed number of examples per operation:

- no 500 (``not_a_server_error``), no status or content type the schema does not document
  (``status_code_conformance``, ``content_type_conformance``), every documented body as its
  schema says (``response_schema_conformance``: the 422 ErrorResponse shape);
- a schema-invalid body is refused (``negative_data_rejection``): enums, number patterns,
  each mode's required fields;
- a schema-valid body is never refused for its shape (``schema_valid_bodies_pass_the_model``,
  below): it passes the server's request model, and a 422 it gets names a value rule
  (``'leverage' must be > 0``, a stop on the wrong side of the entry), which no JSON schema
  states.  Schemathesis's own ``positive_data_acceptance`` is given 422 as an accepted
  status for that reason: the schema documents 422 for every calculator.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.engine import events, from_schema  # noqa: E402

from contractcalc.interfaces.web import api, create_app  # noqa: E402

SEED = 20261201
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))

_MODELS: dict[str, Any] = {}
for _endpoint in api.ENDPOINTS:
    _MODELS[_endpoint.path] = api.request_model(_endpoint)
    if _endpoint.curve is not None:
        _MODELS[_endpoint.path + "/curve"] = api.curve_model(_endpoint)


@schemathesis.check
def schema_valid_bodies_pass_the_model(ctx: Any, response: Any, case: Any) -> bool | None:
    """A body the schema allows passes the server's request model (types, enums, patterns, required)."""
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_positive or case.method != "POST":
        return None
    model = _MODELS.get(case.path)
    if model is None or not isinstance(case.body, dict):
        return None
    from pydantic import ValidationError

    try:
        model.model_validate_json(json.dumps(case.body))
    except ValidationError as error:
        raise AssertionError(f"schema-valid body refused by the request model: {error.errors()[:2]}") from None
    except ArithmeticError as error:
        raise AssertionError(f"the request model raised {error!r} on {case.body!r}") from None
    if response.status_code == 422:
        for item in response.json()["detail"]:
            assert item["rule"] not in ("must be a number", "must be text", "is not a field of this calculator",
                                        "must be a JSON object", "must be a list"), item
    return None


def run_schemathesis() -> tuple[int, list[tuple[str, str, str]]]:
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "generation": {"max-examples": EXAMPLES_PER_OPERATION},
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "422"]},
            # a schema-invalid body can also be refused for its size before it is read (413, documented)
            "negative_data_rejection": {"expected-statuses": ["400", "401", "403", "404", "405", "406", "409",
                                                              "413", "415", "422", "428", "429", "5xx"]},
        },
    })
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(), config=config)
    cases = 0
    failures: list[tuple[str, str, str]] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            cases += len(recorder.cases)
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.status.name == "FAILURE":
                        failure = check.failure_info.failure if check.failure_info else None
                        body = getattr(recorder.cases[case_id].value, "body", None)
                        message = f"{getattr(failure, 'title', '')}: {getattr(failure, 'message', '')} (body {body!r})"
                        failures.append((recorder.label, check.name, message[:600]))
        elif isinstance(event, events.NonFatalError | events.FatalError):
            where = f"{type(event).__name__} in {getattr(event, 'label', '')}"
            failures.append(("engine", where, str(getattr(event, "info", event))[:1500]))
    return cases, failures


def test_schemathesis_finds_no_failure() -> None:
    cases, failures = run_schemathesis()
    assert cases > 1000, cases  # every operation was exercised
    assert sorted(set(failures)) == []
