"""The README's web calculator section shows real answers: each ``$ curl`` line is posted to the
app and its answer compared with the line printed below it."""

from __future__ import annotations

import itertools
import json
import re
import shlex
import warnings
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from contractcalc.interfaces.cli.serve_command import url_for
from contractcalc.interfaces.web import create_app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


def test_readme_curl_examples_are_real_answers() -> None:
    client = TestClient(create_app())
    examples = 0
    for line, printed in itertools.pairwise(README.splitlines()):
        if not line.startswith("$ curl "):
            continue
        words = shlex.split(line[2:])
        body = words[words.index("-d") + 1]
        path = re.sub(r"^http://127\.0\.0\.1:8000", "", words[-1])
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.json() == json.loads(printed), path
        examples += 1
    assert examples >= 2


def test_readme_shows_what_serve_prints() -> None:
    url = url_for("127.0.0.1", 8000)
    assert f"contractcalc web calculator: {url}  (API docs: {url}docs; Ctrl+C to stop)" in README
    assert "docs/screenshot.png" in README
    assert (Path(__file__).resolve().parents[1] / "docs" / "screenshot.png").stat().st_size > 50_000
