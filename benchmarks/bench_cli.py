"""Benchmark: the CPU time of one ``contractcalc`` answer against ``python -c pass``.

Each command runs as a fresh process through the installed console script (as a
user types it); its CPU time (user + system) is read from
``resource.getrusage(RUSAGE_CHILDREN)`` around the run.  The floor, ``python -c
pass`` with the same interpreter, is measured in the same run, alternated with
the commands (floor, command 1, command 2, ..., floor, ...), and each figure is
the median of the rounds.  The target (issue 8): every answer <= 6x the floor.

Run with ``make bench-cli`` or ``python benchmarks/bench_cli.py [ROUNDS]``.
Nothing here is asserted in the test suite: timings depend on the machine.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

#: What a user runs; each is one answer.  Table and --json, scalar and tiered.
COMMANDS: dict[str, list[str]] = {
    "--version": ["--version"],
    "--help": ["--help"],
    "seed target-change --json": ["seed", "target-change", "--open", "1000", "--target", "1200", "--json"],
    "seed target-change (table)": ["seed", "target-change", "--open", "1000", "--target", "1200"],
    "plan --json": ["plan", "--side", "long", "--entry", "20000", "--stop", "15000", "--target", "24000",
                    "--principal", "1000", "--json"],
    "pnl --json": ["pnl", "--contract", "linear", "--side", "long", "--entry", "7000", "--exit", "7500",
                   "--quantity", "0.2", "--leverage", "10", "--json"],
    "liquidation --json (rate)": ["liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "60000",
                                  "--quantity", "1", "--leverage", "20", "--maintenance-margin-rate", "0.004",
                                  "--json"],
    "liquidation (tiers, table)": ["liquidation", "--exchange", "binance-usdm", "--side", "long", "--entry", "60000",
                                   "--quantity", "1", "--leverage", "20", "--tiers", "binance-usdm-BTCUSDT-2024-10",
                                   "--symbol", "BTC/USDT:USDT"],
    "max-open --json (tiers)": ["max-open", "--exchange", "binance-usdm", "--tiers", "binance-usdm-BTCUSDT-2021-03-18",
                                "--balance", "10000", "--leverage", "50", "--entry", "50000", "--json"],
    "error (exit 2)": ["seed", "liquidation-change", "--leverage", "0"],
}

#: What the CLI's libraries cost before any contractcalc code runs (the project's standard is click and Rich):
#: importing click, and importing click and Rich and rendering a one-cell table with Rich.  Each is run
#: as ``python -c``; the table answers cannot start faster than the second row.
LIBRARY_FLOORS: dict[str, str] = {
    "[library] import click": "import click",
    "[library] click + Rich table": (
        "import io, click; from rich.console import Console; from rich.table import Table; "
        "t = Table(); t.add_column('a'); t.add_row('1'); Console(file=io.StringIO(), emoji=False).print(t)"
    ),
}

#: The exit status of each row (0 unless named here).
EXIT_STATUS = {"error (exit 2)": 2}


def console_script() -> list[str]:
    """The installed ``contractcalc`` beside this interpreter (else on PATH, else through ``-c``)."""
    beside = Path(sys.executable).with_name("contractcalc")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("contractcalc")
    if found:
        return [found]
    return [sys.executable, "-c", "from contractcalc.interfaces.cli import main; main()"]


def cpu_seconds(argv: list[str]) -> float:
    """User + system CPU time of one run of ``argv`` (output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(rounds: int = 15) -> dict[str, float]:
    floor_argv = [sys.executable, "-c", "pass"]
    script = console_script()
    runs = {name: [*script, *args] for name, args in COMMANDS.items()}
    runs.update({name: [sys.executable, "-c", code] for name, code in LIBRARY_FLOORS.items()})
    for name, argv in runs.items():  # warm the page cache; and each row must be the answer it names
        status = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode
        if status != EXIT_STATUS.get(name, 0):
            raise SystemExit(f"{name!r} exited with {status}: it measures something else than its answer")
    floor: list[float] = []
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, argv in runs.items():
            floor.append(cpu_seconds(floor_argv))
            times[name].append(cpu_seconds(argv))
    base = statistics.median(floor)
    print(f"floor `python -c pass`: {base * 1000:.1f} ms CPU (median of {len(floor)})")
    ratios: dict[str, float] = {}
    for name, samples in times.items():
        median = statistics.median(samples)
        ratios[name] = median / base
        print(f"{name:32s} {median * 1000:7.1f} ms  {ratios[name]:5.1f}x")
    answers = [ratio for name, ratio in ratios.items() if name not in LIBRARY_FLOORS]
    print(f"worst answer: {max(answers):.1f}x the floor (target <= 6x)")
    return ratios


if __name__ == "__main__":
    result = main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
    if "--json" in sys.argv:
        print(json.dumps(result))
