"""PolicyRegistry: anchoring versions in order, revoking, and which clauses are in force."""

from __future__ import annotations

from collections.abc import Sequence

from eth_utils import keccak
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.core import Ledger
from ledger.mechanisms.base import role_id
from tests.contracts.conftest import ZERO, ZERO_ID, b32, call, event_names, events, reverts, send

ISSUER_ROLE_HEX = "0x" + role_id("ISSUER").hex()
#: 2024-01-01T00:00:00Z, long past on the chain's clock.
EFFECTIVE_2024 = 1_704_067_200
#: The policy every session ledger has anchored (tests/conftest.py).
SESSION_POLICY = "test.sharing"


def digest(text: str) -> bytes:
    return keccak(text=text)


def hexed(value: bytes) -> str:
    return "0x" + value.hex()


def clauses(*ids: str) -> list[tuple[str | bytes, bytes]]:
    return [(clause_id, digest(f"clause {clause_id}")) for clause_id in ids]


def anchor(
    ledger: Ledger,
    signer: Signer,
    policy_id: str | bytes,
    version: int,
    *,
    record_digest: bytes | None = None,
    effective_at: int = EFFECTIVE_2024,
    clause_list: Sequence[tuple[str | bytes, bytes]] | None = None,
    clause_ids: list[bytes] | None = None,
    clause_digests: list[bytes] | None = None,
) -> TxReceipt:
    """Anchor one version with raw arguments; clause ids/digests may be given apart."""
    pairs = clause_list if clause_list is not None else clauses("c1", "c2")
    ids = clause_ids if clause_ids is not None else [b32(c) for c, _ in pairs]
    digests = clause_digests if clause_digests is not None else [d for _, d in pairs]
    return send(
        ledger,
        signer,
        "PolicyRegistry",
        "anchorPolicy",
        b32(policy_id),
        version,
        record_digest if record_digest is not None else digest(f"{policy_id!r} v{version}"),
        b32("policy"),
        b32("data_governance"),
        effective_at,
        ids,
        digests,
    )


def in_force(ledger: Ledger, policy_id: str, clause_id: str) -> bool:
    return ledger.policies.clause_in_force(policy_id, clause_id)


def test_anchor_emits_policy_anchored(ledger: Ledger, issuer: Signer) -> None:
    pairs = clauses("c1", "c2", "c3")
    receipt = anchor(ledger, issuer, "p.roads", 1, record_digest=digest("roads"), clause_list=pairs)

    assert events(ledger, "PolicyRegistry", "PolicyAnchored", receipt) == [
        {
            "policyId": "p.roads",
            "version": 1,
            "digest": hexed(digest("roads")),
            "kind": "policy",
            "element": "data_governance",
            "effectiveAt": EFFECTIVE_2024,
            "clauseIds": ["c1", "c2", "c3"],
            "clauseDigests": [hexed(d) for _, d in pairs],
        }
    ]
    assert event_names(ledger, receipt) == ["PolicyAnchored"]
    assert ledger.policies.state("p.roads") == (1, False)
    anchored = ledger.policies.version("p.roads", 1)
    assert (anchored.digest, anchored.effective_at) == (hexed(digest("roads")), EFFECTIVE_2024)
    assert all(in_force(ledger, "p.roads", c) for c in ("c1", "c2", "c3"))
    assert not in_force(ledger, "p.roads", "c4")
    assert not in_force(ledger, "p.unknown", "c1")


def test_new_version_supersedes_and_drops_clauses(ledger: Ledger, issuer: Signer) -> None:
    assert all(in_force(ledger, SESSION_POLICY, c) for c in ("c1", "c2", "c3", "c4"))

    receipt = anchor(ledger, issuer, SESSION_POLICY, 2, clause_list=clauses("c1", "c2", "c5"))

    [anchored] = events(ledger, "PolicyRegistry", "PolicyAnchored", receipt)
    assert (anchored["policyId"], anchored["version"]) == (SESSION_POLICY, 2)
    assert anchored["clauseIds"] == ["c1", "c2", "c5"]
    assert ledger.policies.state(SESSION_POLICY) == (2, False)
    assert in_force(ledger, SESSION_POLICY, "c1")
    assert in_force(ledger, SESSION_POLICY, "c5")
    assert not in_force(ledger, SESSION_POLICY, "c3")  # dropped in v2
    assert not in_force(ledger, SESSION_POLICY, "c4")
    # The superseded version stays readable: nothing is ever edited.
    assert ledger.policies.version(SESSION_POLICY, 1).effective_at == EFFECTIVE_2024


def test_future_effective_time_is_not_yet_in_force(ledger: Ledger, issuer: Signer) -> None:
    effective = ledger.clock.now() + 1_000
    anchor(ledger, issuer, "p.future", 1, effective_at=effective)
    assert not in_force(ledger, "p.future", "c1")

    ledger.clock.advance_time(2_000)

    assert in_force(ledger, "p.future", "c1")


def test_later_version_not_yet_effective_suspends_the_policy(
    ledger: Ledger, issuer: Signer
) -> None:
    """Only the latest version counts, even before it takes effect."""
    anchor(ledger, issuer, SESSION_POLICY, 2, effective_at=ledger.clock.now() + 1_000)
    assert not in_force(ledger, SESSION_POLICY, "c1")

    ledger.clock.advance_time(2_000)

    assert in_force(ledger, SESSION_POLICY, "c1")
    assert not in_force(ledger, SESSION_POLICY, "c3")


def test_revoke_emits_policy_revoked_and_takes_clauses_out_of_force(
    ledger: Ledger, issuer: Signer
) -> None:
    receipt = ledger.policies.revoke(issuer, SESSION_POLICY)

    block = ledger.w3.eth.get_block(receipt["blockNumber"])
    assert events(ledger, "PolicyRegistry", "PolicyRevoked", receipt) == [
        {"policyId": SESSION_POLICY, "version": 1, "revokedAt": block["timestamp"]}
    ]
    assert event_names(ledger, receipt) == ["PolicyRevoked"]
    assert ledger.policies.state(SESSION_POLICY) == (1, True)
    assert not any(in_force(ledger, SESSION_POLICY, c) for c in ("c1", "c2", "c3", "c4"))
    assert ledger.policies.version(SESSION_POLICY, 1).effective_at == EFFECTIVE_2024


def test_revoked_policy_takes_no_version_and_no_second_revocation(
    ledger: Ledger, issuer: Signer
) -> None:
    ledger.policies.revoke(issuer, SESSION_POLICY)

    with reverts(ledger, "PolicyIsRevoked", policyId=SESSION_POLICY):
        anchor(ledger, issuer, SESSION_POLICY, 2)
    with reverts(ledger, "PolicyIsRevoked", policyId=SESSION_POLICY):
        ledger.policies.revoke(issuer, SESSION_POLICY)


def test_only_issuer_anchors_and_revokes(ledger: Ledger, civil: Signer, stranger: Signer) -> None:
    for signer in (civil, ledger.admin, stranger):
        with reverts(ledger, "Unauthorized", account=signer.address, neededRole=ISSUER_ROLE_HEX):
            anchor(ledger, signer, "p.rogue", 1)
        with reverts(ledger, "Unauthorized", account=signer.address, neededRole=ISSUER_ROLE_HEX):
            ledger.policies.revoke(signer, SESSION_POLICY)
    assert ledger.policies.state("p.rogue") == (0, False)
    assert ledger.policies.state(SESSION_POLICY) == (1, False)


def test_versions_are_anchored_in_order(ledger: Ledger, issuer: Signer) -> None:
    with reverts(ledger, "VersionOutOfOrder", policyId="p.new", expected=1, given=2):
        anchor(ledger, issuer, "p.new", 2)  # skips version 1
    with reverts(ledger, "VersionOutOfOrder", policyId="p.new", expected=1, given=0):
        anchor(ledger, issuer, "p.new", 0)
    with reverts(ledger, "VersionOutOfOrder", policyId=SESSION_POLICY, expected=2, given=1):
        anchor(ledger, issuer, SESSION_POLICY, 1)  # repeats version 1
    with reverts(ledger, "VersionOutOfOrder", policyId=SESSION_POLICY, expected=2, given=3):
        anchor(ledger, issuer, SESSION_POLICY, 3)  # skips version 2


def test_clause_ids_and_digests_must_pair_up(ledger: Ledger, issuer: Signer) -> None:
    one, two = digest("one"), digest("two")
    with reverts(ledger, "ClausesMismatch", ids=2, digests=1):
        anchor(ledger, issuer, "p.x", 1, clause_ids=[b32("c1"), b32("c2")], clause_digests=[one])
    with reverts(ledger, "ClausesMismatch", ids=1, digests=2):
        anchor(ledger, issuer, "p.x", 1, clause_ids=[b32("c1")], clause_digests=[one, two])
    with reverts(ledger, "ClausesMismatch", ids=0, digests=0):
        anchor(ledger, issuer, "p.x", 1, clause_list=[])


def test_invalid_clauses(ledger: Ledger, issuer: Signer) -> None:
    with reverts(ledger, "InvalidClause", policyId="p.x", clauseId="c1"):
        anchor(ledger, issuer, "p.x", 1, clause_list=[*clauses("c1", "c2"), ("c1", digest("x"))])
    with reverts(ledger, "InvalidClause", policyId="p.x", clauseId=ZERO_ID):
        anchor(ledger, issuer, "p.x", 1, clause_list=[*clauses("c1"), (ZERO, digest("x"))])
    with reverts(ledger, "InvalidClause", policyId="p.x", clauseId="c2"):
        anchor(ledger, issuer, "p.x", 1, clause_list=[*clauses("c1"), ("c2", ZERO)])
    # A clause may appear again in a later version; only a repeat within one version is invalid.
    with reverts(ledger, "InvalidClause", policyId=SESSION_POLICY, clauseId="c2"):
        anchor(ledger, issuer, SESSION_POLICY, 2, clause_list=clauses("c1", "c2", "c2"))
    assert ledger.policies.state("p.x") == (0, False)


def test_zero_digest_or_policy_id(ledger: Ledger, issuer: Signer) -> None:
    with reverts(ledger, "InvalidDigest", policyId="p.x"):
        anchor(ledger, issuer, "p.x", 1, record_digest=ZERO)
    with reverts(ledger, "InvalidDigest", policyId=ZERO_ID):
        anchor(ledger, issuer, ZERO, 1)


def test_unknown_policy(ledger: Ledger, issuer: Signer) -> None:
    with reverts(ledger, "PolicyUnknown", policyId="p.none"):
        ledger.policies.revoke(issuer, "p.none")
    with reverts(ledger, "PolicyUnknown", policyId="p.none"):
        call(ledger, "PolicyRegistry", "versionOf", b32("p.none"), 1)
    for version in (0, 2):
        with reverts(ledger, "PolicyUnknown", policyId=SESSION_POLICY):
            call(ledger, "PolicyRegistry", "versionOf", b32(SESSION_POLICY), version)
    assert ledger.policies.state("p.none") == (0, False)
