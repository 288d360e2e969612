"""The dashboard: server-rendered pages (Jinja2) in zh-CN and English, at ``/``.

:func:`install_pages` adds the pages (hidden from the OpenAPI document) and their
stylesheet and scripts at ``/assets``; they also load the vendored ECharts and the
RFC 9162 verifier from ``/static`` (``api/static``, mounted by
:func:`api.main.create_app`).

A page and a JSON route may share a URL (``/blocks/7``, ``/findings/F1-1``): the URL
is the thing's one permanent address, and the reader's ``Accept`` header chooses the
form. A reader asking for HTML (a browser) gets the page; any other client gets the
JSON API, which is matched first for it. Paths only a page has (``/``, ``/scope/…``)
answer HTML to every client, unless the API has the path for another method
(``GET /effects/entries`` is the API's 405, not the entry page of sequence
"entries").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from api.pages.routes import router


def wants_html(scope: Scope) -> bool:
    """Whether the request's ``Accept`` header prefers HTML to JSON (a browser's does;
    ``*/*`` alone does not)."""
    accept = ""
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            accept = value.decode("latin-1")
            break
    weights: dict[str, float] = {}
    for item in accept.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[kind.lower()] = max(q, weights.get(kind.lower(), 0.0))
    html = max(weights.get("text/html", 0.0), weights.get("application/xhtml+xml", 0.0))
    return html > 0 and html >= weights.get("application/json", 0.0)


class BrowserRoute(APIRoute):
    """A page's route that only a reader asking for HTML reaches (see the module doc)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.NONE and not wants_html(scope):
            return Match.NONE, {}
        return match, child


def _copied(pages: APIRouter, route_class: type[APIRoute]) -> list[BaseRoute]:
    """Every page's route again, as a ``route_class``."""
    copies = APIRouter(route_class=route_class)
    for route in pages.routes:
        assert isinstance(route, APIRoute)
        options: dict[str, Any] = {"methods": route.methods, "name": route.name}
        copies.add_api_route(
            route.path,
            route.endpoint,
            dependencies=route.dependencies,
            include_in_schema=False,
            **options,
        )
    return list(copies.routes)


def _api_first(pages: APIRouter, api: Sequence[BaseRoute]) -> list[BaseRoute]:
    """Every page's route for any reader, where no route of ``api`` has the path (for
    any method): the API's own answer (a 405, a 404) comes first there."""

    class ApiFirstRoute(APIRoute):
        def matches(self, scope: Scope) -> tuple[Match, Scope]:
            match, child = super().matches(scope)
            if match is not Match.NONE and any(r.matches(scope)[0] is not Match.NONE for r in api):
                return Match.NONE, {}
            return match, child

    return _copied(pages, ApiFirstRoute)


def install_pages(app: FastAPI, api: Sequence[BaseRoute]) -> None:
    """Add the pages to ``app``, whose JSON API serves the routes ``api``."""
    app.router.routes[:0] = _copied(router, BrowserRoute)
    app.router.routes.extend(_api_first(router, api))
    app.mount("/assets", StaticFiles(packages=[("api.pages", "static")]), name="assets")


__all__ = ["BrowserRoute", "install_pages", "wants_html"]
