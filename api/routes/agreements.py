"""Data-sharing agreements and their deliveries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends

from api.deps import DepartmentDep, LedgerDep, resource_router
from api.errors import WRITE_PROBLEMS, creates, one, problem_responses
from api.models import (
    AgreementCommitted,
    AgreementCreate,
    AgreementPublic,
    AgreementsPublic,
    DeliveryCreate,
    DeliveryRecorded,
)
from api.params import PageDep, PolicyFilter, department_filter, id_path, matching
from ledger.core import Ledger
from ledger.errors import ForbiddenError
from ledger.store import views
from ledger.store.sql import EventStore

AgreementId = Annotated[str, id_path("agreement")]
router = resource_router("agreements")


def _require_provider(
    lg: Ledger,
    department: str,
    view: Callable[[EventStore], list[dict[str, Any]]],
    key: str,
    ident: str,
    kind: str,
) -> None:
    """The row ``ident`` of ``view`` (the index synced first) must be provided by
    ``department``: a 404 when there is none, a 403 when another department provides it."""
    lg.indexer.sync()
    row = one(view(lg.store), key, ident, kind)
    if row["providerId"] != department:
        noun = kind.removeprefix("catalog ")
        raise ForbiddenError(f"department {department!r} does not provide {noun} {ident!r}")


@router.get("", summary="List agreements", responses=problem_responses(422))
def list_agreements(
    ledger: LedgerDep,
    page: PageDep,
    policy_id: PolicyFilter,
    department_id: Annotated[
        str | None, Depends(department_filter("Only agreements it provides or consumes."))
    ],
) -> AgreementsPublic:
    """Agreements in commitment order, with their deliveries and tallies."""
    rows = ledger.view(lambda lg: views.agreements(lg.store, department_id))
    return AgreementsPublic.of(matching(rows, policyId=policy_id), page)


@router.get("/{agreement_id}", summary="One agreement", responses=problem_responses(404))
def get_agreement(agreement_id: AgreementId, ledger: LedgerDep) -> AgreementPublic:
    with ledger.read() as lg:
        row = one(views.agreements(lg.store), "agreementId", agreement_id, "agreement")
    return AgreementPublic.model_validate(row)


@creates(router, "", "Commit an agreement", WRITE_PROBLEMS)
def commit_agreement(
    body: AgreementCreate, department: DepartmentDep, ledger: LedgerDep
) -> AgreementCommitted:
    """Commit to deliver a catalog item to a consumer, period by period, under a clause.

    The API key's department must provide the item; the clause must be in force.
    """
    with ledger.write() as lg:
        _require_provider(lg, department, views.catalog, "itemId", body.item_id, "catalog item")
        ref = lg.sharing.commit_agreement(department, body)
    return AgreementCommitted.landed(ref, agreement_id=body.agreement_id, provider_id=department)


@creates(router, "/{agreement_id}/deliveries", "Record a delivery", WRITE_PROBLEMS)
def record_delivery(
    agreement_id: AgreementId, body: DeliveryCreate, department: DepartmentDep, ledger: LedgerDep
) -> DeliveryRecorded:
    """Record one period's delivery by the agreement's provider (the API key's department)."""
    with ledger.write() as lg:
        _require_provider(
            lg, department, views.agreements, "agreementId", agreement_id, "agreement"
        )
        ref = lg.sharing.record_delivery(department, agreement_id, body)
    return DeliveryRecorded.landed(ref, agreement_id=agreement_id, period=body.period)
