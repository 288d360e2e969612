"""Policies: knowledge records anchored on chain, and their verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response, status

from api.deps import DepartmentDep, LedgerDep, resource_router
from api.errors import WRITE_PROBLEMS, one, problem_responses
from api.models import (
    ApprovalCreate,
    ApprovalPublic,
    PoliciesPublic,
    PolicyAnchored,
    PolicyDetailPublic,
    PolicyRecordIn,
    PolicyVerificationPublic,
    VersionCheckPublic,
)
from api.params import PageDep, department_filter, id_path, matching

PolicyId = Annotated[str, id_path("policy")]
router = resource_router("policies")


@router.get("", summary="List anchored policies", responses=problem_responses(422))
def list_policies(
    ledger: LedgerDep,
    page: PageDep,
    department_id: Annotated[str | None, Depends(department_filter("Only those it issued."))],
) -> PoliciesPublic:
    """Anchored policies at their latest version, by id."""
    rows = ledger.view(lambda lg: lg.policy_book.summaries())
    return PoliciesPublic.of(matching(rows, issuer=department_id), page)


@router.get("/{policy_id}", summary="One policy", responses=problem_responses(404))
def get_policy(policy_id: PolicyId, ledger: LedgerDep) -> PolicyDetailPublic:
    """The latest version's summary and its stored record (checked against its digest)."""
    with ledger.read() as lg:
        row = one(lg.policy_book.summaries(), "id", policy_id, "policy")
        record = lg.policy_book.stored_record(policy_id, row["version"], row["digest"])
    return PolicyDetailPublic.model_validate({**row, "record": record})


@router.get(
    "/{policy_id}/verify", summary="Verify a policy's records", responses=problem_responses(404)
)
def verify_policy(policy_id: PolicyId, ledger: LedgerDep) -> PolicyVerificationPublic:
    """Recompute every version's digest from the stored bytes and compare it with the chain."""
    with ledger.chain_read() as lg:
        checks = lg.policy_book.verify(policy_id)
    parsed = [VersionCheckPublic.model_validate(c) for c in checks]
    return PolicyVerificationPublic(
        policy_id=policy_id, verified=all(c.ok for c in parsed), checks=parsed
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Anchor a policy record",
    responses={
        200: {"description": "This exact version was already anchored.", "model": PolicyAnchored},
        **problem_responses(401, 403, 409, 422),
    },
)
def anchor_policy(
    record: PolicyRecordIn, department: DepartmentDep, ledger: LedgerDep, response: Response
) -> PolicyAnchored:
    """Store the record and anchor its digest, signed by its issuing department.

    The API key's department must be the record's `issuer` and hold the ISSUER role.
    A new version must follow the latest one; an anchored version is never edited.
    """
    with ledger.write() as lg:
        result = lg.policy_book.anchor(record, as_department=department)
    if result.tx is None:
        response.status_code = status.HTTP_200_OK
    return PolicyAnchored(
        policy=result.policy_id,
        version=result.version,
        digest=result.digest,
        tx=result.tx.tx_hash if result.tx else None,
        block=result.tx.block_number if result.tx else None,
    )


@router.post(
    "/{policy_id}/approvals",
    summary="Approve a proposed city-level policy version",
    responses=WRITE_PROBLEMS,
)
def approve_policy(
    policy_id: PolicyId, body: ApprovalCreate, department: DepartmentDep, ledger: LedgerDep
) -> ApprovalPublic:
    """The API key's department must hold the LEADER role. City-level policies are
    anchored when two distinct leaders (D city: the party secretary and the mayor) approve
    the same proposed version; the second approval anchors it."""
    with ledger.write() as lg:
        result = lg.policy_book.approve(policy_id, body.version, department)
    assert result.tx is not None
    return ApprovalPublic(
        policy=result.policy_id,
        version=result.version,
        digest=result.digest,
        status=result.status,
        tx=result.tx.tx_hash,
        block=result.tx.block_number,
    )
