"""Shared test helpers: run the CLI in-process or through the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contractcalc.interfaces.cli import run


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def _console_script() -> str:
    found = Path(sys.executable).with_name("contractcalc")
    if found.exists():
        return str(found)
    on_path = shutil.which("contractcalc")
    assert on_path, "the contractcalc console script is not installed"
    return on_path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """Run ``contractcalc ARGS`` in-process; returns exit code, stdout and stderr."""

    def invoke(*args: str) -> CliResult:
        code = run(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def console_script() -> Any:
    """Run the installed ``contractcalc`` executable in a subprocess."""
    executable = _console_script()

    def invoke(*args: str) -> CliResult:
        done = subprocess.run([executable, *args], capture_output=True, text=True, timeout=60)
        return CliResult(done.returncode, done.stdout, done.stderr)

    return invoke
