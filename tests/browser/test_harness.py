"""The browser harness itself: a missing Chromium fails loudly, pages stay offline,
the test server starts and stops."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.browser.conftest import chromium_executable, serve


def test_a_missing_chromium_fails_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "no-chromium"
    monkeypatch.setenv("GOVLEDGER_CHROMIUM", str(missing))
    with pytest.raises(pytest.fail.Exception) as failed:
        chromium_executable()
    assert str(failed.value) == (
        f"no Chromium for the browser tests: GOVLEDGER_CHROMIUM names {missing}, which is not "
        "an executable file. Install it with `apt-get install chromium fonts-noto-cjk` "
        "(as .ci/run does) or set GOVLEDGER_CHROMIUM to a Chromium executable."
    )


def test_the_default_chromium_is_debians(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVLEDGER_CHROMIUM", raising=False)
    assert chromium_executable() == "/usr/bin/chromium"


def test_pages_cannot_reach_other_hosts(page: Page) -> None:
    page.set_content(
        "<img id='far' src='https://example.com/logo.png'>"
        "<img id='near' src='data:image/gif;base64,R0lGODlhAQABAAAAACw='>"
    )
    page.wait_for_function("document.getElementById('far').complete")
    assert page.external_requests == ["https://example.com/logo.png"]  # type: ignore[attr-defined]
    assert page.evaluate("document.getElementById('far').naturalWidth") == 0


def test_console_errors_are_recorded(page: Page) -> None:
    page.set_content(
        "<script>console.error('boom'); setTimeout(() => { throw new Error('late'); });</script>"
    )
    page.wait_for_timeout(100)
    assert page.console_errors[0] == "boom"  # type: ignore[attr-defined]
    assert page.console_errors[1].startswith("uncaught: ")  # type: ignore[attr-defined]
    assert "late" in page.console_errors[1]  # type: ignore[attr-defined]


def test_serve_runs_an_app_on_a_local_port_and_stops_it(page: Page) -> None:
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("你好, ledger"))])
    with serve(app) as url:
        assert url.startswith("http://127.0.0.1:")
        page.goto(url)
        assert page.inner_text("body") == "你好, ledger"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=5)
    assert page.external_requests == []  # type: ignore[attr-defined]
