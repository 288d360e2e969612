"""RFC 9162 Merkle trees: reference vectors, an independent naive model, properties."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.effects.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

# -- an independent model, written straight from the RFC's definitions ---------------
#
# RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF), on Python
# lists of entries, with no caching and no index arithmetic beyond the split point.


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: Sequence[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _sha(b"")
    if n == 1:
        return _sha(b"\x00" + d[0])
    k = _k(n)
    return _sha(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:]))


def naive_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*naive_path(m, d[:k]), naive_mth(d[k:])]
    return [*naive_path(m - k, d[k:]), naive_mth(d[:k])]


def naive_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [naive_mth(d)]
    k = _k(n)
    if m <= k:
        return [*naive_subproof(m, d[:k], b), naive_mth(d[k:])]
    return [*naive_subproof(m - k, d[k:], False), naive_mth(d[:k])]


def naive_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    return naive_subproof(m, d, True)


def naive_directions(m: int, n: int) -> list[bool]:
    """For PATH(m, D[n]), leaf side first: is each sibling on the left?"""
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*naive_directions(m, k), False]
    return [*naive_directions(m - k, n - k), True]


# -- fixtures --------------------------------------------------------------------------

#: The eight leaves of certificate-transparency-go's merkle tests (RFC 6962 vectors).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

MAX_N = 70
ENTRIES = [f"entry-{i}".encode() for i in range(MAX_N)]
HASHES = [leaf_hash(e) for e in ENTRIES]
TREE = MerkleTree(HASHES)
ROOTS = [TREE.root(n) for n in range(MAX_N + 1)]


def flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# -- hashing and vectors ---------------------------------------------------------------


def test_hash_definitions() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert (
        node_hash(b"l" * 32, b"r" * 32) == hashlib.sha256(b"\x01" + b"l" * 32 + b"r" * 32).digest()
    )


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root([]) == EMPTY_ROOT
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert MerkleTree().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_rfc6962_reference_roots(size: int) -> None:
    assert root(CT_LEAVES[:size]).hex() == CT_ROOTS[size - 1]
    assert MerkleTree.from_entries(CT_LEAVES).root(size).hex() == CT_ROOTS[size - 1]


def test_rfc_seven_leaf_examples() -> None:
    """The worked examples of RFC 9162 §2.1.5 (RFC 6962 §2.1.3), tree of seven leaves."""
    d = CT_LEAVES[:7]
    a, b, c, dd, e, f, j = (leaf_hash(x) for x in d)
    g, h, i = node_hash(a, b), node_hash(c, dd), node_hash(e, f)
    k, ll = node_hash(g, h), node_hash(i, j)
    assert root(d) == node_hash(k, ll)
    hashes = [leaf_hash(x) for x in d]
    assert inclusion_proof(hashes, 0) == [b, h, ll]
    assert inclusion_proof(hashes, 3) == [c, g, ll]
    assert inclusion_proof(hashes, 4) == [f, j, k]
    assert inclusion_proof(hashes, 6) == [i, k]
    assert consistency_proof(hashes, 3) == [c, dd, g, ll]
    assert consistency_proof(hashes, 4) == [ll]
    assert consistency_proof(hashes, 6) == [i, j, k]


# -- agreement with the naive model ----------------------------------------------------


def test_roots_match_naive_model() -> None:
    for n in range(MAX_N + 1):
        assert ROOTS[n] == naive_mth(ENTRIES[:n]) == root(ENTRIES[:n])


def test_inclusion_proofs_match_naive_model() -> None:
    for n in range(1, 65):
        for m in range(n):
            expected = naive_path(m, ENTRIES[:n])
            assert TREE.inclusion_proof(m, n) == expected
            assert inclusion_proof(HASHES[:n], m) == expected


def test_consistency_proofs_match_naive_model() -> None:
    for n in range(1, 65):
        for m in range(1, n + 1):
            expected = naive_proof(m, ENTRIES[:n])
            assert TREE.consistency_proof(m, n) == expected
            assert consistency_proof(HASHES[:n], m) == expected


def test_consistency_from_empty_tree_is_empty() -> None:
    assert TREE.consistency_proof(0, 5) == []
    assert verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    assert not verify_consistency(0, 5, ROOTS[1], ROOTS[5], [])


# -- exhaustive verification ----------------------------------------------------------


def test_every_inclusion_proof_verifies() -> None:
    for n in range(1, MAX_N + 1):
        for m in range(n):
            proof = TREE.inclusion_proof(m, n)
            assert verify_inclusion(HASHES[m], m, n, proof, ROOTS[n]), (m, n)


def test_every_consistency_proof_verifies() -> None:
    for n in range(MAX_N + 1):
        for m in range(n + 1):
            proof = TREE.consistency_proof(m, n)
            assert verify_consistency(m, n, ROOTS[m], ROOTS[n], proof), (m, n)


def test_inclusion_with_wrong_index_fails() -> None:
    for n in range(1, 40):
        for m in range(n):
            proof = TREE.inclusion_proof(m, n)
            for other in range(n + 2):
                if other != m:
                    assert not verify_inclusion(HASHES[m], other, n, proof, ROOTS[n])


def test_inclusion_with_wrong_size_fails_unless_the_shape_is_identical() -> None:
    """The size is not hashed into the proof: another size whose path has the very same
    left/right shape checks, by design of the RFC, and no other does."""
    for n in range(1, 40):
        for m in range(n):
            proof = TREE.inclusion_proof(m, n)
            for other in range(1, 48):
                if other == n:
                    continue
                same_shape = m < other and naive_directions(m, other) == naive_directions(m, n)
                assert verify_inclusion(HASHES[m], m, other, proof, ROOTS[n]) == same_shape


def test_consistency_with_other_sizes_fails() -> None:
    for n in range(1, 34):
        for m in range(1, n):
            proof = TREE.consistency_proof(m, n)
            for other in range(1, n):
                if other != m:
                    assert not verify_consistency(other, n, ROOTS[other], ROOTS[n], proof)
            assert not verify_consistency(m, n + 1, ROOTS[m], ROOTS[n + 1], proof)
            assert not verify_consistency(m, n, ROOTS[m], ROOTS[n - 1], proof)
            assert not verify_consistency(m, n, ROOTS[m - 1], ROOTS[n], proof)


def test_consistency_wrong_length_fails() -> None:
    for n in range(2, 34):
        for m in range(1, n):
            proof = TREE.consistency_proof(m, n)
            assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], proof[:-1])
            assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], [*proof, ROOTS[n]])
            assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], [ROOTS[m], *proof])


def test_equal_sizes() -> None:
    assert verify_consistency(5, 5, ROOTS[5], ROOTS[5], [])
    assert not verify_consistency(5, 5, ROOTS[5], ROOTS[4], [])
    assert not verify_consistency(5, 5, ROOTS[5], ROOTS[5], [ROOTS[5]])


# -- property tests --------------------------------------------------------------------


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(1, MAX_N))
    return n, draw(st.integers(0, n - 1))


@st.composite
def sizes(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(2, MAX_N))
    return draw(st.integers(1, n - 1)), n


@settings(max_examples=300, deadline=None)
@given(tree_and_index(), st.data())
def test_flipping_any_bit_breaks_inclusion(case: tuple[int, int], data: st.DataObject) -> None:
    n, m = case
    proof = TREE.inclusion_proof(m, n)
    bit = data.draw(st.integers(0, 255))
    assert not verify_inclusion(flip(HASHES[m], bit), m, n, proof, ROOTS[n])
    assert not verify_inclusion(HASHES[m], m, n, proof, flip(ROOTS[n], bit))
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        bad = [*proof[:at], flip(proof[at], bit), *proof[at + 1 :]]
        assert not verify_inclusion(HASHES[m], m, n, bad, ROOTS[n])


@settings(max_examples=300, deadline=None)
@given(sizes(), st.data())
def test_flipping_any_bit_breaks_consistency(case: tuple[int, int], data: st.DataObject) -> None:
    m, n = case
    proof = TREE.consistency_proof(m, n)
    bit = data.draw(st.integers(0, 255))
    assert not verify_consistency(m, n, flip(ROOTS[m], bit), ROOTS[n], proof)
    assert not verify_consistency(m, n, ROOTS[m], flip(ROOTS[n], bit), proof)
    at = data.draw(st.integers(0, len(proof) - 1))
    bad = [*proof[:at], flip(proof[at], bit), *proof[at + 1 :]]
    assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], bad)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=40), st.data())
def test_arbitrary_entries(entries: list[bytes], data: st.DataObject) -> None:
    hashes = [leaf_hash(e) for e in entries]
    r = root(entries)
    assert r == naive_mth(entries)
    m = data.draw(st.integers(0, len(entries) - 1))
    assert verify_inclusion(hashes[m], m, len(entries), inclusion_proof(hashes, m), r)
    old = data.draw(st.integers(0, len(entries)))
    proof = consistency_proof(hashes, old)
    assert verify_consistency(old, len(entries), root(entries[:old]), r, proof)


# -- the tree ---------------------------------------------------------------------------


def test_tree_grows_incrementally() -> None:
    tree = MerkleTree()
    for i, entry in enumerate(ENTRIES):
        assert tree.append(entry) == i
        assert tree.size == len(tree) == i + 1
        assert tree.root() == ROOTS[i + 1]
        assert tree.leaf_hash_at(i) == HASHES[i]


def test_large_tree_answers_any_size() -> None:
    n = 5000
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    tree = MerkleTree(hashes)
    for size in (1, 2, 3, 1000, 1024, 4097, n):
        r = tree.root(size)
        assert r == naive_root_of_hashes(hashes[:size])
        for index in (0, size // 2, size - 1):
            assert verify_inclusion(
                hashes[index], index, size, tree.inclusion_proof(index, size), r
            )
        old = size // 3
        assert verify_consistency(old, size, tree.root(old), r, tree.consistency_proof(old, size))


def naive_root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = _k(len(hashes))
    return node_hash(naive_root_of_hashes(hashes[:k]), naive_root_of_hashes(hashes[k:]))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: TREE.inclusion_proof(5, 5), "leaf index"),
        (lambda: TREE.inclusion_proof(-1), "leaf index"),
        (lambda: TREE.root(MAX_N + 1), "tree size"),
        (lambda: TREE.consistency_proof(6, 5), "old size"),
        (lambda: TREE.consistency_proof(-1), "old size"),
        (lambda: MerkleTree([b"short"]), "32 bytes"),
        (lambda: inclusion_proof([], 0), "leaf index"),
    ],
)
def test_impossible_requests_raise(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    "args",
    [
        (HASHES[0], -1, 1, [], ROOTS[1]),
        (HASHES[0], 0, -1, [], ROOTS[1]),
        (HASHES[0], 0, 0, [], EMPTY_ROOT),
        (HASHES[0], 1, 1, [], ROOTS[1]),
        (HASHES[0][:31], 0, 1, [], ROOTS[1]),
        (HASHES[0], 0, 1, [], "not bytes"),
        (HASHES[0], 0, 2, [b"x"], ROOTS[2]),
        (HASHES[0], True, 2, [HASHES[1]], ROOTS[2]),
    ],
)
def test_nonsense_inclusion_is_false(args: tuple[object, ...]) -> None:
    assert verify_inclusion(*args) is False  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "args",
    [
        (-1, 2, ROOTS[0], ROOTS[2], []),
        (1, -2, ROOTS[1], ROOTS[2], []),
        (3, 2, ROOTS[3], ROOTS[2], []),
        (1, 2, ROOTS[1], ROOTS[2], []),
        (1, 2, ROOTS[1], ROOTS[2], ["nope"]),
        (1, 2, None, ROOTS[2], [HASHES[1]]),
    ],
)
def test_nonsense_consistency_is_false(args: tuple[object, ...]) -> None:
    assert verify_consistency(*args) is False  # type: ignore[arg-type]


def test_verification_needs_nothing_but_the_rfc() -> None:
    """A single-leaf tree: the leaf hash is the root and the proof is empty."""
    assert verify_inclusion(HASHES[0], 0, 1, [], ROOTS[1])
    assert ROOTS[1] == HASHES[0]


# -- cross-check with pymerkle (a third-party RFC 9162 implementation) ------------------


def test_agrees_with_pymerkle() -> None:
    pymerkle = pytest.importorskip("pymerkle")
    theirs = pymerkle.InmemoryTree(algorithm="sha256")
    for entry in ENTRIES:
        theirs.append_entry(entry)
    for n in range(1, MAX_N + 1):
        assert theirs.get_root(n) == ROOTS[n]
        for m in range(n):
            # pymerkle's path starts with the leaf itself, then the RFC's PATH.
            their_proof = theirs.prove_inclusion(m + 1, n)
            assert their_proof.path == [HASHES[m], *TREE.inclusion_proof(m, n)]
        for m in range(1, n):
            # pymerkle lays consistency paths out its own way (its own node choice and
            # rule): its proofs must still check against the roots computed here.
            pymerkle.verify_consistency(ROOTS[m], ROOTS[n], theirs.prove_consistency(m, n))
