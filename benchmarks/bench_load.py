"""Load test of the web calculator on loopback, against a FastAPI hello-world in the same run.

Starts each server itself (a child process on 127.0.0.1, a free port, the same uvicorn
settings as ``contractcalc serve``: :func:`contractcalc.interfaces.web.server.server_config`),
sends it sustained keep-alive requests from client threads for a bounded time and count,
samples the server's resident memory (RSS) while it runs, and stops it.  Phases:

1. ``hello``: ``POST /hello`` of a FastAPI app that answers ``{"hello": "world"}`` (the floor:
   the framework and the server, no calculator);
2. ``liquidation``: ``POST /api/liquidation`` (isolated, Binance tiers);
3. ``plan``: ``POST /api/plan`` (the seed's example with the exchange check);
4. ``cross-100``: eight clients at once, each posting a cross account of 100 positions
   (the request cap) to ``/api/liquidation``;
5. ``idle``: many idle connections opened (more than the server's connection cap), then one
   request: it must be answered (idle clients never lock others out).

For each: requests/s, p50 and p99 latency, errors (any non-200 or failed connection) and
the server's RSS at the start, the end and its peak.  Exits 1 on any error or when the
RSS of the last quarter of a phase exceeds the first quarter's by more than 20 % (memory
that grows with requests).

    python benchmarks/bench_load.py [SECONDS_PER_PHASE] [--http h11|httptools]

Bounded: at most ``SECONDS_PER_PHASE`` (default 8) and 50,000 requests per phase; every
address is 127.0.0.1.  Nothing here runs in the test suite: figures depend on the machine.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"
MAX_REQUESTS = 50_000
CLIENTS = 4

LIQUIDATION = {"exchange": "binance-usdm", "symbol": "BTC/USDT:USDT", "tiers": "binance-usdm-BTCUSDT-2024-10",
               "side": "long", "entry": 60000, "quantity": 1, "leverage": 20}
PLAN = {"side": "long", "entry": 20000, "stop": 15000, "target": 24000, "principal": 1000,
        "exchange": "binance-usdm", "symbol": "BTC/USDT:USDT"}
CROSS_100 = {
    "exchange": "binance-usdm", "margin_mode": "cross", "wallet_balance": 50000,
    "positions": [
        {"symbol": f"C{k}/USDT:USDT", "side": "long" if k % 2 else "short", "contracts": 1 + k % 3,
         "contractSize": 1, "entryPrice": 100 + k, "markPrice": 101 + k, "maintenanceMarginRate": 0.005}
        for k in range(100)
    ],
}

# The hello-world: FastAPI and the same uvicorn settings, nothing computed.
HELLO_APP = """
import socket, sys
from fastapi import FastAPI
from contractcalc.interfaces.web.server import run
app = FastAPI()
@app.post("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}
"""
CALCULATOR_APP = """
import socket, sys
from contractcalc.interfaces.web import create_app
from contractcalc.interfaces.web.app import LOOPBACK_HOSTS
from contractcalc.interfaces.web.server import run
app = create_app(allowed_hosts=LOOPBACK_HOSTS)
"""
SERVE = """
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", 0))
sock.listen(2048)
print("port", sock.getsockname()[1], flush=True)
run(app, [sock], http=sys.argv[1] if sys.argv[1] != "auto" else None)
"""


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def report(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        quarter = max(1, len(self.rss) // 4)
        first, last = self.rss[:quarter], self.rss[-quarter:]
        return {
            "phase": self.name,
            "requests": len(self.latencies),
            "errors": len(self.errors),
            "requests_per_s": round(len(self.latencies) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(1000 * ordered[len(ordered) // 2], 2) if ordered else None,
            "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2) if ordered else None,
            "rss_start_mb": round(self.rss[0] / 2**20, 1) if self.rss else None,
            "rss_end_mb": round(self.rss[-1] / 2**20, 1) if self.rss else None,
            "rss_peak_mb": round(max(self.rss) / 2**20, 1) if self.rss else None,
            "rss_growth": round(statistics.median(last) / statistics.median(first) - 1, 3) if self.rss else None,
        }


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@contextmanager
def server(app_code: str, http: str) -> Iterator[tuple[int, int]]:
    """A child process serving ``app_code`` on 127.0.0.1: yields (port, pid); stopped on exit."""
    process = subprocess.Popen([sys.executable, "-c", app_code + SERVE, http], stdout=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.match(r"port (\d+)", line)
        if not match:
            raise RuntimeError(f"the server did not start: {line!r}")
        port = int(match.group(1))
        for _ in range(100):
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sustained(phase: Phase, port: int, pid: int, path: str, body: dict[str, Any], seconds: float,
              clients: int = CLIENTS, max_requests: int = MAX_REQUESTS) -> None:
    """``clients`` keep-alive clients posting ``body`` to ``path`` until ``seconds`` or ``max_requests``."""
    payload = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Host": f"{HOST}:{port}"}
    stop = threading.Event()
    lock = threading.Lock()
    sent = [0]

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        while not stop.is_set():
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            start = time.perf_counter()
            try:
                connection.request("POST", path, payload, headers)
                response = connection.getresponse()
                data = response.read()
                elapsed = time.perf_counter() - start
                if response.status != 200:
                    phase.errors.append(f"{response.status} {data[:200]!r}")
                else:
                    phase.latencies.append(elapsed)
            except (OSError, http.client.HTTPException) as error:
                phase.errors.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
        connection.close()

    def sample() -> None:
        while not stop.wait(0.1):
            phase.rss.append(rss_bytes(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    phase.rss.append(rss_bytes(pid))
    started = time.perf_counter()
    sampler.start()
    for thread in threads:
        thread.start()
    deadline = started + seconds
    while time.perf_counter() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    phase.seconds = time.perf_counter() - started
    sampler.join(timeout=5)
    phase.rss.append(rss_bytes(pid))


def idle_connections(phase: Phase, port: int, pid: int, count: int) -> None:
    """Open ``count`` idle connections, then time one request; close them all."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    count = min(count, hard - 64)
    if soft < count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 64), hard))
    idle = []
    try:
        for _ in range(count):
            idle.append(socket.create_connection((HOST, port), timeout=10))
        phase.rss.append(rss_bytes(pid))
        started = time.perf_counter()
        sustained(phase, port, pid, "/api/plan", PLAN, seconds=10, clients=1, max_requests=50)
        phase.seconds = time.perf_counter() - started
    finally:
        for sock in idle:
            sock.close()
    phase.name = f"idle ({count} idle connections open)"


def run_all(seconds: float, http: str) -> list[dict[str, Any]]:
    reports = []
    with server(HELLO_APP, http) as (port, pid):
        phase = Phase("hello-world (FastAPI, same server settings)")
        sustained(phase, port, pid, "/hello", {}, seconds)
        reports.append(phase.report())
    with server(CALCULATOR_APP, http) as (port, pid):
        runs: list[tuple[str, Callable[[Phase], None]]] = [
            ("/api/liquidation", lambda p: sustained(p, port, pid, "/api/liquidation", LIQUIDATION, seconds)),
            ("/api/plan", lambda p: sustained(p, port, pid, "/api/plan", PLAN, seconds)),
            ("cross-100 x 8 clients", lambda p: sustained(p, port, pid, "/api/liquidation", CROSS_100, seconds,
                                                         clients=8, max_requests=400)),
            ("idle", lambda p: idle_connections(p, port, pid, 1100)),
        ]
        for name, go in runs:
            phase = Phase(name)
            go(phase)
            reports.append(phase.report())
            if phase.errors:
                print(f"{name}: first errors: {phase.errors[:3]}", file=sys.stderr)
    return reports


def main(argv: list[str]) -> int:
    seconds = float(argv[0]) if argv and not argv[0].startswith("--") else 8.0
    http = argv[argv.index("--http") + 1] if "--http" in argv else "auto"
    print(f"# bench_load: {seconds:g} s per phase, {CLIENTS} keep-alive clients, http={http}, "
          f"{os.cpu_count()} CPUs, 127.0.0.1")
    reports = run_all(seconds, http)
    columns = ("phase", "requests", "errors", "requests_per_s", "p50_ms", "p99_ms", "rss_start_mb", "rss_end_mb",
               "rss_peak_mb", "rss_growth")
    print(" | ".join(columns))
    for report in reports:
        print(" | ".join(str(report[c]) for c in columns))
    failed = [r["phase"] for r in reports if r["errors"] or (r["rss_growth"] or 0) > 0.2]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
