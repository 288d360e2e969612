"""EffectLog: RFC 9162 checkpoints whose append-only property the chain itself enforces.

Trees and proofs come from :mod:`ledger.effects.merkle`; the contract must accept
every honest consistency proof, refuse every rewrite and truncation, and decide every
proof exactly as the Python verifier does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.core import Ledger
from ledger.effects.merkle import EMPTY_ROOT, MerkleTree, leaf_hash, verify_consistency
from ledger.mechanisms.effectlog import Checkpoint, EffectLogContract, EffectLogInfo
from tests.contracts.conftest import (
    CIVIL,
    SECURITY,
    ZERO,
    ZERO_ID,
    b32,
    clause,
    contract_fixture,
    emitted,
    event_names,
    mined_at,
    policy_fixture,
    reverts,
)

POLICY = "test.effects"
CLAUSE = "log"
LOG = "effects.security"
#: uint32 max: the largest checkpoint index a caller can name.
MAX_INDEX = 2**32 - 1


def hexed(value: bytes) -> str:
    return "0x" + value.hex()


def entries(count: int, tag: str = "entry") -> list[bytes]:
    """``count`` distinct log entries."""
    return [f'{{"{tag}":{i}}}'.encode() for i in range(count)]


def honest_tree(count: int) -> MerkleTree:
    return MerkleTree.from_entries(entries(count))


def synthetic_tree(count: int) -> MerkleTree:
    """A tree of ``count`` leaf hashes of 8-byte counters, for large sizes."""
    return MerkleTree(leaf_hash(i.to_bytes(8, "big")) for i in range(count))


def anchored_event(
    index: int,
    size: int,
    root: bytes,
    previous_size: int = 0,
    previous_root: bytes = EMPTY_ROOT,
    log_id: str = LOG,
    owner_id: str = SECURITY,
) -> dict[str, object]:
    return {
        "logId": log_id,
        "ownerId": owner_id,
        "policyId": POLICY,
        "clauseId": CLAUSE,
        "index": index,
        "treeSize": size,
        "root": hexed(root),
        "previousSize": previous_size,
        "previousRoot": hexed(previous_root),
    }


def send_checkpoint(
    ledger: Ledger,
    log: EffectLogContract,
    signer: Signer,
    log_id: str | bytes,
    size: int,
    root: bytes,
    proof: Sequence[bytes] = (),
) -> TxReceipt:
    """Send ``checkpoint`` as given, with no client-side checks."""
    fn = log.contract.functions.checkpoint(b32(log_id), size, root, list(proof))
    return ledger.tx.send(signer, fn, "EffectLog")


effect_log = contract_fixture(EffectLogContract, "effect_log")

#: A policy in force whose clause ``log`` asks for the effects to be logged.
LOGGED = clause(CLAUSE, "Log every effect of the measures, append-only.")
policy = policy_fixture(POLICY, "Effect logging measures", LOGGED)


@pytest.fixture
def opened(effect_log: EffectLogContract, security: Signer, policy: str) -> str:
    """The security bureau's log, open and without checkpoints."""
    effect_log.open_log(security, LOG, POLICY, CLAUSE)
    return LOG


@pytest.fixture
def tree() -> MerkleTree:
    """The security bureau's honest log: 64 entries."""
    return honest_tree(64)


@pytest.fixture
def at8(effect_log: EffectLogContract, security: Signer, opened: str, tree: MerkleTree) -> str:
    """The log with one checkpoint: its first 8 entries."""
    effect_log.checkpoint(security, LOG, 8, tree.root(8), [])
    return LOG


@pytest.fixture(scope="module")
def million() -> MerkleTree:
    """A tree of 10^6 synthetic leaves, built once (a few seconds)."""
    return synthetic_tree(1_000_000)


# -- openLog -----------------------------------------------------------------------


def test_open_log_emits_log_opened(
    ledger: Ledger, effect_log: EffectLogContract, security: Signer, policy: str
) -> None:
    receipt = effect_log.open_log(security, LOG, POLICY, CLAUSE)

    assert emitted(effect_log, "LogOpened", receipt) == [
        {"logId": LOG, "ownerId": SECURITY, "policyId": POLICY, "clauseId": CLAUSE}
    ]
    assert event_names(ledger, receipt) == ["LogOpened"]
    assert effect_log.log_of(LOG) == EffectLogInfo(LOG, SECURITY, POLICY, CLAUSE, 0)
    assert effect_log.latest(LOG) == Checkpoint(LOG, 0, 0, EMPTY_ROOT, 0)


def test_log_id_taken_or_zero(
    ledger: Ledger, effect_log: EffectLogContract, civil: Signer, opened: str
) -> None:
    with reverts(ledger, "LogExists", logId=LOG):
        effect_log.open_log(civil, LOG, POLICY, CLAUSE)
    fn = effect_log.contract.functions.openLog(ZERO, b32(POLICY), b32(CLAUSE))
    with reverts(ledger, "LogExists", logId=ZERO_ID):
        ledger.tx.send(civil, fn, "EffectLog")
    assert effect_log.log_of(LOG).owner_id == SECURITY


def test_only_a_department_opens_a_log(
    ledger: Ledger, effect_log: EffectLogContract, stranger: Signer, policy: str
) -> None:
    for signer in (stranger, ledger.admin):
        with reverts(ledger, "NotADepartment", account=signer.address):
            effect_log.open_log(signer, LOG, POLICY, CLAUSE)


def test_open_log_clause_must_be_in_force(
    ledger: Ledger, effect_log: EffectLogContract, security: Signer, issuer: Signer, policy: str
) -> None:
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId="c9"):
        effect_log.open_log(security, LOG, POLICY, "c9")
    with reverts(ledger, "ClauseNotInForce", policyId="p.none", clauseId=CLAUSE):
        effect_log.open_log(security, LOG, "p.none", CLAUSE)

    ledger.policies.revoke(issuer, POLICY)

    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId=CLAUSE):
        effect_log.open_log(security, LOG, POLICY, CLAUSE)
    with reverts(ledger, "LogUnknown", logId=LOG):
        effect_log.log_of(LOG)


# -- checkpoint --------------------------------------------------------------------


def test_first_checkpoint_extends_the_empty_tree(
    ledger: Ledger,
    effect_log: EffectLogContract,
    security: Signer,
    opened: str,
    tree: MerkleTree,
) -> None:
    receipt = effect_log.checkpoint(security, LOG, 8, tree.root(8), [])

    assert emitted(effect_log, "CheckpointAnchored", receipt) == [
        anchored_event(1, 8, tree.root(8), 0, EMPTY_ROOT)
    ]
    assert event_names(ledger, receipt) == ["CheckpointAnchored"]
    anchored = Checkpoint(LOG, 1, 8, tree.root(8), mined_at(ledger, receipt))
    assert effect_log.latest(LOG) == anchored == effect_log.checkpoint_at(LOG, 1)
    assert effect_log.log_of(LOG).checkpoints == 1


def test_first_checkpoint_needs_a_size_a_root_and_no_proof(
    ledger: Ledger,
    effect_log: EffectLogContract,
    security: Signer,
    opened: str,
    tree: MerkleTree,
) -> None:
    for size, root, proof in [
        (0, EMPTY_ROOT, []),  # the empty tree is no checkpoint
        (0, tree.root(8), []),
        (8, ZERO, []),
        (8, tree.root(8), [tree.root(4)]),  # nothing before it to be consistent with
    ]:
        with reverts(ledger, "InvalidCheckpoint", logId=LOG):
            send_checkpoint(ledger, effect_log, security, LOG, size, root, proof)
    assert effect_log.latest(LOG).index == 0


def test_a_chain_of_checkpoints_each_proved_consistent(
    ledger: Ledger,
    effect_log: EffectLogContract,
    security: Signer,
    opened: str,
    tree: MerkleTree,
) -> None:
    sizes = [1, 3, 8, 13, 64]
    anchored: list[Checkpoint] = []
    previous = effect_log.latest(LOG)
    for index, size in enumerate(sizes, start=1):
        proof = tree.consistency_proof(previous.tree_size, size)
        receipt = effect_log.checkpoint(security, LOG, size, tree.root(size), proof)

        assert emitted(effect_log, "CheckpointAnchored", receipt) == [
            anchored_event(index, size, tree.root(size), previous.tree_size, previous.root)
        ]
        assert event_names(ledger, receipt) == ["CheckpointAnchored"]
        previous = Checkpoint(LOG, index, size, tree.root(size), mined_at(ledger, receipt))
        assert effect_log.latest(LOG) == previous
        anchored.append(previous)

    assert [effect_log.checkpoint_at(LOG, k) for k in range(1, 6)] == anchored
    assert effect_log.log_of(LOG) == EffectLogInfo(LOG, SECURITY, POLICY, CLAUSE, 5)
    # Any two checkpoints are consistent, not only neighbours, by the contract's own check.
    for old in anchored:
        for new in anchored:
            if old.tree_size <= new.tree_size:
                proof = tree.consistency_proof(old.tree_size, new.tree_size)
                assert effect_log.verify_consistency(
                    old.tree_size, new.tree_size, old.root, new.root, proof
                )


def test_only_the_owner_anchors(
    ledger: Ledger,
    effect_log: EffectLogContract,
    civil: Signer,
    stranger: Signer,
    opened: str,
    tree: MerkleTree,
) -> None:
    with reverts(ledger, "NotLogOwner", logId=LOG, callerId=CIVIL):
        effect_log.checkpoint(civil, LOG, 8, tree.root(8), [])
    with reverts(ledger, "NotADepartment", account=stranger.address):
        effect_log.checkpoint(stranger, LOG, 8, tree.root(8), [])
    with reverts(ledger, "LogUnknown", logId="effects.none"):
        effect_log.checkpoint(civil, "effects.none", 8, tree.root(8), [])
    with reverts(ledger, "LogUnknown", logId=ZERO_ID):
        send_checkpoint(ledger, effect_log, civil, ZERO, 8, tree.root(8))
    assert effect_log.latest(LOG).index == 0


def test_a_rewritten_entry_is_inconsistent(
    ledger: Ledger,
    effect_log: EffectLogContract,
    security: Signer,
    at8: str,
    tree: MerkleTree,
) -> None:
    for changed in (0, 3, 7):  # the first, a middle and the last anchored entry
        rewritten = entries(13)
        rewritten[changed] = b'{"entry":"rewritten"}'
        tampered = MerkleTree.from_entries(rewritten)
        assert tampered.root(8) != tree.root(8)
        for proof in (
            tampered.consistency_proof(8, 13),  # proves the tampered tree's own history
            tree.consistency_proof(8, 13),  # the honest proof from the anchored root
        ):
            with reverts(ledger, "InconsistentCheckpoint", logId=LOG, previousSize=8, newSize=13):
                effect_log.checkpoint(security, LOG, 13, tampered.root(13), proof)
            assert not verify_consistency(8, 13, tree.root(8), tampered.root(13), proof)

    reordered = entries(13)
    reordered[2], reordered[5] = reordered[5], reordered[2]
    swapped = MerkleTree.from_entries(reordered)
    with reverts(ledger, "InconsistentCheckpoint", logId=LOG, previousSize=8, newSize=13):
        effect_log.checkpoint(security, LOG, 13, swapped.root(13), swapped.consistency_proof(8, 13))

    # The honest history still goes through.
    effect_log.checkpoint(security, LOG, 13, tree.root(13), tree.consistency_proof(8, 13))
    assert effect_log.latest(LOG).tree_size == 13


def test_a_proof_must_fit_the_sizes_it_claims(
    ledger: Ledger,
    effect_log: EffectLogContract,
    security: Signer,
    at8: str,
    tree: MerkleTree,
) -> None:
    proof = tree.consistency_proof(8, 13)
    for size, root, path in [
        (13, tree.root(13), []),  # no proof at all
        (14, tree.root(14), proof),  # the proof of 13 entries for the root of 14
        (12, tree.root(12), proof),
        (13, tree.root(13), [*proof, tree.root(1)]),  # a node too many
        (13, tree.root(13), tree.consistency_proof(8, 12)),  # the proof of 12 entries
        (13, tree.root(12), proof),
    ]:
        with reverts(ledger, "InconsistentCheckpoint", logId=LOG, previousSize=8, newSize=size):
            effect_log.checkpoint(security, LOG, size, root, path)
    with reverts(ledger, "InvalidCheckpoint", logId=LOG):
        effect_log.checkpoint(security, LOG, 13, ZERO, proof)
    assert effect_log.latest(LOG).tree_size == 8

    effect_log.checkpoint(security, LOG, 13, tree.root(13), proof)
    longer = tree.consistency_proof(13, 50)
    assert len(longer) > 2
    for path in (longer[::-1], longer[:-1], longer[1:], [*longer, longer[-1]]):
        with reverts(ledger, "InconsistentCheckpoint", logId=LOG, previousSize=13, newSize=50):
            effect_log.checkpoint(security, LOG, 50, tree.root(50), path)
    effect_log.checkpoint(security, LOG, 50, tree.root(50), longer)
    assert effect_log.latest(LOG).tree_size == 50


def test_the_size_is_bound_as_far_as_the_rfc_binds_it(
    ledger: Ledger,
    effect_log: EffectLogContract,
    security: Signer,
    at8: str,
    tree: MerkleTree,
) -> None:
    """A proof binds the roots, and the sizes only as far as the path's shape does.

    From 8 entries the proof of 13 is the one node ``MTH(D[8:13])``, the same shape as
    for any size up to 16, so RFC 9162 (and this contract, and the Python verifier)
    accept the root of 13 entries claimed for 16. The owner vouches for the size as a
    log vouches for its signed tree head. The lie rewrites nothing: the phantom
    checkpoint's root still commits to the 13 real entries, and no honest tree of 16
    or more entries is consistent with it, so the log can only go on with more lies.
    """
    proof = tree.consistency_proof(8, 13)
    assert verify_consistency(8, 16, tree.root(8), tree.root(13), proof)
    receipt = effect_log.checkpoint(security, LOG, 16, tree.root(13), proof)
    assert emitted(effect_log, "CheckpointAnchored", receipt) == [
        anchored_event(2, 16, tree.root(13), 8, tree.root(8))
    ]
    for size in (20, 64):
        with reverts(ledger, "InconsistentCheckpoint", logId=LOG, previousSize=16, newSize=size):
            effect_log.checkpoint(
                security, LOG, size, tree.root(size), tree.consistency_proof(16, size)
            )


def test_a_log_never_shrinks_nor_restates_its_size(
    ledger: Ledger,
    effect_log: EffectLogContract,
    security: Signer,
    at8: str,
    tree: MerkleTree,
) -> None:
    rewritten = MerkleTree.from_entries([*entries(7), b'{"entry":"rewritten"}'])
    for size, root, proof in [
        (5, tree.root(5), tree.consistency_proof(5, 8)),  # truncation, however honest
        (1, tree.root(1), []),
        (0, EMPTY_ROOT, []),
        (8, tree.root(8), []),  # the same checkpoint again
        (8, rewritten.root(8), []),  # the same size under another root: a rewrite
    ]:
        with reverts(ledger, "TreeNotGrowing", logId=LOG, previousSize=8, newSize=size):
            effect_log.checkpoint(security, LOG, size, root, proof)
    assert effect_log.log_of(LOG).checkpoints == 1


def test_logs_are_kept_apart(
    ledger: Ledger,
    effect_log: EffectLogContract,
    security: Signer,
    civil: Signer,
    at8: str,
    tree: MerkleTree,
) -> None:
    other = MerkleTree.from_entries(entries(20, "civil"))
    receipt = effect_log.open_log(civil, "effects.civil", POLICY, CLAUSE)
    assert emitted(effect_log, "LogOpened", receipt) == [
        {"logId": "effects.civil", "ownerId": CIVIL, "policyId": POLICY, "clauseId": CLAUSE}
    ]
    first = effect_log.checkpoint(civil, "effects.civil", 20, other.root(20), [])
    assert emitted(effect_log, "CheckpointAnchored", first) == [
        anchored_event(1, 20, other.root(20), log_id="effects.civil", owner_id=CIVIL)
    ]
    # The security log's checkpoint is still its own: 8 entries, not the civil log's 20.
    with reverts(ledger, "TreeNotGrowing", logId=LOG, previousSize=8, newSize=8):
        effect_log.checkpoint(security, LOG, 8, tree.root(8), [])
    with reverts(ledger, "NotLogOwner", logId="effects.civil", callerId=SECURITY):
        effect_log.checkpoint(security, "effects.civil", 21, other.root(20), [])
    assert effect_log.latest(LOG).tree_size == 8
    assert effect_log.latest("effects.civil").tree_size == 20


def test_checkpoints_go_on_after_the_clause_lapses(
    ledger: Ledger,
    effect_log: EffectLogContract,
    security: Signer,
    issuer: Signer,
    at8: str,
    tree: MerkleTree,
) -> None:
    """Entries logged while the clause was in force must stay anchorable after it lapses."""
    ledger.policies.revoke(issuer, POLICY)
    receipt = effect_log.checkpoint(security, LOG, 13, tree.root(13), tree.consistency_proof(8, 13))
    assert emitted(effect_log, "CheckpointAnchored", receipt) == [
        anchored_event(2, 13, tree.root(13), 8, tree.root(8))
    ]


# -- views -------------------------------------------------------------------------


def test_checkpoint_index_out_of_range(
    ledger: Ledger, effect_log: EffectLogContract, opened: str, at8: str
) -> None:
    for index in (0, 2, MAX_INDEX):
        with reverts(ledger, "CheckpointOutOfRange", logId=LOG, index=index, checkpoints=1):
            effect_log.checkpoint_at(LOG, index)


def test_views_of_an_unknown_log(ledger: Ledger, effect_log: EffectLogContract) -> None:
    for view in (effect_log.latest, effect_log.log_of):
        with reverts(ledger, "LogUnknown", logId="effects.none"):
            view("effects.none")
    with reverts(ledger, "LogUnknown", logId="effects.none"):
        effect_log.checkpoint_at("effects.none", 1)


def test_wrapper_refuses_malformed_values(effect_log: EffectLogContract, security: Signer) -> None:
    with pytest.raises(ValueError, match="root must be 32 bytes"):
        effect_log.checkpoint(security, LOG, 1, b"\x01" * 31, [])
    with pytest.raises(ValueError, match="consistency proof node must be 32 bytes"):
        effect_log.checkpoint(security, LOG, 2, b"\x01" * 32, [b"\x02"])
    with pytest.raises(ValueError, match="tree size"):
        effect_log.checkpoint(security, LOG, 2**64, b"\x01" * 32, [])
    with pytest.raises(ValueError, match="old size"):
        effect_log.verify_consistency(-1, 1, EMPTY_ROOT, EMPTY_ROOT, [])


# -- verifyConsistency: the contract decides as the Python verifier does ------------

#: Honest trees up to 200 leaves share this one: roots and proofs for every prefix.
TREE_200 = synthetic_tree(200)


def test_verify_consistency_edge_cases_agree(effect_log: EffectLogContract) -> None:
    r5, r6 = TREE_200.root(5), TREE_200.root(6)
    top = 2**256 - 1
    cases: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, []),
        (0, 0, r5, r5, []),  # equal sizes: only the roots are compared
        (0, 5, EMPTY_ROOT, r5, []),  # the empty tree is a prefix of every tree
        (0, 5, r5, r5, []),
        (0, 5, EMPTY_ROOT, r5, [r5]),
        (5, 5, r5, r5, []),
        (5, 5, r5, r6, []),
        (5, 5, r5, r5, [r5]),
        (6, 5, r6, r5, TREE_200.consistency_proof(5, 6)),  # a shrinking tree
        (5, 6, r5, r6, []),
        (5, 6, r5, r6, TREE_200.consistency_proof(5, 6)),
        (4, 6, TREE_200.root(4), r6, TREE_200.consistency_proof(4, 6)),  # power of two
        (top, top, r5, r5, []),
        (1, top, r5, r6, [r5] * 3),
        (top - 1, top, r5, r6, [r5] * 300),  # sn reaches 0 before the path ends
    ]
    for old, new, old_root, new_root, proof in cases:
        expected = verify_consistency(old, new, old_root, new_root, proof)
        assert effect_log.verify_consistency(old, new, old_root, new_root, proof) is expected, (
            old,
            new,
        )


def flip(value: bytes, bit: int) -> bytes:
    as_int = int.from_bytes(value, "big") ^ (1 << bit)
    return as_int.to_bytes(32, "big")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), new=st.integers(1, 200))
def test_verify_consistency_agrees_with_python(
    effect_log: EffectLogContract, data: st.DataObject, new: int
) -> None:
    old = data.draw(st.integers(1, new), label="old")
    old_root, new_root = TREE_200.root(old), TREE_200.root(new)
    proof = TREE_200.consistency_proof(old, new)

    def on_chain(*args: Any) -> bool:
        return bool(effect_log.contract.functions.verifyConsistency(*args).call())

    # The honest proof holds, on chain as in Python.
    assert on_chain(old, new, old_root, new_root, proof) is True
    assert verify_consistency(old, new, old_root, new_root, proof) is True

    # One flipped bit, in a proof node or in either root, breaks it in both.
    values = [old_root, new_root, *proof]
    target = data.draw(st.integers(0, len(values) - 1), label="target")
    bit = data.draw(st.integers(0, 255), label="bit")
    values[target] = flip(values[target], bit)
    args = (old, new, values[0], values[1], values[2:])
    assert on_chain(*args) is verify_consistency(*args) is False

    # The honest proof claimed for other sizes: both decide alike, whatever they decide.
    claimed_old = data.draw(st.integers(0, 200), label="claimed old")
    claimed_new = data.draw(st.integers(0, 200), label="claimed new")
    args = (claimed_old, claimed_new, old_root, new_root, proof)
    assert on_chain(*args) is verify_consistency(*args)


# -- gas -----------------------------------------------------------------------------


@pytest.mark.parametrize("scale", ["thousand", "million"])
def test_checkpoint_gas(
    request: pytest.FixtureRequest,
    effect_log: EffectLogContract,
    security: Signer,
    opened: str,
    scale: str,
) -> None:
    """The gas of checkpoint transactions over ~10^3 and ~10^6 entries (``pytest -s`` prints it).

    The proof grows with log2 of the size, so the cost barely does; the bound only
    guards against a storage layout grown by accident.
    """
    big = synthetic_tree(1_000) if scale == "thousand" else request.getfixturevalue("million")
    n = big.size
    steps = [n - n // 3 - 1, n - 1, n]  # first; then an odd old size; then one entry more
    assert len(set(steps)) == 3
    previous = 0
    for step in steps:
        proof = big.consistency_proof(previous, step)
        receipt = effect_log.checkpoint(security, LOG, step, big.root(step), proof)
        gas = int(receipt["gasUsed"])
        print(f"checkpoint {previous:,} -> {step:,}, proof of {len(proof)} nodes: {gas:,} gas")
        assert 0 < gas < 150_000
        previous = step
    assert effect_log.latest(LOG).tree_size == n
    # A proof across the whole range, from the first checkpoint to the last.
    first = steps[0]
    assert effect_log.verify_consistency(
        first, n, big.root(first), big.root(n), big.consistency_proof(first, n)
    )
