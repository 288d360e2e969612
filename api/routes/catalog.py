"""The data catalog: items each department provides."""

from __future__ import annotations

from api.deps import DepartmentDep, LedgerDep, resource_router
from api.errors import creates
from api.models import CatalogItemCreate, CatalogItemCreated, CatalogItemsPublic
from ledger.store import views

router = resource_router("catalog")


@router.get("", summary="List catalog items")
def list_catalog(ledger: LedgerDep) -> CatalogItemsPublic:
    """Every registered item: data type, providing department, permission, disclosure."""
    return CatalogItemsPublic.of(ledger.view(lambda lg: views.catalog(lg.store)))


@creates(router, "/items", "Register a catalog item")
def register_item(
    body: CatalogItemCreate, department: DepartmentDep, ledger: LedgerDep
) -> CatalogItemCreated:
    """Register an item provided by the API key's department (which needs the DEPARTMENT role)."""
    ref = ledger.send(lambda lg: lg.sharing.register_item(department, body))
    return CatalogItemCreated.landed(ref, item_id=body.item_id, provider_id=department)
