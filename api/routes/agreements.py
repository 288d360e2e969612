"""Data-sharing agreements and their deliveries."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import DepartmentDep, LedgerDep, ReadAccess
from api.errors import one, problem_responses
from api.models import (
    AgreementCommitted,
    AgreementCreate,
    AgreementPublic,
    AgreementsPublic,
    DeliveryCreate,
    DeliveryRecorded,
)
from ledger.errors import ForbiddenError
from ledger.store import views

router = APIRouter(prefix="/agreements", tags=["agreements"], dependencies=[ReadAccess])


@router.get("", summary="List agreements")
def list_agreements(ledger: LedgerDep) -> AgreementsPublic:
    """Every agreement in commitment order, with its deliveries and tallies."""
    return AgreementsPublic.of(ledger.view(lambda lg: views.agreements(lg.store)))


@router.get("/{agreement_id}", summary="One agreement", responses=problem_responses(404))
def get_agreement(agreement_id: str, ledger: LedgerDep) -> AgreementPublic:
    with ledger.read() as lg:
        row = one(views.agreements(lg.store), "agreementId", agreement_id, "agreement")
    return AgreementPublic.model_validate(row)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Commit an agreement",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def commit_agreement(
    body: AgreementCreate, department: DepartmentDep, ledger: LedgerDep
) -> AgreementCommitted:
    """Commit to deliver a catalog item to a consumer, period by period, under a clause.

    The API key's department must provide the item; the clause must be in force.
    """
    with ledger.write() as lg:
        lg.indexer.sync()
        item = one(views.catalog(lg.store), "itemId", body.item_id, "catalog item")
        if item["providerId"] != department:
            raise ForbiddenError(
                f"department {department!r} does not provide item {body.item_id!r}"
            )
        ref = lg.sharing.commit_agreement(department, body)
    return AgreementCommitted.landed(ref, agreement_id=body.agreement_id, provider_id=department)


@router.post(
    "/{agreement_id}/deliveries",
    status_code=status.HTTP_201_CREATED,
    summary="Record a delivery",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def record_delivery(
    agreement_id: str, body: DeliveryCreate, department: DepartmentDep, ledger: LedgerDep
) -> DeliveryRecorded:
    """Record one period's delivery by the agreement's provider (the API key's department)."""
    with ledger.write() as lg:
        lg.indexer.sync()
        row = one(views.agreements(lg.store), "agreementId", agreement_id, "agreement")
        if row["providerId"] != department:
            raise ForbiddenError(
                f"department {department!r} does not provide agreement {agreement_id!r}"
            )
        ref = lg.sharing.record_delivery(department, agreement_id, body)
    return DeliveryRecorded.landed(ref, agreement_id=agreement_id, period=body.period)
