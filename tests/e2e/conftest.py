"""Browser tests: Playwright (sync API) driving Debian's headless Chromium against live_server.

Chromium comes from Debian, never from `playwright install`: its headless-shell build
(`apt-get install -y chromium-headless-shell`, done by `make test`), the build Playwright's own
headless mode uses, at less than half the CPU of the full browser run headless.
E2E_CHROMIUM=/usr/bin/chromium runs the tests in the full browser (`apt-get install chromium`).
Without the browser the tests fail, they are not skipped.
Every test here is marked `e2e`; run only them with `make test PYTEST_ARGS="-m e2e"`, or
leave them out with `PYTEST_ARGS="-m 'not e2e'"`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; Django's ORM refuses to run
# inside one unless told it is safe (it is: the loop never runs Django code concurrently).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM") or "/usr/bin/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "test-results" / "screenshots"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
E2E_DIR = Path(__file__).resolve().parent
# A full-page screenshot costs Chromium a second or more: taken when a test fails (what it
# is for), and of every test with E2E_SCREENSHOTS=all.
ALL_SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS") == "all"
CALL_FAILED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Each phase's outcome on the test item, for the page fixture's teardown."""
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            f"Install it with: apt-get update && apt-get install -y {CHROMIUM.name}",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context per test (Danish locale); the page as it ended is saved as a
    screenshot when the test failed."""
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    try:
        if ALL_SCREENSHOTS or request.node.stash.get(CALL_FAILED, True):
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
            page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
    finally:
        context.close()


def screenshot(target, name: str, *, full_page: bool = True) -> None:
    """An evidence screenshot of a page (or a locator's element) in test-results/screenshots/,
    taken with E2E_SCREENSHOTS=all only: it costs Chromium a second a page, and under load
    Chromium may refuse one ("Unable to capture screenshot"), which is no finding of the
    test's. A failed test's page is always kept (the page fixture)."""
    if not ALL_SCREENSHOTS:
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    options = {"full_page": True} if full_page else {}
    target.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), **options)


def assert_no_serious_axe_violations(page) -> None:
    """Run axe-core on the current page; fail listing every serious or critical violation."""
    if not AXE_JS.exists():
        pytest.fail(
            f"{AXE_JS} is missing: run `make install` (npm installs axe-core).", pytrace=False
        )
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as an inline <script> tag: the
        # pages' Content-Security-Policy (script-src 'self') blocks inline scripts.
        page.evaluate(AXE_JS.read_text())
    results = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    if serious:
        lines = [f"{len(serious)} serious/critical accessibility violation(s) on {page.url}:"]
        for violation in serious:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            lines.append(f"  {violation['helpUrl']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:120]}")
            if len(violation["nodes"]) > 5:
                lines.append(f"    ... and {len(violation['nodes']) - 5} more")
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def axe():
    """The axe check as a fixture, so tests need no import: `axe(page)`."""
    return assert_no_serious_axe_violations
