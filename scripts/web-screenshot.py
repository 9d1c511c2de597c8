"""Screenshots of the web calculator for the README (docs/screenshot*.png).

Usage:
    .venv/bin/python scripts/web-screenshot.py                 # every README screenshot (the set below)
    .venv/bin/python scripts/web-screenshot.py QUERY OUT.png   # one page, desktop, light

Starts ``contractcalc serve`` on a free loopback port and photographs the page in
Debian's headless Chromium (the browser tests' flags): desktop (1360 px) and phone
(390 px), light and dark (``prefers-color-scheme``).  Desktop shots hold the whole
page; phone shots the first screen (what a phone shows first: the result).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from browser.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402

#: The seed's plan (the README's first example)
SEED_PLAN = "?tab=plan&side=long&entry=20000&stop=15000&target=24000&principal=1000"


@dataclass(frozen=True)
class Shot:
    out: str
    query: str
    dark: bool = False
    phone: bool = False
    #: ``margin_mode`` button to press on the liquidation tab after loading ("" for none)
    mode: str = ""


SHOTS = (
    Shot("docs/screenshot.png", SEED_PLAN),
    Shot("docs/screenshot-cross.png", "?tab=liquidation", mode="cross"),
    Shot("docs/screenshot-dark.png", "?tab=liquidation", dark=True, mode="isolated"),
    Shot("docs/screenshot-phone.png", "?tab=plan", phone=True),
    Shot("docs/screenshot-phone-dark.png", "?tab=liquidation", dark=True, phone=True),
)


def take(browser: Any, url: str, shot: Shot, out: Path) -> None:
    size = {"width": 390, "height": 844} if shot.phone else {"width": 1360, "height": 900}
    page = browser.new_page(viewport=size, device_scale_factor=1,
                            color_scheme="dark" if shot.dark else "light")
    page.goto(url + shot.query)
    page.wait_for_selector("body[data-ready=true]")
    if shot.mode:
        page.locator(f"#panel-liquidation [data-field='margin_mode'] button[data-value='{shot.mode}']").click()
    page.wait_for_selector(".chart canvas", state="attached")
    time.sleep(1.0)  # the chart's first frame and the results of the last input
    page.screenshot(path=str(out), full_page=not shot.phone)
    page.close()


def main(argv: list[str]) -> None:
    shots = SHOTS if len(argv) < 2 else (Shot(argv[2] if len(argv) > 2 else "docs/screenshot.png", argv[1]),)
    server = subprocess.Popen(
        [sys.executable, "-c", "from contractcalc.interfaces.cli import main; main()", "serve", "--port", "0"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = re.search(r"http://\S+/", server.stdout.readline())
        assert url, "serve printed no URL"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            for shot in shots:
                out = ROOT / shot.out if not Path(shot.out).is_absolute() else Path(shot.out)
                take(browser, url.group(0), shot, out)
                print(out)
            browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main(sys.argv)
