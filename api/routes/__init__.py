"""One router per resource; :data:`routers` is what :func:`api.main.create_app` mounts."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import agreements, catalog, departments, events, maturity, policies

routers: tuple[APIRouter, ...] = (
    policies.router,
    departments.router,
    catalog.router,
    agreements.router,
    events.router,
    maturity.router,
)
