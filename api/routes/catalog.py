"""The data catalog: items each department provides."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import DepartmentDep, LedgerDep, ReadAccess
from api.errors import problem_responses
from api.schemas import CatalogItemCreate, CatalogItemCreated, CatalogItemPublic, CatalogList
from ledger.mechanisms.sharing import parse_permission
from ledger.store import views

router = APIRouter(prefix="/catalog", tags=["catalog"], dependencies=[ReadAccess])


@router.get("", summary="List catalog items")
def list_catalog(ledger: LedgerDep) -> CatalogList:
    """Every registered item: data type, providing department, permission, disclosure."""
    with ledger.read() as lg:
        rows = views.catalog(lg.store)
    data = [CatalogItemPublic.model_validate(row) for row in rows]
    return CatalogList(data=data, count=len(data))


@router.post(
    "/items",
    status_code=status.HTTP_201_CREATED,
    summary="Register a catalog item",
    responses=problem_responses(401, 403, 409, 422),
)
def register_item(
    body: CatalogItemCreate, department: DepartmentDep, ledger: LedgerDep
) -> CatalogItemCreated:
    """Register an item provided by the API key's department (which needs the DEPARTMENT role)."""
    with ledger.write() as lg:
        ref = lg.register_item(
            department,
            body.item_id,
            body.data_type,
            parse_permission(body.permission),
            body.disclosure,
        )
    return CatalogItemCreated(
        item_id=body.item_id, provider_id=department, tx=ref.tx_hash, block=ref.block_number
    )
