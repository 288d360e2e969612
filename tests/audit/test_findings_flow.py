"""Findings from a published score: addressed to the issuing department, answered, reviewed,
raised once, and marked overdue once their deadline has passed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.audit.findings import finding, findings_view, mark_overdue, respond, review
from ledger.audit.verify import AuditSources, audit
from ledger.core import Ledger
from ledger.errors import ContractRevert
from ledger.mechanisms.findings import FindingStatus
from tests.audit.conftest import (
    DAY,
    FINDING,
    ISSUER,
    OUTSIDER,
    POLICY,
    SCORE_ID,
    finding_file,
    opened,
    record_file,
    score_file,
    sha256_hex,
)
from tests.conftest import raise_for

PLAN = b"Re-schedule the vehicle-register and bus-position feeds a day earlier."
EVIDENCE = b"delivery log, weeks 9-12: every feed on time"
NOTE = b"Evidence covers two weeks only; show four."


def finding_events(ledger: Ledger, finding_id: str = FINDING) -> list[tuple[str, dict[str, Any]]]:
    ledger.indexer.sync()
    return [
        (e.event, e.args)
        for e in ledger.store.events(contract="Findings")
        if e.args["findingId"] == finding_id
    ]


def test_the_published_score_raised_a_finding_for_the_issuing_department(
    tampered_home: Path,
) -> None:
    detail_bytes = finding_file(tampered_home).read_bytes()
    detail = json.loads(detail_bytes)
    with opened(tampered_home) as ledger:
        found = finding(ledger.findings, FINDING)
        [(name, raised)] = finding_events(ledger)
        [event] = ledger.store.events(names=["FindingRaised"])
        before = int(ledger.w3.eth.get_block(event.block_number - 1)["timestamp"])
        view = findings_view(ledger.findings, ledger.store)
        auditor = ledger.admin.address

    assert json.loads(record_file(tampered_home).read_bytes())["issuer"] == ISSUER
    assert (found.status, found.department_id, found.was_overdue) == (
        FindingStatus.OPEN,
        ISSUER,
        False,
    )
    assert (found.score_id, found.policy_id, found.clause_id, found.metric) == (
        SCORE_ID,
        POLICY,
        "c2",
        "M3",
    )
    assert found.detail_digest == sha256_hex(detail_bytes)
    assert found.deadline == before + 30 * DAY  # the default rectification period
    assert name == "FindingRaised"
    assert raised == {
        "findingId": FINDING,
        "policyId": POLICY,
        "departmentId": ISSUER,
        "clauseId": "c2",
        "metric": "M3",
        "scoreId": SCORE_ID,
        "deadline": found.deadline,
        "detailDigest": found.detail_digest,
        "auditor": auditor,
    }
    # The details say what was missed, against which score.
    assert detail == {
        "finding_id": FINDING,
        "score_id": SCORE_ID,
        "result_hash": score_file(tampered_home).stem,
        "as_of_block": json.loads(score_file(tampered_home).read_bytes())["as_of"]["block"],
        "policy_id": POLICY,
        "version": 1,
        "clause_id": "c2",
        "department_id": ISSUER,
        "metric": "M3",
        "comparator": ">=",
        "target": 0.9,
        "observed": 0.875,
    }
    assert [(r["finding_id"], r["status"], r["department_id"]) for r in view] == [
        (FINDING, "Open", ISSUER)
    ]


def test_respond_reject_respond_accept(tampered_home: Path) -> None:
    with opened(tampered_home) as ledger:
        respond(ledger.findings, ledger.signers, FINDING, ISSUER, PLAN, EVIDENCE)
        assert finding(ledger.findings, FINDING).status == FindingStatus.RESPONDED
        review(ledger.findings, ledger.signers, FINDING, accept=False, note=NOTE)
        assert finding(ledger.findings, FINDING).status == FindingStatus.OPEN
        respond(
            ledger.findings,
            ledger.signers,
            FINDING,
            ISSUER,
            PLAN + b" And audit it monthly.",
            EVIDENCE,
        )
        assert finding(ledger.findings, FINDING).status == FindingStatus.RESPONDED
        review(ledger.findings, ledger.signers, FINDING, accept=True)
        closed = finding(ledger.findings, FINDING)
        events = finding_events(ledger)
        report = audit(AuditSources.of(ledger))

    assert (closed.status, closed.was_overdue) == (FindingStatus.ACCEPTED, False)
    assert [name for name, _ in events] == [
        "FindingRaised",
        "FindingResponded",
        "FindingReviewed",
        "FindingResponded",
        "FindingReviewed",
    ]
    assert events[1][1] == {
        "findingId": FINDING,
        "policyId": POLICY,
        "departmentId": ISSUER,
        "planDigest": sha256_hex(PLAN),
        "evidenceDigest": sha256_hex(EVIDENCE),
        "late": False,
    }
    assert events[3][1]["planDigest"] == sha256_hex(PLAN + b" And audit it monthly.")
    rejected, accepted = events[2][1], events[4][1]
    assert (rejected["accepted"], rejected["noteDigest"]) == (False, sha256_hex(NOTE))
    assert (accepted["accepted"], accepted["noteDigest"]) == (True, sha256_hex(b""))
    # Answering findings changes nothing the audit checks: the index follows the chain.
    assert report.ok, report.failures


def test_raising_again_for_the_same_score_raises_nothing_new(tampered_home: Path) -> None:
    detail = finding_file(tampered_home).read_bytes()
    with opened(tampered_home) as ledger:
        head = ledger.w3.eth.block_number
        again = raise_for(ledger, SCORE_ID)
        assert ledger.w3.eth.block_number == head  # no transaction was mined
        assert [e for e, _ in finding_events(ledger)] == ["FindingRaised"]
    assert [(f.finding_id, f.tx) for f in again] == [(FINDING, None)]
    assert again[0].detail == json.loads(detail)
    assert finding_file(tampered_home).read_bytes() == detail


def test_an_open_finding_past_its_deadline_is_marked_overdue(tampered_home: Path) -> None:
    with opened(tampered_home) as ledger:
        deadline = finding(ledger.findings, FINDING).deadline
        with pytest.raises(ContractRevert) as early:
            mark_overdue(ledger.findings, ledger.signers, FINDING)
        assert early.value.name == "NotOverdue"
        assert early.value.arguments == {
            "findingId": FINDING,
            "deadline": deadline,
            "now_": ledger.clock.now(),
        }
        ledger.clock.advance_time(deadline - ledger.clock.now() + 1)
        mark_overdue(ledger.findings, ledger.signers, FINDING)
        overdue = finding(ledger.findings, FINDING)
        # An overdue finding may still be answered; the response is marked late.
        respond(ledger.findings, ledger.signers, FINDING, ISSUER, PLAN, EVIDENCE)
        answered = finding(ledger.findings, FINDING)
        events = finding_events(ledger)

    assert (overdue.status, overdue.was_overdue) == (FindingStatus.OVERDUE, True)
    assert (answered.status, answered.was_overdue) == (FindingStatus.RESPONDED, True)
    assert [name for name, _ in events] == ["FindingRaised", "FindingOverdue", "FindingResponded"]
    assert events[1][1]["deadline"] == deadline
    assert events[1][1]["departmentId"] == ISSUER
    assert events[2][1]["late"] is True


def test_a_department_the_finding_is_not_addressed_to_cannot_respond(
    tampered_home: Path,
) -> None:
    with opened(tampered_home) as ledger:
        outsider = ledger.department_signer(OUTSIDER).address
        head = ledger.w3.eth.block_number
        with pytest.raises(ContractRevert) as err:
            respond(ledger.findings, ledger.signers, FINDING, OUTSIDER, PLAN, EVIDENCE)
        assert ledger.w3.eth.block_number == head
        status = finding(ledger.findings, FINDING).status

    assert err.value.name == "NotResponsible"
    assert err.value.arguments == {
        "findingId": FINDING,
        "departmentId": ISSUER,
        "account": outsider,
    }
    assert status == FindingStatus.OPEN


def test_plan_and_evidence_are_kept_only_as_digests(tampered_home: Path) -> None:
    with opened(tampered_home) as ledger:
        respond(ledger.findings, ledger.signers, FINDING, ISSUER, PLAN, EVIDENCE)
        ledger.indexer.sync()
    for path in tampered_home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PLAN not in data and EVIDENCE not in data, path
