"""Findings: raised by an AUDITOR from a score, answered by the addressed department,
reviewed, or marked overdue by anyone once the deadline has passed."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.core import Ledger
from ledger.errors import ChainError
from ledger.mechanisms.base import role_id
from ledger.mechanisms.findings import Finding, FindingStatus
from tests.contracts.conftest import (
    CIVIL,
    SECURITY,
    ZERO,
    ZERO_ID,
    b32,
    call,
    clause,
    clock_at,
    events,
    granted,
    mined_at,
    new_signer,
    policy_fixture,
    reverts,
    send,
)

POLICY = "test.findings"
CLAUSE = "ontime"
METRIC = "M3"
FINDING = "finding.m3"
DAY = 86_400
AUDITOR_ROLE = "0x" + role_id("AUDITOR").hex()
DETAIL = keccak(text="M3 at 0.82 in score 1, target 0.9")
PLAN = keccak(text="rectification plan")
EVIDENCE = keccak(text="rectification evidence")
NOTE = keccak(text="review note")


def hexed(value: bytes) -> str:
    return "0x" + value.hex()


@dataclass(frozen=True)
class Terms:
    """The arguments of ``raiseFinding``: by default M3 missed by the security bureau."""

    finding_id: str | bytes = FINDING
    score_id: int = 1
    policy_id: str = POLICY
    clause_id: str = CLAUSE
    metric: str | bytes = METRIC
    department_id: str | bytes = SECURITY
    deadline: int = 0
    detail_digest: bytes = DETAIL

    def raised_event(self, auditor: Signer) -> dict[str, object]:
        return {
            "findingId": self.finding_id,
            "policyId": self.policy_id,
            "departmentId": self.department_id,
            "clauseId": self.clause_id,
            "metric": self.metric,
            "scoreId": self.score_id,
            "deadline": self.deadline,
            "detailDigest": hexed(self.detail_digest),
            "auditor": auditor.address,
        }

    def stored(self, status: FindingStatus) -> Finding:
        """The finding these terms raised, as ``finding_of`` reads it back in ``status``."""
        return Finding(
            finding_id=str(self.finding_id),
            status=status,
            score_id=self.score_id,
            policy_id=self.policy_id,
            clause_id=self.clause_id,
            metric=str(self.metric),
            department_id=str(self.department_id),
            deadline=self.deadline,
            detail_digest=hexed(self.detail_digest),
            was_overdue=False,
        )


def raise_finding(ledger: Ledger, signer: Signer, terms: Terms) -> TxReceipt:
    """Send ``raiseFinding`` as given, with no client-side checks."""
    return send(
        ledger,
        signer,
        "Findings",
        "raiseFinding",
        {
            "findingId": b32(terms.finding_id),
            "scoreId": terms.score_id,
            "policyId": b32(terms.policy_id),
            "clauseId": b32(terms.clause_id),
            "metric": b32(terms.metric),
            "departmentId": b32(terms.department_id),
            "deadline": terms.deadline,
            "detailDigest": terms.detail_digest,
        },
    )


def respond(
    ledger: Ledger,
    signer: Signer,
    finding_id: str | bytes = FINDING,
    plan: bytes = PLAN,
    evidence: bytes = EVIDENCE,
) -> TxReceipt:
    """Send ``respond`` as given, with no client-side checks."""
    return send(ledger, signer, "Findings", "respond", b32(finding_id), plan, evidence)


def responded_event(finding_id: str = FINDING, *, late: bool) -> dict[str, object]:
    return {
        "findingId": finding_id,
        "policyId": POLICY,
        "departmentId": SECURITY,
        "planDigest": hexed(PLAN),
        "evidenceDigest": hexed(EVIDENCE),
        "late": late,
    }


def reviewed_event(auditor: Signer, *, accepted: bool) -> dict[str, object]:
    return {
        "findingId": FINDING,
        "policyId": POLICY,
        "departmentId": SECURITY,
        "accepted": accepted,
        "noteDigest": hexed(NOTE),
        "auditor": auditor.address,
    }


def status(ledger: Ledger, finding_id: str = FINDING) -> FindingStatus:
    return ledger.findings.finding_of(finding_id).status


#: A policy in force whose clause ``ontime`` obliges M3 >= 0.9.
ONTIME = clause(CLAUSE, "Close 90% of hotline work orders within their SLA.", METRIC)
policy = policy_fixture(
    POLICY, "Hotline timeliness measures", ONTIME, element="operating_mechanism"
)


@pytest.fixture
def score(ledger: Ledger, policy: str) -> int:
    """Score 1 of the city, published by the health commission as SCORER."""
    scorer = granted(ledger, "dcity.health", "SCORER")
    root = keccak(text="evidence")
    ledger.scoreboard.publish(
        scorer,
        scope="city",
        spec_hash=keccak(text="spec").hex(),
        as_of_block=ledger.w3.eth.block_number,
        evidence_root=root.hex(),
        result_hash=keccak(text="result").hex(),
        window_start=0,
        window_end=ledger.clock.now(),
    )
    return 1


@pytest.fixture(scope="module")
def auditor_key(session_ledger: Ledger) -> str:
    """The key name of an account of no department, created once for the module."""
    name = f"auditor-{uuid.uuid4().hex[:12]}"
    session_ledger.keystore.create(name)
    return name


@pytest.fixture
def auditor(ledger: Ledger, auditor_key: str) -> Signer:
    """That account, funded and granted the AUDITOR role."""
    signer = ledger.keystore.signer(auditor_key)
    ledger.tx.fund(signer.address)
    ledger.directory.grant_role("AUDITOR", signer.address)
    return signer


@pytest.fixture
def terms(ledger: Ledger, score: int) -> Terms:
    """The terms of finding ``finding.m3`` (not yet raised), due in 30 days."""
    return Terms(score_id=score, deadline=ledger.clock.now() + 30 * DAY)


@pytest.fixture
def finding(ledger: Ledger, auditor: Signer, terms: Terms) -> Terms:
    """Finding ``finding.m3``, raised against the security bureau and open."""
    raise_finding(ledger, auditor, terms)
    return terms


# -- raiseFinding ------------------------------------------------------------------


def test_raise_emits_finding_raised(ledger: Ledger, auditor: Signer, terms: Terms) -> None:
    receipt = ledger.findings.raise_finding(
        auditor,
        finding_id=FINDING,
        score_id=1,
        policy_id=POLICY,
        clause_id=CLAUSE,
        metric=METRIC,
        department_id=SECURITY,
        deadline=terms.deadline,
        detail_digest=DETAIL,
    )

    assert events(ledger, "Findings", "FindingRaised", receipt) == [terms.raised_event(auditor)]
    assert len(receipt["logs"]) == 1
    assert ledger.findings.finding_of(FINDING) == terms.stored(FindingStatus.OPEN)
    # The raw view returns the stored Finding struct, in its field order.
    assert call(ledger, "Findings", "findingOf", b32(FINDING)) == (
        1,
        False,
        terms.deadline,
        1,
        b32(POLICY),
        b32(CLAUSE),
        b32(METRIC),
        b32(SECURITY),
        DETAIL,
    )


def test_only_an_auditor_raises(
    ledger: Ledger, security: Signer, stranger: Signer, terms: Terms
) -> None:
    for signer in (security, stranger, ledger.admin):
        with reverts(ledger, "Unauthorized", account=signer.address, neededRole=AUDITOR_ROLE):
            raise_finding(ledger, signer, terms)


def test_a_finding_id_is_taken_once(ledger: Ledger, auditor: Signer, finding: Terms) -> None:
    other_auditor = new_signer(ledger)
    ledger.directory.grant_role("AUDITOR", other_auditor.address)
    for signer in (auditor, other_auditor):
        with reverts(ledger, "FindingExists", findingId=FINDING):
            raise_finding(ledger, signer, Terms(department_id=CIVIL, deadline=finding.deadline))
    assert ledger.findings.finding_of(FINDING).department_id == SECURITY


def test_invalid_findings(ledger: Ledger, auditor: Signer, terms: Terms) -> None:
    now = ledger.clock.now()
    bad = [
        (Terms(finding_id=ZERO, deadline=terms.deadline), ZERO_ID, METRIC, terms.deadline),
        (Terms(metric=ZERO, deadline=terms.deadline), FINDING, ZERO_ID, terms.deadline),
        (Terms(detail_digest=ZERO, deadline=terms.deadline), FINDING, METRIC, terms.deadline),
        (Terms(deadline=now), FINDING, METRIC, now),
        (Terms(deadline=now - DAY), FINDING, METRIC, now - DAY),
        (Terms(deadline=0), FINDING, METRIC, 0),
    ]
    for t, finding_id, metric, deadline in bad:
        with reverts(
            ledger, "InvalidFinding", findingId=finding_id, metric=metric, deadline=deadline
        ):
            raise_finding(ledger, auditor, t)
    with reverts(ledger, "FindingUnknown", findingId=FINDING):
        ledger.findings.finding_of(FINDING)


def test_the_deadline_is_after_the_block_that_raises_the_finding(
    ledger: Ledger, auditor: Signer, score: int
) -> None:
    """The contract compares the deadline with the time of the block that mines the
    finding, a second after the latest block in which the send's check runs: a deadline
    one second ahead passes the check but fails on chain; two seconds ahead is accepted."""
    now = ledger.clock.now()
    receipt = raise_finding(ledger, auditor, Terms(deadline=now + 2))
    assert mined_at(ledger, receipt) == now + 1
    assert ledger.findings.finding_of(FINDING).deadline == now + 2

    now = ledger.clock.now()
    with pytest.raises(ChainError, match="to Findings failed in block"):
        raise_finding(ledger, auditor, Terms(finding_id="finding.edge", deadline=now + 1))
    with reverts(ledger, "FindingUnknown", findingId="finding.edge"):
        ledger.findings.finding_of("finding.edge")


def test_the_score_must_be_published(ledger: Ledger, auditor: Signer, terms: Terms) -> None:
    for score_id in (0, 2, 2**256 - 1):
        with reverts(ledger, "ScoreUnknown", scoreId=score_id):
            raise_finding(ledger, auditor, Terms(score_id=score_id, deadline=terms.deadline))


def test_the_clause_must_be_in_force(
    ledger: Ledger, auditor: Signer, issuer: Signer, terms: Terms
) -> None:
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId="c9"):
        raise_finding(ledger, auditor, Terms(clause_id="c9", deadline=terms.deadline))
    with reverts(ledger, "ClauseNotInForce", policyId="p.none", clauseId=CLAUSE):
        raise_finding(ledger, auditor, Terms(policy_id="p.none", deadline=terms.deadline))

    ledger.policies.revoke(issuer, POLICY)

    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId=CLAUSE):
        raise_finding(ledger, auditor, terms)


def test_the_department_must_be_registered(ledger: Ledger, auditor: Signer, terms: Terms) -> None:
    for department_id, named in (("dcity.none", "dcity.none"), (ZERO, ZERO_ID)):
        with reverts(ledger, "DepartmentUnknown", departmentId=named):
            raise_finding(
                ledger, auditor, Terms(department_id=department_id, deadline=terms.deadline)
            )


# -- respond -----------------------------------------------------------------------


def test_the_department_responds_before_the_deadline(
    ledger: Ledger, security: Signer, finding: Terms
) -> None:
    receipt = ledger.findings.respond(security, FINDING, PLAN, EVIDENCE)

    assert events(ledger, "Findings", "FindingResponded", receipt) == [responded_event(late=False)]
    assert len(receipt["logs"]) == 1
    state = ledger.findings.finding_of(FINDING)
    assert (state.status, state.was_overdue) == (FindingStatus.RESPONDED, False)


def test_a_response_is_late_only_after_the_deadline(
    ledger: Ledger, auditor: Signer, security: Signer, finding: Terms
) -> None:
    # Mined at the deadline itself: on time.
    clock_at(ledger, finding.deadline - 1)
    on_time = respond(ledger, security)
    assert mined_at(ledger, on_time) == finding.deadline
    assert events(ledger, "Findings", "FindingResponded", on_time) == [responded_event(late=False)]

    ledger.findings.review(auditor, FINDING, accept=False, note_digest=NOTE)
    ledger.clock.advance_time(DAY)
    late = respond(ledger, security)
    assert mined_at(ledger, late) > finding.deadline
    assert events(ledger, "Findings", "FindingResponded", late) == [responded_event(late=True)]
    # Responding late is not being marked overdue.
    assert ledger.findings.finding_of(FINDING).was_overdue is False


def test_only_the_addressed_department_responds(
    ledger: Ledger,
    auditor: Signer,
    security: Signer,
    civil: Signer,
    stranger: Signer,
    finding: Terms,
) -> None:
    with reverts(
        ledger, "NotResponsible", findingId=FINDING, departmentId=SECURITY, account=civil.address
    ):
        respond(ledger, civil)
    for signer in (stranger, auditor, ledger.admin):
        with reverts(ledger, "NotADepartment", account=signer.address):
            respond(ledger, signer)
    assert status(ledger) == FindingStatus.OPEN


def test_a_suspended_department_does_not_respond(
    ledger: Ledger, security: Signer, finding: Terms
) -> None:
    ledger.tx.send(
        ledger.admin,
        ledger.directory.contract.functions.revokeRole(role_id("DEPARTMENT"), security.address),
        "Directory",
    )
    with reverts(ledger, "NotADepartment", account=security.address):
        respond(ledger, security)


def test_a_response_needs_both_digests(ledger: Ledger, security: Signer, finding: Terms) -> None:
    for plan, evidence in ((ZERO, EVIDENCE), (PLAN, ZERO), (ZERO, ZERO)):
        with reverts(ledger, "InvalidResponse", findingId=FINDING):
            respond(ledger, security, plan=plan, evidence=evidence)
    assert status(ledger) == FindingStatus.OPEN


def test_no_second_response_while_pending_or_once_accepted(
    ledger: Ledger, auditor: Signer, security: Signer, finding: Terms
) -> None:
    respond(ledger, security)
    with reverts(ledger, "WrongStatus", findingId=FINDING, status=FindingStatus.RESPONDED):
        respond(ledger, security)

    ledger.findings.review(auditor, FINDING, accept=True, note_digest=NOTE)

    with reverts(ledger, "WrongStatus", findingId=FINDING, status=FindingStatus.ACCEPTED):
        respond(ledger, security)


# -- review ------------------------------------------------------------------------


def test_accepting_closes_the_finding(
    ledger: Ledger, auditor: Signer, security: Signer, stranger: Signer, finding: Terms
) -> None:
    respond(ledger, security)
    receipt = ledger.findings.review(auditor, FINDING, accept=True, note_digest=NOTE)

    assert events(ledger, "Findings", "FindingReviewed", receipt) == [
        reviewed_event(auditor, accepted=True)
    ]
    assert len(receipt["logs"]) == 1
    assert ledger.findings.finding_of(FINDING) == finding.stored(FindingStatus.ACCEPTED)
    closed = {"findingId": FINDING, "status": FindingStatus.ACCEPTED}
    with reverts(ledger, "WrongStatus", **closed):
        ledger.findings.review(auditor, FINDING, accept=False, note_digest=NOTE)
    clock_at(ledger, finding.deadline + 1)
    with reverts(ledger, "WrongStatus", **closed):
        ledger.findings.mark_overdue(stranger, FINDING)


def test_rejecting_reopens_the_finding_for_another_response(
    ledger: Ledger, auditor: Signer, security: Signer, finding: Terms
) -> None:
    respond(ledger, security)
    rejected = ledger.findings.review(auditor, FINDING, accept=False, note_digest=NOTE)

    assert events(ledger, "Findings", "FindingReviewed", rejected) == [
        reviewed_event(auditor, accepted=False)
    ]
    assert status(ledger) == FindingStatus.OPEN

    again = respond(ledger, security)
    assert events(ledger, "Findings", "FindingResponded", again) == [responded_event(late=False)]
    assert status(ledger) == FindingStatus.RESPONDED
    accepted = ledger.findings.review(auditor, FINDING, accept=True, note_digest=NOTE)
    assert events(ledger, "Findings", "FindingReviewed", accepted) == [
        reviewed_event(auditor, accepted=True)
    ]
    assert status(ledger) == FindingStatus.ACCEPTED


def test_review_needs_a_pending_response(
    ledger: Ledger, auditor: Signer, stranger: Signer, finding: Terms
) -> None:
    with reverts(ledger, "WrongStatus", findingId=FINDING, status=FindingStatus.OPEN):
        ledger.findings.review(auditor, FINDING, accept=True, note_digest=NOTE)
    clock_at(ledger, finding.deadline + 1)
    ledger.findings.mark_overdue(stranger, FINDING)
    with reverts(ledger, "WrongStatus", findingId=FINDING, status=FindingStatus.OVERDUE):
        ledger.findings.review(auditor, FINDING, accept=False, note_digest=NOTE)


def test_only_an_auditor_reviews(
    ledger: Ledger, security: Signer, stranger: Signer, finding: Terms
) -> None:
    respond(ledger, security)
    for signer in (security, stranger, ledger.admin):
        with reverts(ledger, "Unauthorized", account=signer.address, neededRole=AUDITOR_ROLE):
            ledger.findings.review(signer, FINDING, accept=True, note_digest=NOTE)
    assert status(ledger) == FindingStatus.RESPONDED


# -- markOverdue -------------------------------------------------------------------


def test_not_overdue_until_the_deadline_has_passed(
    ledger: Ledger, stranger: Signer, finding: Terms
) -> None:
    for at in (ledger.clock.now(), finding.deadline - 1, finding.deadline):
        clock_at(ledger, at)
        with reverts(ledger, "NotOverdue", findingId=FINDING, deadline=finding.deadline, now_=at):
            ledger.findings.mark_overdue(stranger, FINDING)
    assert status(ledger) == FindingStatus.OPEN


def test_anyone_marks_a_finding_overdue(
    ledger: Ledger, auditor: Signer, stranger: Signer, civil: Signer, finding: Terms
) -> None:
    other = Terms(finding_id="finding.other", deadline=finding.deadline)
    raise_finding(ledger, auditor, other)
    clock_at(ledger, finding.deadline + 1)

    for finding_id, signer in ((FINDING, stranger), ("finding.other", civil)):
        receipt = ledger.findings.mark_overdue(signer, finding_id)
        assert events(ledger, "Findings", "FindingOverdue", receipt) == [
            {
                "findingId": finding_id,
                "policyId": POLICY,
                "departmentId": SECURITY,
                "deadline": finding.deadline,
                "markedBy": signer.address,
            }
        ]
        assert len(receipt["logs"]) == 1
        state = ledger.findings.finding_of(finding_id)
        assert (state.status, state.was_overdue) == (FindingStatus.OVERDUE, True)

    with reverts(ledger, "WrongStatus", findingId=FINDING, status=FindingStatus.OVERDUE):
        ledger.findings.mark_overdue(stranger, FINDING)


def test_a_pending_response_is_not_overdue(
    ledger: Ledger, security: Signer, stranger: Signer, finding: Terms
) -> None:
    respond(ledger, security)
    clock_at(ledger, finding.deadline + DAY)
    with reverts(ledger, "WrongStatus", findingId=FINDING, status=FindingStatus.RESPONDED):
        ledger.findings.mark_overdue(stranger, FINDING)


def test_an_overdue_finding_is_still_answered_late_and_accepted(
    ledger: Ledger, auditor: Signer, security: Signer, stranger: Signer, finding: Terms
) -> None:
    ledger.clock.advance_time(31 * DAY)
    ledger.findings.mark_overdue(stranger, FINDING)

    receipt = respond(ledger, security)
    assert events(ledger, "Findings", "FindingResponded", receipt) == [responded_event(late=True)]
    state = ledger.findings.finding_of(FINDING)
    assert (state.status, state.was_overdue) == (FindingStatus.RESPONDED, True)

    ledger.findings.review(auditor, FINDING, accept=True, note_digest=NOTE)
    state = ledger.findings.finding_of(FINDING)
    assert (state.status, state.was_overdue) == (FindingStatus.ACCEPTED, True)


def test_a_rejected_late_response_reopens_and_may_be_marked_overdue_again(
    ledger: Ledger, auditor: Signer, security: Signer, stranger: Signer, finding: Terms
) -> None:
    clock_at(ledger, finding.deadline + 1)
    ledger.findings.mark_overdue(stranger, FINDING)
    respond(ledger, security)
    ledger.findings.review(auditor, FINDING, accept=False, note_digest=NOTE)

    state = ledger.findings.finding_of(FINDING)
    assert (state.status, state.was_overdue) == (FindingStatus.OPEN, True)
    receipt = ledger.findings.mark_overdue(stranger, FINDING)
    assert [e["markedBy"] for e in events(ledger, "Findings", "FindingOverdue", receipt)] == [
        stranger.address
    ]
    assert status(ledger) == FindingStatus.OVERDUE


# -- unknown findings ----------------------------------------------------------------


def test_unknown_findings(
    ledger: Ledger, auditor: Signer, security: Signer, stranger: Signer, finding: Terms
) -> None:
    clock_at(ledger, finding.deadline + 1)
    for finding_id, named in (("finding.none", "finding.none"), (ZERO, ZERO_ID)):
        unknown = {"findingId": named}
        with reverts(ledger, "FindingUnknown", **unknown):
            respond(ledger, security, finding_id)
        with reverts(ledger, "FindingUnknown", **unknown):
            send(ledger, auditor, "Findings", "review", b32(finding_id), True, NOTE)
        with reverts(ledger, "FindingUnknown", **unknown):
            send(ledger, stranger, "Findings", "markOverdue", b32(finding_id))
        with reverts(ledger, "FindingUnknown", **unknown):
            call(ledger, "Findings", "findingOf", b32(finding_id))
    with reverts(ledger, "FindingUnknown", findingId="finding.none"):
        ledger.findings.finding_of("finding.none")


def test_wrapper_refuses_malformed_digests(
    ledger: Ledger, auditor: Signer, security: Signer
) -> None:
    with pytest.raises(ValueError, match="plan digest must be 32 bytes"):
        ledger.findings.respond(security, FINDING, PLAN[:31], EVIDENCE)
    with pytest.raises(ValueError, match="evidence digest must be 32 bytes"):
        ledger.findings.respond(security, FINDING, PLAN, hexed(EVIDENCE))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="note digest must be 32 bytes"):
        ledger.findings.review(auditor, FINDING, accept=True, note_digest=b"")
    with pytest.raises(ValueError, match="finding id"):
        ledger.findings.mark_overdue(auditor, "")


# -- the deadline rule, for every moment around it -------------------------------------

_finding_ids = (f"finding.prop.{n}" for n in itertools.count())

_offsets = st.one_of(
    st.sampled_from([-1, 0, 1]),
    st.integers(-3 * DAY, 3 * DAY),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(offset=_offsets)
def test_deadline_rule(
    ledger: Ledger,
    auditor: Signer,
    security: Signer,
    stranger: Signer,
    score: int,
    offset: int,
) -> None:
    """With the clock at ``deadline + offset``: marking overdue reverts NotOverdue unless
    the deadline has passed, and a response is late iff it is mined after the deadline."""
    finding_id = next(_finding_ids)
    deadline = ledger.clock.now() + 10 * DAY
    raise_finding(ledger, auditor, Terms(finding_id=finding_id, deadline=deadline))
    clock_at(ledger, deadline + offset)

    overdue = offset > 0
    if overdue:
        marked = ledger.findings.mark_overdue(stranger, finding_id)
        assert [e["deadline"] for e in events(ledger, "Findings", "FindingOverdue", marked)] == [
            deadline
        ]
        assert status(ledger, finding_id) == FindingStatus.OVERDUE
    else:
        with reverts(
            ledger, "NotOverdue", findingId=finding_id, deadline=deadline, now_=deadline + offset
        ):
            ledger.findings.mark_overdue(stranger, finding_id)

    receipt = respond(ledger, security, finding_id)
    landed = mined_at(ledger, receipt)
    assert [e["late"] for e in events(ledger, "Findings", "FindingResponded", receipt)] == [
        landed > deadline
    ]
    state = ledger.findings.finding_of(finding_id)
    assert (state.status, state.was_overdue) == (FindingStatus.RESPONDED, overdue)
