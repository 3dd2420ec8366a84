"""Browser tests: the admin driven in a real headless Chromium (the system's
``chromium`` package, driven by Playwright; no browser is downloaded).

Marked ``browser``. Skipped, with the reason, where there is no Chromium
(``FINHUB_CHROMIUM`` names another binary). Screenshots of every step go to
``FINHUB_SCREENSHOTS`` (CI sets it) or ``browser-screenshots/`` under the test
run's temporary directory; the path is printed at the end of the run."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's synchronous API runs an event loop in this thread; the test's own
# database calls (fixtures, assertions) are still synchronous Django calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

VIEWPORT = {"width": 1366, "height": 900}


def chromium_path() -> str | None:
    configured = os.environ.get("FINHUB_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_path() is not None:
        return
    skip = pytest.mark.skip(reason="needs Chromium: apt-get install chromium (or set FINHUB_CHROMIUM)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("FINHUB_SCREENSHOTS")
    folder = Path(configured) if configured else tmp_path_factory.getbasetemp() / "browser-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


class Tour:
    """One browser page with a step counter: ``shot(name)`` writes
    ``NN-name.png`` and checks that the page does not scroll sideways."""

    def __init__(self, page: Any, base_url: str, folder: Path, prefix: str) -> None:
        self.page = page
        self.base_url = base_url
        self.folder = folder
        self.prefix = prefix
        self.step = 0

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        return response

    def shot(self, name: str, *, check_width: bool = True) -> Path:
        self.step += 1
        path = self.folder / f"{self.prefix}-{self.step:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if check_width:
            overflow = self.page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px at 1366px"
            # Nor does a list or inline scroll inside its own box.
            inner = self.page.evaluate(
                """() => [...document.querySelectorAll('#changelist .results, .inline-group, fieldset.module')]
                      .map(el => el.scrollWidth - el.clientWidth).filter(d => d > 1)"""
            )
            assert inner == [], f"{name}: a list or form scrolls sideways inside the page: {inner}"
        return path


@pytest.fixture
def tour_factory(browser: Any, live_server: Any, screenshot_dir: Path) -> Iterator[Any]:
    contexts = []

    def make(prefix: str, *, locale: str = "en-GB") -> Tour:
        context = browser.new_context(viewport=VIEWPORT, locale=locale, accept_downloads=True)
        context.set_default_timeout(15000)
        contexts.append(context)
        return Tour(context.new_page(), live_server.url, screenshot_dir, prefix)

    yield make
    for context in contexts:
        context.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    folder = os.environ.get("FINHUB_SCREENSHOTS")
    if folder and Path(folder).exists():
        terminalreporter.write_line(f"browser screenshots: {folder}")
