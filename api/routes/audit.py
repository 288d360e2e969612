"""Audit: verify the ledger against the chain, published scores, and findings.

``GET /audit/verify`` runs the same checks as ``govledger audit verify``: it answers
200 with ``ok`` false (and every failing check located) when something was altered;
it reads the index as it is, never syncing it first, so nothing is quietly repaired.
A department answers a finding addressed to it with ``POST
/findings/{id}/response`` (its API key); the documents stay off chain, their
digests go on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Query

from api.deps import (
    DepartmentDep,
    LedgerAccess,
    LedgerDep,
    authenticated_department,
    resource_router,
)
from api.errors import WRITE_PROBLEMS, problem_responses, unknown_is_404
from api.models import (
    AuditPublic,
    FindingResponseCreate,
    FindingsPublic,
    FindingStep,
    ScoresPublic,
    ScoreVerifyPublic,
)
from ledger.audit.checks import AuditReport
from ledger.audit.findings import findings_view, mark_overdue
from ledger.audit.scores import (
    ScoreArchive,
    finalized_block,
    publication_view,
    published,
    verify_published,
)
from ledger.audit.verify import AuditSources, audit, chain_events
from ledger.chain.types import TxRef
from ledger.core import Ledger

router = resource_router(
    "audit", prefix="", unknown=unknown_is_404("FindingUnknown", "finding", "finding_id")
)


def _out(report: AuditReport) -> AuditPublic:
    return AuditPublic.model_validate(report.to_dict())


@router.get("/audit/verify", summary="Verify the ledger", responses=problem_responses(404))
def verify(
    ledger: LedgerDep,
    policy: Annotated[
        str | None, Query(description="Check one policy's trail instead of the whole ledger.")
    ] = None,
) -> AuditPublic:
    """Records against their anchored digests, the index against the chain, the effect
    log against its checkpoints, published scores recomputed, finding details."""
    with ledger.chain_read(expensive=True) as lg:
        report = audit(AuditSources.of(lg), policy)
    return _out(report)


@router.get("/scores", summary="Published scores")
def list_scores(ledger: LedgerDep) -> ScoresPublic:
    with ledger.chain_read() as lg:
        count = lg.scoreboard.count()
        final = finalized_block(lg.handle, lg.settings.finality_depth)
        rows = [publication_view(lg.scoreboard.score_of(i), final) for i in range(1, count + 1)]
    return ScoresPublic.of(rows)


@router.get(
    "/scores/{score_id}/verify",
    summary="Recompute a published score",
    responses=problem_responses(404),
)
def verify_score(
    score_id: Annotated[int, Path(ge=1, description="The published score's id.")],
    ledger: LedgerDep,
) -> ScoreVerifyPublic:
    """Recompute the score from the chain alone and compare its result_hash."""
    with ledger.chain_read(expensive=True) as lg:
        score = published(lg.scoreboard, score_id)
        chain = chain_events(lg.handle, lg.deployment, score.as_of_block)
        checks = verify_published(lg.score, ScoreArchive(lg.home), score, chain)
        view = publication_view(score, finalized_block(lg.handle, lg.settings.finality_depth))
    report = AuditReport(checks)
    return ScoreVerifyPublic.model_validate(report.to_dict() | {"score": view})


@router.get("/findings", summary="Findings")
def list_findings(
    ledger: LedgerDep,
    department: Annotated[str | None, Query(description="Only this department's.")] = None,
    policy: Annotated[str | None, Query(description="Only this policy's.")] = None,
) -> FindingsPublic:
    # synced to the head first
    return FindingsPublic.of(
        ledger.chain_view(lambda lg: findings_view(lg.findings, lg.store, department, policy))
    )


@router.post(
    "/findings/{finding_id}/response",
    summary="Answer a finding",
    responses=WRITE_PROBLEMS,
)
def respond(
    finding_id: str, body: FindingResponseCreate, department: DepartmentDep, ledger: LedgerDep
) -> FindingStep:
    """The API key's department answers a finding addressed to it with the digests of
    its rectification plan and evidence (a 403 NotResponsible for anyone else)."""
    return _step(
        ledger,
        finding_id,
        lambda lg: TxRef.of(
            lg.findings.respond(
                lg.signers.department(department),
                finding_id,
                bytes.fromhex(body.plan_digest[2:]),
                bytes.fromhex(body.evidence_digest[2:]),
            )
        ),
    )


@router.post(
    "/findings/{finding_id}/overdue",
    summary="Mark a finding overdue",
    responses=problem_responses(401, 403, 404, 409),
    dependencies=[Depends(authenticated_department)],
)
def overdue(finding_id: str, ledger: LedgerDep) -> FindingStep:
    """Mark an open finding whose deadline has passed overdue. Any key (a 409
    NotOverdue before the deadline)."""
    return _step(ledger, finding_id, lambda lg: mark_overdue(lg.findings, lg.signers, finding_id))


def _step(ledger: LedgerAccess, finding_id: str, send: Callable[[Ledger], TxRef]) -> FindingStep:
    """Send a step of the finding; its status after it."""
    ref, status = ledger.send_then(
        send, lambda lg: lg.findings.finding_of(finding_id).status.name.capitalize()
    )
    return FindingStep(finding_id=finding_id, status=status, tx=ref.tx_hash, block=ref.block_number)
