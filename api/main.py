"""The FastAPI application: ``create_app()`` builds it (``govledger serve`` runs it).

The app holds one :class:`~ledger.core.Ledger`, opened when the app starts and
closed when it stops. The embedded chain admits one process and is not
thread-safe, so every use of the ledger holds one lock (see :mod:`api.deps`);
route handlers are plain ``def`` functions and run in the thread pool.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Literal

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from api.deps import LedgerDep
from api.errors import install_error_handlers, install_problem_openapi, problem_responses
from api.limits import BodyLimits
from api.models import HealthPublic
from api.routes import api_router
from ledger.core import Ledger
from ledger.settings import Settings, get_settings

DESCRIPTION = """\
govledger turns a government's institutions into measurable effectiveness on a
blockchain audit ledger: policies are anchored as knowledge records, data-sharing
commitments are smart contracts, and every execution step is an on-chain event
scored into maturity levels.

**Writes** need an API key bound to a department, sent in the `X-API-Key` header.
**Reads** are open unless the server requires keys for reads too.
Errors are RFC 9457 problem details (`application/problem+json`); a contract
revert is a 409 whose `error` and `arguments` give the decoded custom error.
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
    "service": "Health and the dashboard.",
}
TAGS = [{"name": name, "description": text} for name, text in _TAG_DESCRIPTIONS.items()]


def _dashboard() -> str:
    return (resources.files("api") / "static" / "dashboard.html").read_text(encoding="utf-8")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API. ``settings`` default to :func:`get_settings` (the environment)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolve = app.dependency_overrides.get(get_settings, get_settings)
        ledger = Ledger.open(resolve())
        app.state.ledger = ledger
        app.state.ledger_lock = threading.Lock()
        try:
            yield
        finally:
            with app.state.ledger_lock:
                ledger.close()

    app = FastAPI(
        title="govledger",
        summary="A blockchain audit ledger for digital government.",
        description=DESCRIPTION,
        version="0.1.0",
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    if settings is not None:
        app.dependency_overrides[get_settings] = lambda: settings
    install_error_handlers(app)
    app.add_middleware(BodyLimits)
    app.include_router(api_router)
    install_problem_openapi(app)
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

    @app.get("/", tags=["service"], response_class=HTMLResponse, summary="Dashboard")
    def dashboard() -> HTMLResponse:
        """The dashboard page: maturity radar, level, policies, agreements, departments."""
        return HTMLResponse(_dashboard())

    return app
