"""The dashboard: server-rendered pages (Jinja2) in zh-CN and English, at ``/``.

:func:`install_pages` adds the pages (hidden from the OpenAPI document), their
stylesheet and scripts at ``/assets`` and the vendored libraries and shared
modules (``api/static``: ECharts, the RFC 9162 verifier) at ``/static``. The JSON
API's routes come first, so a page never shadows one.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages.routes import router


def install_pages(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/assets", StaticFiles(packages=[("api.pages", "static")]), name="assets")
    app.mount("/static", StaticFiles(packages=[("api", "static")]), name="static")


__all__ = ["install_pages"]
