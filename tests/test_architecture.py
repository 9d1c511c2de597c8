"""The import contracts: `make lint` runs them, they hold, and they catch what they are for.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``).  Each check below runs
``lint-imports`` with them, on the real package and on a small stand-in package with one
bad import (the CLI importing the web, a cycle between engines, math importing an engine).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports() -> str:
    found = Path(sys.executable).with_name("lint-imports")
    if found.exists():
        return str(found)
    on_path = shutil.which("lint-imports")
    if on_path is None:
        pytest.skip("import-linter is not installed (it is in the dev extra)")
    return on_path


def run_contracts(package_root: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the project's contracts, importing ``contractcalc`` from ``package_root``."""
    shutil.copy(ROOT / "pyproject.toml", cwd / "pyproject.toml")
    env = {"PYTHONPATH": str(package_root), "PATH": "/usr/bin:/bin"}
    return subprocess.run([lint_imports(), str(cwd / "pyproject.toml"), "--no-cache"], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def test_make_lint_runs_the_contracts() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "lint-imports" in lint
    assert "import-linter" in (ROOT / "pyproject.toml").read_text("utf-8")


def test_the_package_keeps_its_contracts(tmp_path: Path) -> None:
    done = run_contracts(ROOT / "src", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout


#: A stand-in for contractcalc with one module per layer, and the imports the contracts allow.
CLEAN = {
    "__init__.py": "",
    "errors.py": "",
    "core/__init__.py": "", "core/numeric.py": "from contractcalc import errors\n",
    "venues/__init__.py": "", "venues/exchanges.py": "from contractcalc.core import numeric\n",
    "book/__init__.py": "",
    "io/__init__.py": "", "io/files.py": "from contractcalc import errors\n",
    "engines/__init__.py": "",
    "engines/liquidation.py": "from contractcalc.venues import exchanges\nfrom contractcalc.io import files\n",
    "engines/cross.py": "from contractcalc.engines import liquidation\n",
    "engines/stress.py": "",
    "engines/stress_dask.py": "from contractcalc.engines import stress\n",
    "engines/stress_run.py": "from contractcalc.engines import stress\n"
                             "def run():\n    from contractcalc.engines import stress_dask\n",
    "reference/__init__.py": "from contractcalc.core import numeric\n",
    "interfaces/__init__.py": "",
    "interfaces/schema.py": "from contractcalc.venues import exchanges\n",
    "interfaces/_json.py": "",
    "interfaces/cli/__init__.py": "from contractcalc.interfaces import schema\n"
                                  "from contractcalc.engines import cross\n",
    "interfaces/web/__init__.py": "from contractcalc.interfaces import schema, _json\n",
}


def stand_in(tmp_path: Path, changes: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in {**CLEAN, **changes}.items():
        path = root / "contractcalc" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def test_the_stand_in_keeps_the_contracts(tmp_path: Path) -> None:
    done = run_contracts(stand_in(tmp_path, {}), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("changes", "broken"), [
    ({"interfaces/cli/__init__.py": "from contractcalc.interfaces import web\n"},
     "The CLI and the web are independent"),
    ({"interfaces/web/__init__.py": "from contractcalc.interfaces.cli import run\n"},
     "The CLI and the web are independent"),
    ({"engines/liquidation.py": "def f():\n    from contractcalc.engines import cross\n"},
     "No import cycles between sibling modules"),
    ({"core/numeric.py": "from contractcalc.engines import liquidation\n"}, "Layers"),
    ({"io/files.py": "from contractcalc.interfaces import schema\n"}, "Layers"),
    ({"interfaces/schema.py": "from contractcalc.interfaces import cli\n"},
     "The schema and the JSON helpers import neither interface"),
    ({"reference/__init__.py": "from contractcalc.engines import liquidation\n"},
     "The reference implementations use no engine and no interface"),
], ids=["cli->web", "web->cli", "cycle", "core->engines", "io->interfaces", "schema->cli", "reference->engines"])
def test_each_contract_catches_its_import(tmp_path: Path, changes: dict[str, str], broken: str) -> None:
    done = run_contracts(stand_in(tmp_path, changes), tmp_path)
    assert done.returncode != 0
    verdicts = [line for line in done.stdout.splitlines() if " KEPT" in line or " BROKEN" in line]
    line = next(line for line in verdicts if line.startswith(broken))
    assert " BROKEN" in line, done.stdout
