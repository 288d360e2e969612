"""The FastAPI application: ``create_app()`` builds it (``govledger serve`` runs it).

The app holds one :class:`~ledger.core.Ledger`, opened when the app starts and
closed when it stops. The embedded chain admits one process and is not
thread-safe, so every use of the chain holds one lock; reads are served from the
index as of the head published at the last release of that lock, and their
responses are cached by that head (see :mod:`api.reads` and :mod:`api.deps`).
Route handlers are plain ``def`` functions and run in the thread pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.deps import LedgerDep
from api.errors import install_error_handlers, install_problem_openapi, problem_responses
from api.limits import BodyLimits
from api.models import HealthPublic
from api.pages import install_pages
from api.reads import ReadCache, ReadState, WriterLock
from api.routes import API_ROUTES, api_router
from ledger.core import Ledger
from ledger.settings import Settings, get_settings

DESCRIPTION = """\
govledger turns a government's institutions into measurable effectiveness on a
blockchain audit ledger: policies are anchored as knowledge records, data-sharing
commitments are smart contracts, and every execution step is an on-chain event
scored into maturity levels.

**Writes** need an API key, sent in the `X-API-Key` header: a department's key acts
for its department; the auditor's key publishes scores and reviews findings. A route
of the other kind of key answers 403. **Reads** are open unless the server requires
keys for reads too (the routes then declare the key).

**Lists** answer `{data, count, total, limit, offset}`: `limit` rows (1 to 1000,
default 100) from `offset`, `count` in this page, `total` matching the filters. Filters
have the same names on every route: `policy_id`, `department_id`, `status`
(`policy` and `department` are deprecated aliases).

Errors are RFC 9457 problem details (`application/problem+json`); a contract
revert is a 409 whose `error` and `arguments` give the decoded custom error. A method
a path does not take is a 405 whose `Allow` names every method the path takes (OPTIONS
included: the API answers no preflight).
"""

_TAG_DESCRIPTIONS = {
    "policies": "Knowledge records anchored on chain.",
    "departments": "The on-chain directory of departments.",
    "jurisdictions": "The tree of jurisdictions (province to grid) and their staged targets.",
    "catalog": "Data catalog items and their providers.",
    "agreements": "Data-sharing agreements and deliveries.",
    "events": "The indexed execution trail.",
    "maturity": "Maturity scores computed from the evidence.",
    "orders": "The 12345 hotline's six-stage closed loop.",
    "drills": "Drill plans and the drills held under them.",
    "systems": "Business systems, reserved slots and connections.",
    "statistics": "Attested statistics (shares in [0, 1]).",
    "effects": "The effect log: batches, checkpoints and proofs.",
    "audit": "Audit verification, published scores and findings.",
    "service": "Health of the service (the dashboard's pages are at `/`).",
}
TAGS = [{"name": name, "description": text} for name, text in _TAG_DESCRIPTIONS.items()]


#: Where the package's static files (``api/static``) are served.
STATIC_PATH = "/static"
#: The vendored libraries (``scripts/vendor_assets.py``), under :data:`STATIC_PATH`.
VENDOR_PATH = f"{STATIC_PATH}/vendor"
#: The documentation pages load nothing from another origin, whatever the libraries
#: try (Redoc's footer links an image on cdn.redoc.ly; it hides itself when refused).
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _install_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI) and ``/redoc`` (Redoc) from the vendored copies, so both
    work offline: no CDN, no Google Fonts, a local favicon."""
    openapi_url = app.openapi_url or "/openapi.json"
    favicon = f"{VENDOR_PATH}/swagger-ui-dist/favicon-32x32.png"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{VENDOR_PATH}/swagger-ui-dist/swagger-ui-bundle.js",
            swagger_css_url=f"{VENDOR_PATH}/swagger-ui-dist/swagger-ui.css",
            swagger_favicon_url=favicon,
            # No badge from validator.swagger.io (Swagger UI asks it for non-local hosts).
            swagger_ui_parameters={"validatorUrl": None},
        )
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{VENDOR_PATH}/redoc/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API. ``settings`` default to :func:`get_settings` (the environment)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolve = app.dependency_overrides.get(get_settings, get_settings)
        ledger = Ledger.open(resolve())
        lock = WriterLock()
        reads = ReadState(ledger, lock)
        app.state.ledger = ledger
        app.state.ledger_lock = lock
        app.state.reads = reads
        with lock:
            reads.refresh()  # index what is there and publish the head
        lock.on_release = reads.released
        reads.app = app
        reads.start()
        try:
            yield
        finally:
            reads.stop()
            with lock:
                lock.on_release = None
                ledger.close()

    app = FastAPI(
        title="govledger",
        summary="A blockchain audit ledger for digital government.",
        description=DESCRIPTION,
        version="0.1.0",
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    if settings is not None:
        app.dependency_overrides[get_settings] = lambda: settings
    install_error_handlers(app)
    app.add_middleware(BodyLimits)
    app.add_middleware(ReadCache)
    app.include_router(api_router)
    install_problem_openapi(app)
    app.mount(
        STATIC_PATH, StaticFiles(packages=[("api", "static")], follow_symlink=False), name="static"
    )
    _install_docs(app)
    last_head: dict[str, int] = {}

    @app.get(
        "/health",
        tags=["service"],
        summary="Liveness and chain head",
        responses=problem_responses(503),
    )
    def health(ledger: LedgerDep) -> HealthPublic:
        """Whether the service answers, which chain it uses and the latest block, within
        about a second: `busy` (with the last block seen) while a long request holds the
        embedded chain, 503 when the JSON-RPC node does not answer."""
        kind, block = ledger.head()
        chain: Literal["embedded", "rpc"] = "rpc" if kind == "rpc" else "embedded"
        if block is None:
            return HealthPublic(status="busy", chain=chain, block=last_head.get("block"))
        last_head["block"] = block
        return HealthPublic(status="ok", chain=chain, block=block)

    install_pages(app, API_ROUTES)
    return app
