"""The CLI starts light: what each kind of answer imports, ``--version``, and the help's type names.

Start-up speed itself is measured by ``benchmarks/bench_cli.py`` (not timed here);
these tests pin what makes it: a ``--json`` answer loads no Rich, a scalar answer no
NumPy, and no answer the web stack (FastAPI, pydantic, uvicorn) or typer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contractcalc

HEAVY = ("numpy", "rich", "fastapi", "pydantic", "starlette", "uvicorn", "typer")


def loaded_after(args: list[str]) -> tuple[int, set[str]]:
    """Run ``contractcalc ARGS`` in a fresh interpreter; its exit code and the heavy packages it imported."""
    code = (
        "import json, sys, io, contextlib\n"
        "from contractcalc.interfaces.cli import run\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    status = run({args!r})\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(json.dumps([status, heavy]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    status, heavy = json.loads(done.stdout.strip().splitlines()[-1])
    return status, set(heavy)


SCALAR_JSON = [
    ["seed", "target-change", "--open", "1000", "--target", "1200", "--json"],
    ["plan", "--side", "long", "--entry", "20000", "--stop", "15000", "--target", "24000", "--principal", "1000",
     "--json"],
    ["liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "60000", "--quantity", "1",
     "--leverage", "20", "--maintenance-margin-rate", "0.004", "--json"],
    ["pnl", "--contract", "linear", "--side", "long", "--entry", "7000", "--exit", "7500", "--quantity", "0.2",
     "--leverage", "10", "--json"],
]


@pytest.mark.parametrize("args", SCALAR_JSON, ids=lambda a: " ".join(a[:2]))
def test_a_scalar_json_answer_loads_no_numpy_rich_or_web_stack(args: list[str]) -> None:
    status, heavy = loaded_after(args)
    assert status == 0
    assert heavy == set(), heavy


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["seed", "liquidation-change", "--leverage", "0"],
                                  ["liquidation", "--help"], ["max-open", "--help"]])
def test_help_version_and_errors_load_nothing_heavy(args: list[str]) -> None:
    _, heavy = loaded_after(args)
    assert heavy == set(), heavy


def test_a_table_loads_rich_but_not_numpy_or_the_web_stack() -> None:
    status, heavy = loaded_after(["seed", "target-change", "--open", "1000", "--target", "1200"])
    assert status == 0
    assert heavy == {"rich"}


def test_version(console_script: Any) -> None:
    result = console_script("--version")
    assert result.code == 0
    assert result.out == f"contractcalc {contractcalc.__version__}\n"
    # the same version as the installed distribution's metadata
    from importlib.metadata import version

    assert version("contractcalc") == contractcalc.__version__


@pytest.mark.parametrize(("args", "expected"), [
    (["seed", "target-change", "--help"], ["--open FLOAT", "--target FLOAT", "--json"]),
    (["liquidation", "--help"], ["--exchange TEXT", "--entry FLOAT", "--maintenance-margin-rate FLOAT",
                                 "--tiers TEXT", "--positions FILE"]),
    (["average-entry", "--help"], ["--fill TEXT", "--contract TEXT"]),
    (["serve", "--help"], ["--host TEXT", "--port INTEGER RANGE"]),
])
def test_help_names_the_types(cli: Any, args: list[str], expected: list[str]) -> None:
    result = cli(*args)
    assert result.code == 0
    for text in expected:
        assert text in result.out, text
    assert "<str>" not in result.out and "<bool>" not in result.out


def test_every_command_is_listed_in_help_in_order(cli: Any) -> None:
    out = cli("--help").out
    names = ["liquidation", "pnl", "target", "average-entry", "cost", "size", "max-open", "plan", "serve", "seed"]
    positions = [out.index(f"\n  {name} ") for name in names]
    assert positions == sorted(positions)
    assert "--version" in out



def test_an_answer_imports_its_own_command_module_only() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from contractcalc.interfaces.cli import COMMAND_MODULES, run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    run(['seed', 'target-change', '--open', '1000', '--target', '1200', '--json'])\n"
        "print(sorted(m for m in set(COMMAND_MODULES.values())\n"
        "             if 'contractcalc.interfaces.cli.' + m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "['seed_commands']"


def test_every_command_module_is_listed(cli: Any) -> None:
    from pathlib import Path

    from contractcalc.interfaces import cli as package
    from contractcalc.interfaces.schema import COMMANDS, GROUPS

    modules = {path.stem for path in Path(package.__file__).parent.glob("*.py") if not path.stem.startswith("_")}
    assert set(package.COMMAND_MODULES.values()) == modules - {"__init__"}
    top_level = {name.split(" ")[0] for name in COMMANDS} | set(GROUPS)
    assert set(package.COMMAND_MODULES) == top_level


def test_help_lists_the_commands_without_loading_them() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from contractcalc.interfaces.cli import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    run(['--help'])\n"
        "loaded = [m for m in sys.modules if m.startswith(('contractcalc.engines', 'contractcalc.interfaces.cli.'))]\n"
        "print(sorted(m for m in loaded if not m.endswith(('._command', '._output'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_readme_shows_real_runs_of_the_command_line(cli: Any) -> None:
    """Each ``$ contractcalc`` line of the README's "command line" and "bad input" sections and what it printed."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    sections = text.split("## The command line", 1)[1].split("## The library", 1)[0]
    checked = 0
    for block in sections.split("```console\n")[1:]:
        lines = block.split("```", 1)[0].splitlines()
        starts = [k for k, line in enumerate(lines) if line.startswith("$ contractcalc ")]
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(lines)
            result = cli(*lines[start].split()[2:])
            shown = "\n".join(lines[start + 1:end])
            assert (result.out if result.code == 0 else result.err).rstrip("\n") == shown, lines[start]
            checked += 1
    assert checked >= 4


def modules_after(args: list[str], status: int = 0) -> set[str]:
    """Every module a fresh interpreter has loaded after ``contractcalc ARGS`` (run in-process there)."""
    code = (
        "import json, sys, io, contextlib\n"
        "from contractcalc.interfaces.cli import run\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    status = run({args!r})\n"
        f"assert status == {status}, status\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


PNL_JSON = SCALAR_JSON[3]
TIERS_TABLE = ["liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "60000", "--quantity", "1",
               "--leverage", "20", "--tiers", "binance-usdm-BTCUSDT-2024-10", "--symbol", "BTC/USDT:USDT"]


@pytest.mark.parametrize(("args", "engine"), [
    (PNL_JSON, "contractcalc.engines.calculators"),
    (SCALAR_JSON[2], "contractcalc.engines.liquidation"),  # a liquidation price from a rate
], ids=["pnl", "liquidation"])
def test_an_answer_without_tiers_loads_no_tier_or_file_module(args: list[str], engine: str) -> None:
    loaded = modules_after(args)
    assert engine in loaded
    assert not loaded & {"contractcalc.venues.tiers", "contractcalc.io.tiers", "contractcalc.io.files", "pathlib",
                         "calendar"}


def test_the_version_loads_click_but_not_the_schema() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from contractcalc.interfaces.cli import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    run(['--version'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('contractcalc.') or m == 'json'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    loaded = done.stdout.strip().splitlines()[-1]
    assert "schema" not in loaded and "json" not in loaded and "engines" not in loaded, loaded
    assert "contractcalc.interfaces.cli._command" in loaded


def test_a_shipped_tier_table_is_read_without_importlib_resources_and_tables_without_emoji_names() -> None:
    loaded = modules_after(TIERS_TABLE)
    assert "contractcalc.venues.tiers" in loaded and "rich.table" in loaded
    # importlib.resources pulls zipfile, tempfile and shutil; Rich's emoji table is 3,000 names
    assert not loaded & {"importlib.resources", "zipfile", "tempfile", "rich._emoji_codes"}


def run_script(code: str) -> subprocess.CompletedProcess[str]:
    """``python -c CODE`` with stdout a buffered pipe (PYTHONUNBUFFERED unset), as a shell pipeline has it."""
    import os

    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)


MAIN = "import sys\nfrom contractcalc.interfaces.cli import main\nsys.argv = ['contractcalc', *{args!r}]\nmain()\n"


@pytest.mark.parametrize("args", [
    ["seed", "target-change", "--open", "1000", "--target", "1200"],
    PNL_JSON,
    ["liquidation", "--help"],
    ["seed", "liquidation-change", "--leverage", "0"],
], ids=["table", "json", "help", "error"])
def test_the_entry_point_ends_with_the_whole_answer_and_its_status(cli: Any, args: list[str]) -> None:
    # main() ends the process with os._exit (no teardown): nothing buffered may be lost
    expected = cli(*args)
    done = run_script(MAIN.format(args=args))
    assert (done.returncode, done.stdout, done.stderr) == (expected.code, expected.out, expected.err)


def test_the_entry_point_skips_the_teardown_only_when_no_exit_work_is_pending() -> None:
    code = (
        "import io, contextlib, threading\n"
        "from contractcalc.interfaces.cli import _nothing_left_to_clean_up, run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    run({PNL_JSON!r})\n"
        "after_an_answer = _nothing_left_to_clean_up()\n"
        "stop = threading.Event()\n"
        "worker = threading.Thread(target=stop.wait)\n"
        "worker.start()\n"
        "with_a_thread = _nothing_left_to_clean_up()\n"
        "stop.set(); worker.join()\n"
        "print(after_an_answer, with_a_thread)\n"
    )
    assert run_script(code).stdout.split() == ["True", "False"]
    # an atexit handler (logging, Dask, weakref.finalize) still runs: the normal exit is taken
    with_handler = run_script("import atexit, sys\natexit.register(lambda: print('handler ran'))\n"
                              + MAIN.format(args=["--version"]))
    assert with_handler.returncode == 0
    assert with_handler.stdout == f"contractcalc {contractcalc.__version__}\nhandler ran\n"


def test_the_one_shot_commands_are_commands_and_leave_the_long_runs_alone() -> None:
    from contractcalc.interfaces.cli import COMMAND_MODULES, ONE_SHOT_COMMANDS

    assert ONE_SHOT_COMMANDS.issubset({*COMMAND_MODULES, "--help", "--version"})
    # a server and the simulations keep Python's garbage collector (main() turns it off for the rest)
    assert not ONE_SHOT_COMMANDS & {"serve", "risk", "replay", "stress", "reconcile"}


@pytest.mark.parametrize(("args", "collecting"), [
    (PNL_JSON, False),
    (["--version"], False),
    (["tiers", "list"], True),
    (["risk", "--help"], True),
], ids=["pnl", "version", "tiers", "risk"])
def test_the_entry_point_turns_the_collector_off_for_one_shot_answers_only(args: list[str], collecting: bool) -> None:
    code = "import atexit, gc\natexit.register(lambda: print('collecting:', gc.isenabled()))\n"
    done = run_script(code + MAIN.format(args=args))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"collecting: {collecting}"


def test_importing_the_cli_package_imports_no_click_before_main_runs() -> None:
    # the console script imports the package, then calls main(): click's own import (~40,000 objects)
    # must come after main() has turned the garbage collector off
    code = ("import sys\nimport contractcalc.interfaces.cli\n"
            "print(sorted(m for m in sys.modules if m == 'click' or m.startswith('contractcalc.interfaces.cli.')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"


RESULT_MODULES = {"_base", "pnl", "target", "average_entry", "cost", "size", "max_open", "plan", "liquidation"}


def loaded_result_modules(args: list[str]) -> set[str]:
    prefix = "contractcalc.core.results."
    return {name.removeprefix(prefix) for name in modules_after(args) if name.startswith(prefix)}


@pytest.mark.parametrize(("args", "own"), [
    (PNL_JSON, "pnl"),
    (SCALAR_JSON[2], "liquidation"),
    (TIERS_TABLE, "liquidation"),
    (SCALAR_JSON[1], "plan"),
    (["max-open", "--exchange", "binance-usdm", "--tiers", "binance-usdm-BTCUSDT-2021-03-18", "--balance", "10000",
      "--leverage", "50", "--entry", "50000", "--json"], "max_open"),
], ids=["pnl", "liquidation", "liquidation-tiers", "plan", "max-open"])
def test_an_answer_creates_only_its_own_result_class(args: list[str], own: str) -> None:
    # each frozen dataclass costs ~0.5 ms to create: an answer loads the module of its own result alone
    assert loaded_result_modules(args) == {"_base", own}


def test_every_result_name_is_importable_from_the_results_package_and_is_the_defining_modules_object() -> None:
    import importlib

    from contractcalc.core import results

    assert {f"contractcalc.core.results.{home}" for home in results.HOMES.values()} <= {
        f"contractcalc.core.results.{name}" for name in RESULT_MODULES}
    for name in results.__all__:
        home = importlib.import_module(f"contractcalc.core.results.{results.HOMES[name]}")
        assert getattr(results, name) is getattr(home, name), name
    assert set(results.__all__) == set(results.HOMES)
    with pytest.raises(AttributeError):
        results.NoSuchResult  # noqa: B018


def test_a_result_from_its_own_module_pickles_and_keeps_absent_fields_out() -> None:
    import pickle

    from contractcalc.core.results import ABSENT, PnlResult, SizeResult

    pnl = PnlResult(1, 2, 3, 4, 5, 6, 7, 8)
    assert pickle.loads(pickle.dumps(pnl)) == pnl and "roi" not in pnl
    assert pickle.loads(pickle.dumps(ABSENT)) is ABSENT
    assert SizeResult(quantity=1).to_dict() == {"quantity": 1}


@pytest.mark.parametrize("args", [
    ["seed", "target-change", "--open", "1000", "--target", "1200"],
    ["seed", "target-change", "--open", "1000", "--target", "1200", "--json"],
    ["--help"],
    ["seed", "liquidation-change", "--leverage", "0"],
], ids=["seed-table", "seed-json", "help", "error"])
def test_the_schema_lists_the_exchanges_without_creating_the_presets(args: list[str]) -> None:
    loaded = modules_after(args, status=2 if args[0] == "seed" and args[-1] == "0" else 0)
    assert "contractcalc.interfaces.schema" in loaded and "contractcalc.venues.exchange_names" in loaded
    assert "contractcalc.venues.exchanges" not in loaded


def test_the_preset_names_are_the_presets_in_order() -> None:
    from contractcalc.venues.exchange_names import EXCHANGE_NAMES
    from contractcalc.venues.exchanges import EXCHANGES

    assert tuple(EXCHANGES) == EXCHANGE_NAMES
    from contractcalc.interfaces.schema import LIQUIDATION

    assert LIQUIDATION.field("exchange").help.endswith(", ".join(EXCHANGE_NAMES) + ".")


@pytest.mark.parametrize("args", [
    ["seed", "target-change", "--open", "1000", "--target", "1200"],
    PNL_JSON,
    TIERS_TABLE,
    SCALAR_JSON[1],
], ids=["seed-table", "pnl", "liquidation-tiers-table", "plan"])
def test_an_answer_imports_no_locale(args: list[str]) -> None:
    # click's --help option text without gettext (PlainHelp), a table's age without calendar: each imports
    # locale (~2 ms); help pages and errors still go through gettext, as click words them
    assert not modules_after(args) & {"locale", "calendar"}


def test_the_help_option_is_clicks_own_in_its_words() -> None:
    import click

    from contractcalc.interfaces.cli import _app
    from contractcalc.interfaces.cli._command import HELP_OPTION_TEXT

    plain = click.Command("plain")
    with click.Context(plain) as ctx:
        expected = plain.get_help_option(ctx)
    group = _app()
    with click.Context(group) as ctx:
        ours = group.get_help_option(ctx)
        assert ours is group.get_help_option(ctx)  # one object: click orders eager options by identity
    assert expected is not None and ours is not None
    assert ours.help == expected.help == HELP_OPTION_TEXT
    assert (ours.opts, ours.is_flag, ours.expose_value, ours.is_eager) == (
        expected.opts, expected.is_flag, expected.expose_value, expected.is_eager)


@settings(max_examples=200, deadline=None)
@given(year=st.integers(1971, 2200), month=st.integers(1, 12), days=st.integers(0, 4000))
def test_a_monthly_tables_age_counts_from_the_months_last_day(year: int, month: int, days: int) -> None:
    import calendar
    from datetime import date, timedelta

    from contractcalc.venues.tiers import table_age_days

    last = date(year, month, calendar.monthrange(year, month)[1])
    assert table_age_days(f"{year}-{month:02d}", last + timedelta(days=days)) == days
