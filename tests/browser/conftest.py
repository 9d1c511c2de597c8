"""Browser tests: the real page, served by ``contractcalc serve``, in Debian's headless Chromium.

Playwright drives the system Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``); it
never downloads a browser.  Chromium runs headless with the flags a closed
network needs.  Without Chromium the tests skip on a developer's machine and
fail under CI (``CI=true``), where ``make test`` installs it first.
Screenshots go to ``test-artifacts/`` (see :func:`shot`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    """The Chromium to drive: ``$CHROMIUM`` if set, else ``/usr/bin/chromium`` or one on ``PATH``."""
    given = os.environ.get("CHROMIUM")
    for candidate in [given] if given else ["/usr/bin/chromium", shutil.which("chromium")]:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        where = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
        message = f"Chromium not found at {where} (install Debian's 'chromium': scripts/ensure-chromium)"
        if _under_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """``contractcalc serve --port 0`` in a subprocess; the URL it prints."""
    command = [sys.executable, "-c", "from contractcalc.interfaces.cli import main; main()", "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, f"serve printed {line!r}; stderr: {process.stderr.read() if process.poll() is not None else ''}"
        url = match.group(0)
        _wait_until_up(url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(url: str) -> None:
    import urllib.request

    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url + "api/calculators", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="contractcalc-chromium-") as profile, sync_playwright() as playwright:
        # A persistent context is the way to give Chromium its own empty --user-data-dir.
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1360, "height": 900},
            device_scale_factor=1,
            service_workers="block",
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: Any, server_url: str) -> Iterator[Any]:
    """A fresh tab; fails the test on any console error or failed request of the page."""
    tab = browser.new_page()
    problems: list[str] = []
    def on_console(message: Any) -> None:
        # A 422 answer is the page working (it shows the error); Chromium logs it anyway.
        if message.type == "error" and "status of 422" not in message.text:
            problems.append(f"console {message.type}: {message.text}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}")
           if "abort" not in str(request.failure or "").lower() else None)
    tab.problems = problems
    yield tab
    tab.close()
    assert not problems, problems
