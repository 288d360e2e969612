"""Audit: verify the ledger against the chain, published scores, and findings.

``GET /audit/verify`` runs the same checks as ``govledger audit verify``: it answers
200 with ``ok`` false (and every failing check located) when something was altered;
it reads the index as it is, never syncing it first, so nothing is quietly repaired.
A department answers a finding addressed to it with ``POST
/findings/{id}/response`` (its API key); the documents stay off chain, their
digests go on. The auditor (an auditor's API key, ``govledger apikey create --role
auditor``) publishes scores with ``POST /scores``, which raises the findings, and
accepts or rejects a department's response with ``POST /findings/{id}/review``; the
ledger's administrator account, holding AUDITOR and SCORER on chain, signs both.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated

from fastapi import Depends, Path, Query

from api.deps import (
    AnyKey,
    AuditorOnly,
    DepartmentDep,
    LedgerAccess,
    LedgerDep,
    resource_router,
)
from api.errors import WRITE_PROBLEMS, problem_responses, unknown_is_404
from api.models import (
    AuditPublic,
    EventPublic,
    FindingDetailPublic,
    FindingResponseCreate,
    FindingReviewCreate,
    FindingsPublic,
    FindingStatusName,
    FindingStep,
    ScorePublish,
    ScorePublished,
    ScoresPublic,
    ScoreVerifyPublic,
)
from api.params import PageDep, PolicyFilter, department_filter, id_path, matching
from ledger.audit.checks import AuditReport
from ledger.audit.findings import (
    finding,
    finding_dict,
    findings_view,
    mark_overdue,
    publish_and_raise,
    review,
)
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
from ledger.mechanisms.fields import digest_bytes
from ledger.times import format_timestamp

router = resource_router(
    "audit", prefix="", unknown=unknown_is_404("FindingUnknown", "finding", "finding_id")
)


def _out(report: AuditReport) -> AuditPublic:
    return AuditPublic.model_validate(report.to_dict())


FindingId = Annotated[str, id_path("finding")]
Addressee = Annotated[
    str | None, Depends(department_filter("Only those addressed to this department."))
]


@router.get("/audit/verify", summary="Verify the ledger", responses=problem_responses(404, 422))
def verify(ledger: LedgerDep, policy: PolicyFilter) -> AuditPublic:
    """Records against their anchored digests, the index against the chain, the effect
    log against its checkpoints, published scores recomputed, finding details; with
    `policy_id`, one policy's trail instead of the whole ledger."""
    with ledger.chain_read(expensive=True) as lg:
        report = audit(AuditSources.of(lg), policy)
    return _out(report)


@router.get("/scores", summary="Published scores", responses=problem_responses(422))
def list_scores(
    ledger: LedgerDep,
    page: PageDep,
    department_id: Annotated[
        str | None, Depends(department_filter("Only scores of this department (its scope)."))
    ],
) -> ScoresPublic:
    """Published scores, oldest first, each marked provisional until its block is final."""
    with ledger.chain_read() as lg:
        count = lg.scoreboard.count()
        final = finalized_block(lg.handle, lg.settings.finality_depth)
        if department_id is None:  # read only the page's scores from the chain
            ids = page.of(range(1, count + 1))
            rows = [publication_view(lg.scoreboard.score_of(i), final) for i in ids]
            return ScoresPublic.of(rows, page, count)
        rows = [publication_view(lg.scoreboard.score_of(i), final) for i in range(1, count + 1)]
    return ScoresPublic.of(matching(rows, scope=department_id), page)


@router.post(
    "/scores",
    status_code=HTTPStatus.CREATED,
    summary="Publish a score (the auditor)",
    responses=problem_responses(401, 403, 404, 409, 422),
    dependencies=[AuditorOnly],
)
def publish(body: ScorePublish, ledger: LedgerDep) -> ScorePublished:
    """Score the chain's head and anchor the result on the ScoreBoard, then (unless
    `raise_findings` is false) raise a finding for every obligation it shows missing its
    target, due in `deadline_days`. Needs an auditor's key; a 404 for an unknown
    `department_id`."""
    with ledger.write() as lg:
        data = publish_and_raise(
            lg,
            scope=body.department_id,
            window_days=body.window_days,
            spec_version=body.spec,
            findings=body.raise_findings,
            deadline_days=body.deadline_days,
        )
    return ScorePublished.model_validate(data)


@router.get(
    "/scores/{score_id}/verify",
    summary="Recompute a published score",
    responses=problem_responses(404),
)
def verify_score(
    score_id: Annotated[int, Path(ge=1, le=2**63 - 1, description="The published score's id.")],
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


@router.get("/findings", summary="Findings", responses=problem_responses(422))
def list_findings(
    ledger: LedgerDep,
    page: PageDep,
    policy_id: PolicyFilter,
    department_id: Addressee,
    status: Annotated[
        FindingStatusName | None, Query(description="Only those in this state.")
    ] = None,
) -> FindingsPublic:
    """Findings in the order they were raised, each with its state on chain."""
    # synced to the head first
    rows = ledger.chain_view(
        lambda lg: findings_view(lg.findings, lg.store, department_id, policy_id)
    )
    return FindingsPublic.of(matching(rows, status=status), page)


@router.get("/findings/{finding_id}", summary="One finding", responses=problem_responses(404, 422))
def get_finding(finding_id: FindingId, ledger: LedgerDep) -> FindingDetailPublic:
    """The finding's state on chain, its deadline, and its history (its events)."""
    with ledger.chain_read() as lg:
        row = finding_dict(finding(lg.findings, finding_id))
        events = lg.store.events(contract="Findings")
    history = [EventPublic.of(e) for e in events if e.args.get("findingId") == finding_id]
    return FindingDetailPublic.model_validate(
        {**row, "deadline_utc": format_timestamp(row["deadline"]), "history": history}
    )


@router.post(
    "/findings/{finding_id}/response",
    summary="Answer a finding",
    responses=WRITE_PROBLEMS,
)
def respond(
    finding_id: FindingId, body: FindingResponseCreate, department: DepartmentDep, ledger: LedgerDep
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
    "/findings/{finding_id}/review",
    summary="Accept or reject a response (the auditor)",
    responses=WRITE_PROBLEMS,
    dependencies=[AuditorOnly],
)
def review_finding(
    finding_id: FindingId, body: FindingReviewCreate, ledger: LedgerDep
) -> FindingStep:
    """Accept (close) or reject (reopen) the department's pending response, with the
    digest of the auditor's note. Needs an auditor's key; a 409 NotResponded when no
    response is pending."""
    note = None if body.note_digest is None else digest_bytes(body.note_digest)
    return _step(
        ledger,
        finding_id,
        lambda lg: review(
            lg.findings, lg.signers, finding_id, accept=body.accept, note_digest=note
        ),
    )


@router.post(
    "/findings/{finding_id}/overdue",
    summary="Mark a finding overdue",
    responses=problem_responses(401, 404, 409, 422),
    dependencies=[AnyKey],
)
def overdue(finding_id: FindingId, ledger: LedgerDep) -> FindingStep:
    """Mark an open finding whose deadline has passed overdue. Any key, a department's
    or the auditor's (a 409 NotOverdue before the deadline)."""
    return _step(ledger, finding_id, lambda lg: mark_overdue(lg.findings, lg.signers, finding_id))


def _step(ledger: LedgerAccess, finding_id: str, send: Callable[[Ledger], TxRef]) -> FindingStep:
    """Send a step of the finding; its status after it."""
    ref, status = ledger.send_then(
        send, lambda lg: lg.findings.finding_of(finding_id).status.name.capitalize()
    )
    return FindingStep(finding_id=finding_id, status=status, tx=ref.tx_hash, block=ref.block_number)
