"""Browser tests of the web calculator (Playwright driving Debian's Chromium)."""
