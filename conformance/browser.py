"""Headless Chromium driven by Playwright for Python: the browser of the Prefect UI's journeys
(and of the project's own tests of the report pages). The suite uses the machine's Chromium
(Debian's ``chromium`` by default); nothing downloads a browser."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = "/usr/bin/chromium"  # Debian's package
# No first-run work and no background traffic: without these Chromium tries to reach Google.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@contextmanager
def launched_browser(executable: str = CHROMIUM) -> Iterator[Any]:
    """Headless Chromium (``executable``) driven by Playwright for Python."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()
