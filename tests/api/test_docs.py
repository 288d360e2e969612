"""/docs and /redoc are served from the vendored copies: nothing from a CDN."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "api" / "static" / "vendor"


class _Refs(HTMLParser):
    """Every ``src`` and ``href`` (and Redoc's ``spec-url``) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [v for k, v in attrs if k in ("src", "href", "spec-url") and v]


@pytest.fixture(scope="module")
def docs_client() -> TestClient:
    # Without entering the client, the app's lifespan (which opens a ledger) never runs:
    # the documentation pages and the OpenAPI document do not need one.
    return TestClient(create_app())


@pytest.mark.parametrize(
    ("path", "assets"),
    [
        (
            "/docs",
            {
                "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js",
                "/static/vendor/swagger-ui-dist/swagger-ui.css",
                "/static/vendor/swagger-ui-dist/favicon-32x32.png",
            },
        ),
        (
            "/redoc",
            {
                "/static/vendor/redoc/redoc.standalone.js",
                "/static/vendor/swagger-ui-dist/favicon-32x32.png",
                "/openapi.json",
            },
        ),
    ],
)
def test_docs_pages_load_only_vendored_files(
    docs_client: TestClient, path: str, assets: set[str]
) -> None:
    response = docs_client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert re.findall(r"(?:https?:)?//[\w.-]+", response.text) == []
    assert "fonts.googleapis" not in response.text
    refs = _Refs()
    refs.feed(response.text)
    assert set(refs.refs) == assets
    for ref in assets - {"/openapi.json"}:
        served = docs_client.get(ref)
        assert served.status_code == 200, ref
        assert served.content == (VENDOR / ref.removeprefix("/static/vendor/")).read_bytes()


def test_swagger_ui_reads_the_openapi_document(docs_client: TestClient) -> None:
    assert "url: '/openapi.json'" in docs_client.get("/docs").text
    assert docs_client.get("/openapi.json").status_code == 200


def test_static_files_stay_inside_the_package(docs_client: TestClient) -> None:
    response = docs_client.get("/static/../main.py")
    assert response.status_code == 404
    assert "create_app" not in response.text
    assert docs_client.get("/static/vendor/nope.js").status_code == 404


def test_docs_routes_are_not_operations_of_the_api(docs_client: TestClient) -> None:
    paths = docs_client.get("/openapi.json").json()["paths"]
    assert not {"/docs", "/redoc", "/static"} & set(paths)
