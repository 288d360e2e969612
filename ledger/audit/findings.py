"""Findings: a published score's missed obligation targets, addressed to their departments.

For each obligation clause a published score judged as missing its target (the
unit I3 counts), the ledger raises a finding on the ``Findings`` contract, addressed
to the department that issued the clause's policy, with a rectification deadline.
The finding's details (the obligation, the observed value, the score) are kept in
``<home>/findings/<id>.json``; their SHA-256 goes on chain as ``detailDigest``.

Finding ids are ``F<score id>-<n>``, ``n`` counting the missed obligations of that
score in clause order, so raising findings for a score twice raises nothing new.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import rfc8785

from ledger.audit.scores import (
    ensure_role,
    finalized_block,
    publish_ledger_score,
    published,
)
from ledger.chain.clock import ChainClock
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.errors import ContractRevert, LedgerValueError, NotFoundError
from ledger.maturity.indicators import Evidence, obligation_outcomes
from ledger.maturity.service import DAY
from ledger.maturity.spec import Spec, spec_for_hash
from ledger.mechanisms.findings import Finding, FindingsContract, FindingStatus
from ledger.mechanisms.scoreboard import ScoreBoardContract
from ledger.mechanisms.signers import Signers
from ledger.store.sql import EventStore

DEFAULT_DEADLINE_DAYS = 30


class EvidenceSource(Protocol):
    """The scorer's evidence at a block (``Scorer.evidence``, e.g. ``ledger.scorer.evidence``):
    the evidence, the block's number and its hash."""

    def __call__(
        self,
        *,
        scope: str | None = None,
        window_days: int | None = None,
        as_of_block: int | None = None,
        spec: Spec | None = None,
    ) -> tuple[Evidence, int, str]: ...


@dataclass(frozen=True)
class RaisedFinding:
    finding_id: str
    detail: dict[str, Any]
    tx: TxRef | None  # None when it had been raised before


def finding_dir(home: Path) -> Path:
    return home / "findings"


def _number(value: float | None) -> float | None:
    if value is None:
        return None
    return round(float(value), 6)


def missed_obligations(
    evidence_at: EvidenceSource, scoreboard: ScoreBoardContract, score_id: int
) -> list[dict[str, Any]]:
    """The obligation clauses score ``score_id`` judged as missing their targets."""
    score = published(scoreboard, score_id)
    days = (score.window_end - score.window_start) // DAY
    evidence, _as_of, _hash = evidence_at(
        scope=None if score.scope == "city" else score.scope,
        window_days=days,
        as_of_block=score.as_of_block,
        spec=spec_for_hash(score.spec_hash),
    )
    out = []
    for outcome in obligation_outcomes(evidence):
        if outcome.met:
            continue
        record = outcome.clause.record
        out.append(
            {
                "score_id": score_id,
                "result_hash": score.result_hash,
                "as_of_block": score.as_of_block,
                "policy_id": outcome.clause.policy_id,
                "version": outcome.clause.version,
                "clause_id": outcome.clause.clause_id,
                "department_id": record.issuer if record is not None else None,
                "metric": outcome.metric,
                "comparator": outcome.comparator,
                "target": _number(outcome.target),
                "observed": _number(outcome.measured.raw),
            }
        )
    return out


def raise_findings(
    evidence_at: EvidenceSource,
    scoreboard: ScoreBoardContract,
    findings: FindingsContract,
    signers: Signers,
    clock: ChainClock,
    folder: Path,
    score_id: int,
    deadline_days: int = DEFAULT_DEADLINE_DAYS,
) -> list[RaisedFinding]:
    """Raise a finding for every obligation score ``score_id`` shows missing its target.

    The details go into ``folder`` (:func:`finding_dir` of the ledger's home).
    """
    if deadline_days < 1:
        raise LedgerValueError("a rectification deadline is at least one day away")
    ensure_role(signers, "AUDITOR")
    deadline = clock.now() + deadline_days * DAY
    raised = []
    folder.mkdir(parents=True, exist_ok=True)
    for n, detail in enumerate(missed_obligations(evidence_at, scoreboard, score_id), start=1):
        finding_id = f"F{score_id}-{n}"
        if detail["department_id"] is None:
            continue  # the record is missing or altered: the audit reports it
        detail = {"finding_id": finding_id, **detail}
        try:
            findings.finding_of(finding_id)
        except ContractRevert as err:
            if err.name != "FindingUnknown":
                raise
        else:  # raised before: leave its details as they are (the audit checks them)
            raised.append(RaisedFinding(finding_id, detail, None))
            continue
        data = rfc8785.dumps(detail)
        path = folder / f"{finding_id}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        try:
            receipt = findings.raise_finding(
                signers.admin(),
                finding_id=finding_id,
                score_id=score_id,
                policy_id=detail["policy_id"],
                clause_id=detail["clause_id"],
                metric=detail["metric"],
                department_id=detail["department_id"],
                deadline=deadline,
                detail_digest=hashlib.sha256(data).digest(),
            )
        except ContractRevert as err:
            if err.name != "FindingExists":
                raise
            raised.append(RaisedFinding(finding_id, detail, None))
            continue
        raised.append(RaisedFinding(finding_id, detail, TxRef.of(receipt)))
    return raised


def raise_ledger_findings(
    ledger: Ledger, score_id: int, deadline_days: int = DEFAULT_DEADLINE_DAYS
) -> list[RaisedFinding]:
    """:func:`raise_findings` for score ``score_id`` with ``ledger``'s parts (its evidence
    read from the index: sync it first)."""
    return raise_findings(
        ledger.scorer.evidence,
        ledger.scoreboard,
        ledger.findings,
        ledger.signers,
        ledger.clock,
        finding_dir(ledger.home),
        score_id,
        deadline_days,
    )


def publish_and_raise(
    ledger: Ledger,
    *,
    scope: str | None = None,
    window_days: int | None = None,
    spec_version: int | None = None,
    findings: bool = True,
    deadline_days: int = DEFAULT_DEADLINE_DAYS,
) -> dict[str, Any]:
    """Score the chain's head (the index synced first), anchor the score on the
    ScoreBoard and, with ``findings``, raise a finding for every obligation it shows
    missing its target: ``govledger score publish`` and ``POST /scores``.

    Returns the publication: score id, scope, as-of block, level, ``M``, the hashes,
    the transaction, where the result is stored, whether the as-of block is final yet,
    and the findings (each with ``raised``: false when it had been raised before).
    """
    if deadline_days < 1:
        raise LedgerValueError("a rectification deadline is at least one day away")
    ledger.indexer.sync()  # the score reads the index: bring it to the head first
    pub = publish_ledger_score(
        ledger, scope=scope, window_days=window_days, spec_version=spec_version
    )
    raised = raise_ledger_findings(ledger, pub.score_id, deadline_days) if findings else []
    ledger.indexer.sync()
    final = finalized_block(ledger.handle, ledger.settings.finality_depth)
    result = pub.result
    return {
        "score_id": pub.score_id,
        "scope": result["scope"],
        "as_of_block": result["as_of"]["block"],
        "level": result["level"],
        "level_name": result["level_name"],
        "M": result["M"],
        "spec_hash": result["spec_hash"],
        "evidence_root": result["evidence_root"],
        "result_hash": result["result_hash"],
        "tx": pub.tx.tx_hash,
        "block": pub.tx.block_number,
        "stored": str(pub.path),
        "provisional": result["as_of"]["block"] > final,
        "findings": [
            {"finding_id": f.finding_id, **f.detail, "raised": f.tx is not None} for f in raised
        ],
    }


@contextmanager
def _known(finding_id: str) -> Iterator[None]:
    """Turn the contract's FindingUnknown into a plain "finding 'X' not found"."""
    try:
        yield
    except ContractRevert as err:
        if err.name == "FindingUnknown":
            raise NotFoundError("finding", finding_id) from None
        raise


def finding(findings: FindingsContract, finding_id: str) -> Finding:
    with _known(finding_id):
        return findings.finding_of(finding_id)


def respond(
    findings: FindingsContract,
    signers: Signers,
    finding_id: str,
    department_id: str,
    plan: bytes,
    evidence: bytes,
) -> TxRef:
    """The department's response: the SHA-256 digests of its plan and evidence go on chain."""
    signer = signers.department(department_id)
    with _known(finding_id):
        receipt = findings.respond(
            signer, finding_id, hashlib.sha256(plan).digest(), hashlib.sha256(evidence).digest()
        )
    return TxRef.of(receipt)


def review(
    findings: FindingsContract,
    signers: Signers,
    finding_id: str,
    *,
    accept: bool,
    note: bytes = b"",
    note_digest: bytes | None = None,
) -> TxRef:
    """An auditor's decision on the pending response (signed by the administrator), with
    the SHA-256 of the auditor's ``note`` (or ``note_digest``, when only that is known)."""
    ensure_role(signers, "AUDITOR")
    digest = hashlib.sha256(note).digest() if note_digest is None else note_digest
    with _known(finding_id):
        receipt = findings.review(signers.admin(), finding_id, accept=accept, note_digest=digest)
    return TxRef.of(receipt)


def mark_overdue(findings: FindingsContract, signers: Signers, finding_id: str) -> TxRef:
    with _known(finding_id):
        return TxRef.of(findings.mark_overdue(signers.admin(), finding_id))


def status_name(status: FindingStatus) -> str:
    return status.name.capitalize()


def findings_view(
    findings: FindingsContract,
    index: EventStore,
    department_id: str | None = None,
    policy_id: str | None = None,
) -> list[dict[str, Any]]:
    """Every finding the index knows (or one department's or policy's), its state read
    from the chain. Sync the index first for findings raised since it last caught up."""
    ids = [
        e.args["findingId"]
        for e in index.events(contract="Findings", names=["FindingRaised"])
        if (department_id is None or e.args["departmentId"] == department_id)
        and (policy_id is None or e.args["policyId"] == policy_id)
    ]
    return [finding_dict(findings.finding_of(i)) for i in ids]


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "finding_id": f.finding_id,
        "status": status_name(f.status),
        "score_id": f.score_id,
        "policy_id": f.policy_id,
        "clause_id": f.clause_id,
        "metric": f.metric,
        "department_id": f.department_id,
        "deadline": f.deadline,
        "detail_digest": f.detail_digest,
        "was_overdue": f.was_overdue,
    }


__all__ = [
    "DEFAULT_DEADLINE_DAYS",
    "EvidenceSource",
    "RaisedFinding",
    "finding",
    "finding_dict",
    "finding_dir",
    "findings_view",
    "mark_overdue",
    "missed_obligations",
    "publish_and_raise",
    "raise_findings",
    "raise_ledger_findings",
    "respond",
    "review",
]
