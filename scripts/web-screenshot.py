"""Screenshot of the web calculator for the README: docs/screenshot.png.

Usage: .venv/bin/python scripts/web-screenshot.py [QUERY] [OUT.png]
Starts ``contractcalc serve`` on a free loopback port and photographs the page in
Debian's headless Chromium (the browser tests' flags).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from browser.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402

query = sys.argv[1] if len(sys.argv) > 1 else "?tab=plan&side=long&entry=20000&stop=15000&target=24000&principal=1000"
out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "screenshot.png"
server = subprocess.Popen([sys.executable, "-c", "from contractcalc.interfaces.cli import main; main()", "serve", "--port", "0"],
                          stdout=subprocess.PIPE, text=True)
try:
    assert server.stdout is not None
    url = re.search(r"http://\S+/", server.stdout.readline())
    assert url, "serve printed no URL"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, device_scale_factor=1)
        page.goto(url.group(0) + query)
        page.wait_for_selector("body[data-ready=true]")
        page.wait_for_selector(".chart canvas", state="attached")
        time.sleep(1.0)
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    print(out)
finally:
    server.terminate()
