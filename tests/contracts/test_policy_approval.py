"""Dual-leader approval: a city-level policy is anchored only when two distinct leaders approve."""

from __future__ import annotations

import uuid

import pytest

from ledger.chain.keystore import Signer
from ledger.core import Ledger
from ledger.mechanisms.base import role_id
from tests.conftest import sample_policy
from tests.contracts.conftest import b32, event_names, events, reverts, send
from tests.contracts.test_policy_registry import EFFECTIVE_2024, clauses, digest

LEADER_HEX = "0x" + role_id("LEADER").hex()
ISSUER_HEX = "0x" + role_id("ISSUER").hex()


def leader(ledger: Ledger) -> Signer:
    dep = f"lead.{uuid.uuid4().hex[:8]}"
    ledger.departments.register(dep, "Leader", ("LEADER",))
    return ledger.signers.department(dep)


def version_request(
    policy_id: str,
    version: int,
    record_digest: bytes,
    clause_ids: list[bytes],
    clause_digests: list[bytes],
    *,
    element: str,
) -> dict[str, object]:
    """A raw PolicyVersionRequest of a policy record effective since 2024."""
    return {
        "policyId": b32(policy_id),
        "version": version,
        "digest": record_digest,
        "kind": b32("policy"),
        "element": b32(element),
        "effectiveAt": EFFECTIVE_2024,
        "clauseIds": clause_ids,
        "clauseDigests": clause_digests,
    }


def propose(ledger: Ledger, signer: Signer, policy_id: str, version: int, text: str = "v") -> bytes:
    record_digest = digest(f"{policy_id} {version} {text}")
    pairs = clauses("c1", "c2")
    send(
        ledger,
        signer,
        "PolicyRegistry",
        "proposeCityPolicy",
        version_request(
            policy_id,
            version,
            record_digest,
            [b32(c) for c, _ in pairs],
            [d for _, d in pairs],
            element="institutional_advantage",
        ),
    )
    return record_digest


def approve(ledger: Ledger, signer: Signer, policy_id: str, version: int, d: bytes):  # type: ignore[no-untyped-def]
    return send(ledger, signer, "PolicyRegistry", "approvePolicy", b32(policy_id), version, d)


@pytest.fixture
def leaders(ledger: Ledger) -> tuple[Signer, Signer]:
    return leader(ledger), leader(ledger)


def test_two_distinct_leaders_anchor_a_city_policy(
    ledger: Ledger, issuer: Signer, leaders: tuple[Signer, Signer]
) -> None:
    secretary, mayor = leaders
    d = propose(ledger, issuer, "city.plan", 1)
    assert not ledger.policies.clause_in_force("city.plan", "c1")
    assert ledger.policies.is_city_level("city.plan")

    first = approve(ledger, secretary, "city.plan", 1, d)
    assert event_names(ledger, first) == ["PolicyApproved"]
    assert events(ledger, "PolicyRegistry", "PolicyApproved", first) == [
        {"policyId": "city.plan", "version": 1, "leader": secretary.address, "approvals": 1}
    ]
    assert ledger.policies.state("city.plan") == (0, False)
    with reverts(
        ledger, "AlreadyApproved", policyId="city.plan", version=1, leader=secretary.address
    ):
        approve(ledger, secretary, "city.plan", 1, d)

    second = approve(ledger, mayor, "city.plan", 1, d)
    assert event_names(ledger, second) == ["PolicyApproved", "PolicyAnchored"]
    [anchored] = events(ledger, "PolicyRegistry", "PolicyAnchored", second)
    assert (anchored["policyId"], anchored["version"], anchored["digest"]) == (
        "city.plan",
        1,
        "0x" + d.hex(),
    )
    assert ledger.policies.state("city.plan") == (1, False)
    assert ledger.policies.clause_in_force("city.plan", "c1")


def test_a_city_policy_is_never_anchored_by_an_issuer_alone(
    ledger: Ledger, issuer: Signer, leaders: tuple[Signer, Signer]
) -> None:
    def anchor_alone(version: int, record_digest: bytes) -> None:
        request = version_request(
            "city.solo", version, record_digest, [b32("c1")], [digest("c1")], element="x"
        )
        with reverts(ledger, "ApprovalRequired", policyId="city.solo"):
            send(ledger, issuer, "PolicyRegistry", "anchorPolicy", request)

    d = propose(ledger, issuer, "city.solo", 1)
    with reverts(ledger, "ProposalPending", policyId="city.solo", version=1):
        propose(ledger, issuer, "city.solo", 1, "again")
    anchor_alone(1, d)
    approve(ledger, leaders[0], "city.solo", 1, d)
    approve(ledger, leaders[1], "city.solo", 1, d)
    anchor_alone(2, digest("v2"))


def test_approval_reverts(ledger: Ledger, issuer: Signer, leaders: tuple[Signer, Signer]) -> None:
    d = propose(ledger, issuer, "city.rev", 1)
    with reverts(ledger, "Unauthorized", account=issuer.address, neededRole=LEADER_HEX):
        approve(ledger, issuer, "city.rev", 1, d)
    with reverts(ledger, "NoSuchProposal", policyId="city.rev", version=2):
        approve(ledger, leaders[0], "city.rev", 2, d)
    with reverts(ledger, "NoSuchProposal", policyId="city.none", version=1):
        approve(ledger, leaders[0], "city.none", 1, d)
    wrong = digest("other")
    with reverts(
        ledger,
        "DigestMismatch",
        policyId="city.rev",
        version=1,
        proposedDigest="0x" + d.hex(),
        givenDigest="0x" + wrong.hex(),
    ):
        approve(ledger, leaders[0], "city.rev", 1, wrong)
    with reverts(ledger, "Unauthorized", account=leaders[0].address, neededRole=ISSUER_HEX):
        propose(ledger, leaders[0], "city.other", 1)


def test_the_ledger_routes_city_records_through_approval(ledger: Ledger) -> None:
    secretary = f"lead.{uuid.uuid4().hex[:8]}"
    mayor = f"lead.{uuid.uuid4().hex[:8]}"
    ledger.departments.register(secretary, "Party secretary", ("LEADER",))
    ledger.departments.register(mayor, "Mayor", ("LEADER",))
    record = sample_policy("city.ledger", level="city")
    assert ledger.policy_book.anchor(record).status == "proposed"
    assert ledger.policy_book.anchor(record).status == "already proposed"
    assert ledger.policy_book.approve("city.ledger", 1, secretary).status == "approved"
    assert ledger.policy_book.approve("city.ledger", 1, mayor).status == "anchored"
    assert ledger.policy_book.anchor(record).status == "already anchored"
    assert ledger.policy_book.verify("city.ledger")[0]["ok"] is True
