"""The dashboard: server-rendered pages (Jinja2) in zh-CN and English, at ``/``.

:func:`install_pages` adds the pages (hidden from the OpenAPI document) and their
stylesheet and scripts at ``/assets``; they also load the vendored ECharts and the
RFC 9162 verifier from ``/static`` (``api/static``, mounted by
:func:`api.main.create_app`). The JSON API's routes come first, so a page never
shadows one.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages.routes import router


def install_pages(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/assets", StaticFiles(packages=[("api.pages", "static")]), name="assets")


__all__ = ["install_pages"]
