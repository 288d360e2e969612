"""The data catalog: items each department provides."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.deps import DepartmentDep, LedgerDep, resource_router
from api.errors import creates, problem_responses
from api.models import CatalogItemCreate, CatalogItemCreated, CatalogItemsPublic
from api.params import PageDep, department_filter
from ledger.store import views

router = resource_router("catalog")


@router.get("", summary="List catalog items", responses=problem_responses(422))
def list_catalog(
    ledger: LedgerDep,
    page: PageDep,
    department_id: Annotated[str | None, Depends(department_filter("Only items it provides."))],
) -> CatalogItemsPublic:
    """Registered items: data type, providing department, permission, disclosure."""
    return CatalogItemsPublic.of(
        ledger.view(lambda lg: views.catalog(lg.store, department_id)), page
    )


@creates(router, "/items", "Register a catalog item")
def register_item(
    body: CatalogItemCreate, department: DepartmentDep, ledger: LedgerDep
) -> CatalogItemCreated:
    """Register an item provided by the API key's department (which needs the DEPARTMENT role)."""
    ref = ledger.send(lambda lg: lg.sharing.register_item(department, body))
    return CatalogItemCreated.landed(ref, item_id=body.item_id, provider_id=department)
