"""One router per resource, gathered in :data:`api_router`, which :func:`api.main.create_app`
includes once."""

from __future__ import annotations

from fastapi import APIRouter

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

api_router = APIRouter()
for _module in (
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
):
    api_router.include_router(_module.router)
