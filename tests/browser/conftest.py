"""A real browser for the suites that drive pages: Debian's Chromium through Playwright.

Playwright's own browser download cannot work here, so the browser is the system's
``chromium`` (``/usr/bin/chromium``, or the executable named by ``GOVLEDGER_CHROMIUM``),
installed by ``.ci/run`` with ``fonts-noto-cjk``. When it is missing every browser test
fails with a message saying how to install it: never a silent skip.

Fixtures:

- ``browser`` (session): one headless Chromium for the whole run.
- ``context`` / ``page`` (function): a fresh context and page per test, **offline**:
  any request to a host other than the local test server (or ``data:``, ``blob:``,
  ``file:``) is aborted and recorded in ``page.external_requests``, and console errors
  and uncaught page errors are recorded in ``page.console_errors``.
- :func:`kept` (a function): where a test keeps a screenshot or a print for a person to
  look at, under ``GOVLEDGER_SCREENSHOTS`` when that names a directory (else nothing is kept).
- :func:`serve` (a context manager, not a fixture): runs an ASGI app with uvicorn in a
  thread on a free local port and yields its base URL. ``lifespan=False`` skips the
  app's startup (``/docs`` and ``/openapi.json`` need no ledger); suites that need the
  ledger pass ``lifespan=True`` and share the server at module or session scope.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright

#: The browser the suites drive unless ``GOVLEDGER_CHROMIUM`` names another.
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Hosts a page may load from: the test server's.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
#: Schemes that never leave the machine.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "file"})


def chromium_executable() -> str:
    """The Chromium to launch; fails the test (no skip) when it is not installed."""
    named = os.environ.get("GOVLEDGER_CHROMIUM")
    candidate = named or DEFAULT_CHROMIUM
    path = Path(candidate) if os.sep in candidate else Path(shutil.which(candidate) or candidate)
    if not path.is_file() or not os.access(path, os.X_OK):
        origin = "GOVLEDGER_CHROMIUM names" if named else "the default browser is"
        pytest.fail(
            f"no Chromium for the browser tests: {origin} {candidate}, which is not an "
            "executable file. Install it with `apt-get install chromium fonts-noto-cjk` "
            "(as .ci/run does) or set GOVLEDGER_CHROMIUM to a Chromium executable.",
            pytrace=False,
        )
    return str(path)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    executable = chromium_executable()
    browser = playwright_instance.chromium.launch(
        executable_path=executable,
        headless=True,
        args=["--no-sandbox", "--disable-dev-shm-usage"],
    )
    try:
        yield browser
    finally:
        browser.close()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOCAL_HOSTS


def offline_context(browser: Browser, **options: Any) -> BrowserContext:
    """A new context whose pages cannot reach any host but the local server: such
    requests are aborted and their URLs kept in ``context.external_requests``."""
    context = browser.new_context(**options)
    external: list[str] = []

    def guard(route: Route) -> None:
        if _is_local(route.request.url):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    context.external_requests = external  # type: ignore[attr-defined]
    return context


def watch(page: Page) -> Page:
    """Record the page's console errors and uncaught errors in ``page.console_errors``."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: errors.append(f"uncaught: {err}"))
    page.console_errors = errors  # type: ignore[attr-defined]
    return page


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = offline_context(browser, viewport={"width": 1400, "height": 900})
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = watch(context.new_page())
    page.external_requests = context.external_requests  # type: ignore[attr-defined]
    return page


def kept(name: str) -> Path | None:
    """``$GOVLEDGER_SCREENSHOTS/name`` (the directory made), or None when it is unset."""
    folder = os.environ.get("GOVLEDGER_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder) / name


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(app: Any, *, lifespan: bool = False, timeout: float = 60.0) -> Iterator[str]:
    """Serve ``app`` on a free local port in a thread; yields ``http://127.0.0.1:PORT``."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="on" if lifespan else "off", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the test server stopped while starting (see its log)")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the test server did not start within {timeout:.0f} s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
