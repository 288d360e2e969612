"""/docs and /redoc render every operation in a real browser with no network beyond the server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page

from api.main import create_app
from tests.browser.conftest import serve


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(create_app(), lifespan=False) as url:
        yield url


@pytest.fixture(scope="module")
def operations(base_url: str) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation in the served OpenAPI document."""
    spec = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
    ops = [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(ops) > 20
    return sorted(ops)


def test_swagger_ui_renders_every_operation_offline(
    page: Page, base_url: str, operations: list[tuple[str, str]]
) -> None:
    page.goto(f"{base_url}/docs")
    page.locator(".opblock").first.wait_for(timeout=30_000)
    assert page.locator(".info .title").first.inner_text().startswith("govledger")
    shown = page.eval_on_selector_all(
        ".opblock-summary",
        """els => els.map(el => [
            el.querySelector('.opblock-summary-method').textContent.trim(),
            el.querySelector('.opblock-summary-path').getAttribute('data-path'),
        ])""",
    )
    assert sorted(map(tuple, shown)) == operations
    assert page.external_requests == []  # type: ignore[attr-defined]
    assert page.console_errors == []  # type: ignore[attr-defined]
    assert page.locator(".topbar, .download-url-wrapper").count() == 0


def test_redoc_renders_every_operation_offline(
    page: Page, base_url: str, operations: list[tuple[str, str]]
) -> None:
    page.goto(f"{base_url}/redoc")
    page.locator("[data-section-id^='operation/']").first.wait_for(timeout=30_000)
    count = page.locator("[data-section-id^='operation/']").count()
    assert count == len(operations)
    assert page.locator("h1").first.inner_text().startswith("govledger")
    assert page.external_requests == []  # type: ignore[attr-defined]
    # Redoc's footer asks cdn.redoc.ly for its logo: the page's CSP refuses it before
    # any request leaves (the image then hides itself). Nothing else may fail.
    assert page.locator("img[alt='redocly logo']").count() == 0
    refused = [e for e in page.console_errors if "cdn.redoc.ly/redoc/logo-mini.svg" in e]  # type: ignore[attr-defined]
    assert page.console_errors == refused  # type: ignore[attr-defined]
