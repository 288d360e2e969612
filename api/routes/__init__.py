"""One router per resource, gathered in :data:`api_router`, which :func:`api.main.create_app`
includes once."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

from api.routes import (
    agreements,
    audit,
    catalog,
    departments,
    drills,
    effects,
    events,
    jurisdictions,
    maturity,
    orders,
    policies,
    progress,
    statistics,
    systems,
)

_MODULES = (
    policies,
    departments,
    jurisdictions,
    catalog,
    agreements,
    events,
    maturity,
    progress,
    orders,
    drills,
    systems,
    statistics,
    effects,
    audit,
)
_ROUTERS = [m.router for m in _MODULES] + [events.chain_router]

api_router = APIRouter()
for _router in _ROUTERS:
    api_router.include_router(_router)

#: Every route of the API as declared, with its whole path (what ``api_router`` serves).
API_ROUTES: list[APIRoute] = [r for rt in _ROUTERS for r in rt.routes if isinstance(r, APIRoute)]
