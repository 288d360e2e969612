"""Data-sharing agreements and their deliveries."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import DepartmentDep, LedgerDep, ReadAccess
from api.errors import problem_responses
from api.schemas import (
    AgreementCommitted,
    AgreementCreate,
    AgreementList,
    AgreementPublic,
    DeliveryCreate,
    DeliveryRecorded,
)
from ledger.errors import ForbiddenError, NotFoundError
from ledger.mechanisms.sharing import parse_permission
from ledger.store import views

router = APIRouter(prefix="/agreements", tags=["agreements"], dependencies=[ReadAccess])


@router.get("", summary="List agreements")
def list_agreements(ledger: LedgerDep) -> AgreementList:
    """Every agreement in commitment order, with its deliveries and tallies."""
    with ledger.read() as lg:
        rows = views.agreements(lg.store)
    data = [AgreementPublic.model_validate(row) for row in rows]
    return AgreementList(data=data, count=len(data))


@router.get("/{agreement_id}", summary="One agreement", responses=problem_responses(404))
def get_agreement(agreement_id: str, ledger: LedgerDep) -> AgreementPublic:
    with ledger.read() as lg:
        row = next(
            (r for r in views.agreements(lg.store) if r["agreementId"] == agreement_id), None
        )
    if row is None:
        raise NotFoundError("agreement", agreement_id)
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
        item = next((i for i in views.catalog(lg.store) if i["itemId"] == body.item_id), None)
        if item is None:
            raise NotFoundError("catalog item", body.item_id)
        if item["providerId"] != department:
            raise ForbiddenError(
                f"department {department!r} does not provide item {body.item_id!r}"
            )
        ref = lg.commit_agreement(
            department,
            agreement_id=body.agreement_id,
            item_id=body.item_id,
            consumer_id=body.consumer_id,
            policy_id=body.policy_id,
            clause_id=body.clause_id,
            permission=parse_permission(body.permission),
            first_due_at=body.first_due_at,
            period=body.period_seconds,
            periods=body.periods,
            calls_per_period=body.calls_per_period,
        )
    return AgreementCommitted(
        agreement_id=body.agreement_id,
        provider_id=department,
        tx=ref.tx_hash,
        block=ref.block_number,
    )


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
        row = next(
            (r for r in views.agreements(lg.store) if r["agreementId"] == agreement_id), None
        )
        if row is None:
            raise NotFoundError("agreement", agreement_id)
        if row["providerId"] != department:
            raise ForbiddenError(
                f"department {department!r} does not provide agreement {agreement_id!r}"
            )
        ref = lg.record_delivery(
            department,
            agreement_id,
            body.period,
            body.record_count,
            payload_digest=bytes.fromhex(body.payload_digest[2:]),
        )
    return DeliveryRecorded(
        agreement_id=agreement_id, period=body.period, tx=ref.tx_hash, block=ref.block_number
    )
