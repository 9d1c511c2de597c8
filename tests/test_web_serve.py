"""``contractcalc serve`` and what it serves: loopback by default, the URL printed, the page's
own files (no CDN), and a CLI that does not load the web stack."""

from __future__ import annotations

import fnmatch
import re
import socket
import subprocess
import sys
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contractcalc.interfaces.cli.serve_command import is_loopback, url_for

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "src" / "contractcalc" / "interfaces" / "web" / "static"
SERVE = [sys.executable, "-c", "from contractcalc.interfaces.cli import main; main()", "serve"]


@pytest.fixture
def served() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    process = subprocess.Popen([*SERVE, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        yield match.group(0), process
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(url: str) -> tuple[int, str, str]:
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.headers.get("content-type", ""), response.read().decode()
        except ConnectionRefusedError:  # pragma: no cover - the server is still starting
            import time

            time.sleep(0.05)
    raise AssertionError(f"{url} did not answer")


def test_serve_binds_loopback_and_prints_the_url(served: tuple[str, Any]) -> None:
    url, _process = served
    status, kind, html = get(url)
    assert status == 200 and kind.startswith("text/html")
    assert "<title>contractcalc" in html
    assert get(url + "api/calculators")[0] == 200
    docs = get(url + "docs")[2]
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    # loopback only: the port is not open on another address of this machine
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with socket.socket() as probe:
        probe.settimeout(1)
        others = [a for a in _local_addresses() if not a.startswith("127.")]
        for address in others:
            assert probe.connect_ex((address, port)) != 0


def _local_addresses() -> list[str]:
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)})
    except OSError:
        return []


def test_serve_defaults_and_help(cli: Any) -> None:
    result = cli("serve", "--help")
    assert result.code == 0
    assert "--host" in result.out and "127.0.0.1" in result.out
    assert "--port" in result.out and "8000" in result.out


def test_a_port_in_use_is_a_one_line_error(cli: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port))
    assert result.code == 2
    assert re.fullmatch(rf"error: '--port' cannot be used \(.+\) \(got {port}\)\n", result.err), result.err


def test_loopback_and_urls() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.8.9.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
    assert url_for("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert url_for("::1", 8080) == "http://[::1]:8080/"


def test_the_cli_does_not_load_the_web_stack() -> None:
    code = (
        "import sys\n"
        "from contractcalc.interfaces.cli import run\n"
        "run(['plan', '--side', 'long', '--entry', '20000', '--stop', '15000', '--target', '24000',"
        " '--principal', '1000', '--json'])\n"
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'contractcalc.web') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_page_loads_nothing_from_elsewhere() -> None:
    for name in ("index.html", "app.js", "style.css"):
        text = (STATIC / name).read_text()
        assert not re.search(r"(src|href)=[\"']https?://", text), name
        assert "fetch(\"http" not in text and "cdn" not in text.lower(), name
    html = (STATIC / "index.html").read_text()
    for asset in re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html):
        assert (STATIC / asset.removeprefix("/static/")).is_file(), asset


def test_vendored_libraries_keep_their_licences() -> None:
    uplot = STATIC / "vendor" / "uplot"
    assert "MIT License" in (uplot / "LICENSE").read_text()
    assert (uplot / "uPlot.iife.min.js").read_text().startswith("/*! https://github.com/leeoniya/uPlot (v1.6.32)")
    swagger = STATIC / "vendor" / "swagger-ui"
    assert "Apache License" in (swagger / "LICENSE").read_text()


def test_package_data_ships_every_page_file() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = setuptools["package-data"]["contractcalc"]
    package = ROOT / "src" / "contractcalc"
    for path in STATIC.rglob("*"):
        if path.is_file():
            relative = path.relative_to(package).as_posix()
            assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative
