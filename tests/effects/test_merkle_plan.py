"""Proof planning by node id, compact ranges and appends, against the RFC's own recursion.

Two independent references:

- for trees small enough to hold, the naive model of ``test_merkle`` (RFC 9162's
  ``MTH``/``PATH``/``PROOF`` on lists of entries, no node ids at all);
- for any size up to 2**48, a *sparse* tree: every leaf is the same hash except a few
  chosen ones, so the hash of any complete subtree is cheap to compute
  (:class:`SparseTree`), and roots follow the RFC's split recursion, not compact
  ranges.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.effects.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    CompactRange,
    MerkleTree,
    NodeID,
    ProofBuilder,
    ProofNodes,
    appended_nodes,
    consistency_nodes,
    inclusion_nodes,
    leaf_hash,
    node_hash,
    parent_hashes,
    range_nodes,
    root_from_leaf_hashes,
    root_nodes,
    verify_consistency,
    verify_inclusion,
)
from ledger.errors import LedgerValueError
from tests.effects.test_merkle import (
    ENTRIES,
    HASHES,
    MAX_N,
    TREE,
    _k,
    naive_directions,
    naive_mth,
    naive_path,
    naive_proof,
)

BIG = 2**48


class SparseTree:
    """A tree whose leaves are all ``leaf_hash(b"")`` except the ``special`` ones.

    A complete subtree without a special leaf hashes to the same value at each level
    (``_plain``); one with a special leaf is hashed from its two halves, so a node
    costs O(level * specials) hashes whatever the tree's size.
    """

    def __init__(self, special: Sequence[int]) -> None:
        self.special = sorted(set(special))
        self._plain = [leaf_hash(b"")]
        for _ in range(64):
            self._plain.append(node_hash(self._plain[-1], self._plain[-1]))
        self._memo: dict[tuple[int, int], bytes] = {}

    def leaf(self, index: int) -> bytes:
        if index in self.special:
            return leaf_hash(index.to_bytes(8, "big"))
        return self._plain[0]

    def node(self, level: int, index: int) -> bytes:
        lo, hi = index << level, (index + 1) << level
        if not any(lo <= s < hi for s in self.special):
            return self._plain[level]
        if level == 0:
            return self.leaf(index)
        key = (level, index)
        if key not in self._memo:
            self._memo[key] = node_hash(
                self.node(level - 1, 2 * index), self.node(level - 1, 2 * index + 1)
            )
        return self._memo[key]

    def fetch(self, ids: Sequence[NodeID]) -> list[bytes]:
        return [self.node(level, index) for level, index in ids]

    def mth(self, lo: int, hi: int) -> bytes:
        """``MTH(D[lo:hi])`` by the RFC's split (for ranges its recursion reaches)."""
        width = hi - lo
        if width == 0:
            return EMPTY_ROOT
        if width & (width - 1) == 0:
            level = width.bit_length() - 1
            assert lo % width == 0
            return self.node(level, lo >> level)
        k = _k(width)
        return node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))


def naive_directions_consistency(m: int, n: int) -> int:
    """The number of hashes in RFC 9162 ``PROOF(m, D[n])`` (0 < m <= n), by recursion."""

    def sub(m: int, n: int, b: bool) -> int:
        if m == n:
            return 0 if b else 1
        k = _k(n)
        return sub(m, k, b) + 1 if m <= k else sub(m - k, n - k, False) + 1

    return sub(m, n, True)


def assert_nodes_of_tree(plan: ProofNodes, size: int) -> None:
    """Every planned id is a complete subtree of the tree, and none is asked twice."""
    for level, index in plan.ids:
        assert level >= 0 and index >= 0
        assert (index + 1) << level <= size
    assert len(set(plan.ids)) == len(plan.ids)
    assert 0 <= plan.begin <= plan.end <= len(plan.ids)
    assert plan.end - plan.begin != 1  # a run of one would be a complete subtree


@st.composite
def big_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.one_of(st.integers(1, 300), st.integers(1, BIG)))
    return size, draw(st.integers(0, size - 1))


@st.composite
def big_sizes(draw: st.DrawFn) -> tuple[int, int]:
    new = draw(st.one_of(st.integers(1, 300), st.integers(1, BIG)))
    return draw(st.integers(0, new)), new


# -- compact ranges ---------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.integers(0, BIG), st.integers(0, BIG))
def test_range_nodes_cover_the_range_with_maximal_aligned_subtrees(a: int, b: int) -> None:
    begin, end = min(a, b), max(a, b)
    nodes = range_nodes(begin, end)
    at = begin
    for level, index in nodes:
        assert index << level == at  # contiguous, left to right
        at += 1 << level
        # maximal: the next level up is misaligned or passes the end
        assert index % 2 == 1 or at + (1 << level) > end
    assert at == end
    if begin == 0:
        assert [level for level, _ in nodes] == [
            bit for bit in reversed(range(end.bit_length())) if end >> bit & 1
        ]


@pytest.mark.parametrize(("begin", "end"), [(3, 2), (-1, 2), (0, True)])
def test_range_nodes_refuse_what_is_not_a_range(begin: int, end: int) -> None:
    with pytest.raises(LedgerValueError, match="is not a range of leaves"):
        range_nodes(begin, end)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=32, max_size=32), max_size=200))
def test_the_compact_range_root_equals_the_tree_hash_after_every_append(
    leaves: list[bytes],
) -> None:
    acc = CompactRange()
    assert (acc.size, acc.root(), acc.ids(), acc.hashes()) == (0, EMPTY_ROOT, [], [])
    tree = MerkleTree()
    for i, leaf in enumerate(leaves, start=1):
        acc.append(leaf)
        tree.append_leaf_hash(leaf)
        assert acc.size == i
        assert acc.root() == root_from_leaf_hashes(leaves[:i]) == tree.root()
        assert acc.ids() == range_nodes(0, i)
        assert acc.hashes() == tree.nodes(acc.ids())


def test_the_compact_range_takes_only_leaf_hashes() -> None:
    acc = CompactRange()
    with pytest.raises(LedgerValueError, match="a leaf hash must be 32 bytes"):
        acc.append(b"short")
    assert acc.size == 0


# -- planning: exact proofs for trees held in full ----------------------------------------


def test_planned_proofs_equal_the_naive_model_for_every_small_tree() -> None:
    for n in range(1, 65):
        assert root_nodes(n).rehash(TREE.nodes(root_nodes(n).ids)) == [naive_mth(ENTRIES[:n])]
        for m in range(n):
            plan = inclusion_nodes(m, n)
            assert plan.rehash(TREE.nodes(plan.ids)) == naive_path(m, ENTRIES[:n])
        for m in range(1, n + 1):
            plan = consistency_nodes(m, n)
            assert plan.rehash(TREE.nodes(plan.ids)) == naive_proof(m, ENTRIES[:n])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, MAX_N), st.data())
def test_planned_nodes_fetched_from_the_tree_verify(n: int, data: st.DataObject) -> None:
    builder = ProofBuilder(n, TREE.nodes)
    r = builder.root()
    assert r == naive_mth(ENTRIES[:n])
    m = data.draw(st.integers(0, n - 1))
    plan = inclusion_nodes(m, n)
    assert_nodes_of_tree(plan, n)
    assert m not in [index for level, index in plan.ids if level == 0]
    assert verify_inclusion(HASHES[m], m, n, plan.rehash(TREE.nodes(plan.ids)), r)
    old = data.draw(st.integers(0, n))
    plan = consistency_nodes(old, n)
    assert_nodes_of_tree(plan, n)
    proof = plan.rehash(TREE.nodes(plan.ids))
    assert proof == builder.consistency_proof(old)
    assert verify_consistency(old, n, ProofBuilder(old, TREE.nodes).root(), r, proof)


# -- planning: any size, any index -----------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(big_index(), st.data())
def test_any_inclusion_plan_verifies(case: tuple[int, int], data: st.DataObject) -> None:
    size, index = case
    others = data.draw(st.lists(st.integers(0, size - 1), max_size=3))
    tree = SparseTree([index, *others])
    plan = inclusion_nodes(index, size)
    assert_nodes_of_tree(plan, size)
    proof = ProofBuilder(size, tree.fetch).inclusion_proof(index)
    assert proof == plan.rehash(tree.fetch(plan.ids))
    assert len(proof) == len(naive_directions(index, size))
    assert verify_inclusion(tree.leaf(index), index, size, proof, tree.mth(0, size))
    if proof:  # the planned nodes are the ones that matter
        at = data.draw(st.integers(0, len(proof) - 1))
        bad = [*proof[:at], node_hash(proof[at], proof[at]), *proof[at + 1 :]]
        assert not verify_inclusion(tree.leaf(index), index, size, bad, tree.mth(0, size))


@settings(max_examples=400, deadline=None)
@given(big_sizes(), st.data())
def test_any_consistency_plan_verifies(case: tuple[int, int], data: st.DataObject) -> None:
    old, new = case
    near = [max(0, old - 1), min(new - 1, old)]
    others = data.draw(st.lists(st.integers(0, new - 1), max_size=3))
    tree = SparseTree([*near, *others])
    plan = consistency_nodes(old, new)
    assert_nodes_of_tree(plan, new)
    proof = ProofBuilder(new, tree.fetch).consistency_proof(old)
    assert proof == plan.rehash(tree.fetch(plan.ids))
    if old in (0, new):
        assert plan == ProofNodes(()) and proof == []
    else:
        assert len(proof) == naive_directions_consistency(old, new)
    old_root, new_root = tree.mth(0, old), tree.mth(0, new)
    assert ProofBuilder(old, tree.fetch).root() == old_root
    assert ProofBuilder(new, tree.fetch).root() == new_root
    assert verify_consistency(old, new, old_root, new_root, proof)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        bad = [*proof[:at], node_hash(proof[at], proof[at]), *proof[at + 1 :]]
        assert not verify_consistency(old, new, old_root, new_root, bad)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, BIG), st.lists(st.integers(0, BIG), max_size=3))
def test_any_root_plan_folds_to_the_tree_hash(size: int, special: list[int]) -> None:
    tree = SparseTree([s for s in special if s < size])
    plan = root_nodes(size)
    assert plan.ids == tuple(range_nodes(0, size))
    assert ProofBuilder(size, tree.fetch).root() == tree.mth(0, size)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: inclusion_nodes(5, 5), "leaf index 5 is outside a tree of 5 leaves"),
        (lambda: inclusion_nodes(-1, 5), "leaf index -1 is outside a tree of 5 leaves"),
        (lambda: inclusion_nodes(0, -1), "tree size -1 must be a non-negative integer"),
        (lambda: consistency_nodes(6, 5), "old size 6 must be between 0 and the new size 5"),
        (lambda: consistency_nodes(True, 5), "old size True must be between 0 and"),
        (lambda: root_nodes(-2), "tree size -2 must be a non-negative integer"),
        (lambda: ProofBuilder(-1, TREE.nodes), "tree size -1 must be a non-negative integer"),
        (lambda: ProofBuilder(4, lambda ids: []).root(), "expected 1 node hashes, got 0"),
        (lambda: TREE.nodes([NodeID(0, MAX_N)]), f"holds no node {MAX_N} at level 0"),
        (lambda: TREE.leaf_hash_at(MAX_N), f"leaf index {MAX_N} is outside"),
    ],
)
def test_impossible_plans_raise(call: object, message: str) -> None:
    with pytest.raises(LedgerValueError, match=message):
        call()  # type: ignore[operator]


def test_the_empty_tree_needs_no_nodes() -> None:
    def refuse(ids: Sequence[NodeID]) -> list[bytes]:
        raise AssertionError(f"fetched {ids}")

    builder = ProofBuilder(0, refuse)
    assert builder.root() == EMPTY_ROOT
    assert builder.consistency_proof(0) == []
    assert root_nodes(0) == ProofNodes(())


# -- appends ----------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=8))
def test_appended_nodes_build_every_complete_subtree_once(batches: list[int]) -> None:
    stored: dict[NodeID, bytes] = {}
    leaves = [leaf_hash(b"%d" % i) for i in range(sum(batches))]
    fetched: list[NodeID] = []

    def fetch(ids: Sequence[NodeID]) -> list[bytes]:
        fetched.extend(ids)
        return [stored[i] for i in ids]  # only nodes stored before may be asked for

    size = 0
    for count in batches:
        fetched.clear()
        batch = b"".join(leaves[size : size + count])
        for level, first, nodes in appended_nodes(size, batch, fetch):
            assert first == size >> level  # right after the stored ones
            assert len(nodes) == (((size + count) >> level) - first) * HASH_SIZE
            for offset in range(0, len(nodes), HASH_SIZE):
                node = NodeID(level, first + offset // HASH_SIZE)
                assert node not in stored
                stored[node] = nodes[offset : offset + HASH_SIZE]
        # one left sibling per level whose first new node is a right child, nothing else
        assert fetched == [
            NodeID(level, (size >> level) - 1)
            for level in range((size + count).bit_length())
            if (size + count) >> level > size >> level and (size >> level) & 1
        ]
        size += count
    assert len(stored) == sum(size >> level for level in range(size.bit_length()))
    reference = MerkleTree(leaves)
    for node, digest in stored.items():
        assert reference.nodes([node]) == [digest]
        lo, hi = node.position << node.level, (node.position + 1) << node.level
        assert digest == root_from_leaf_hashes(leaves[lo:hi])


def test_appended_nodes_refuse_partial_hashes() -> None:
    with pytest.raises(LedgerValueError, match="cannot append 33 bytes of leaf hashes"):
        list(appended_nodes(0, b"x" * 33, TREE.nodes))


def test_parent_hashes_pair_aligned_nodes() -> None:
    a, b, c = HASHES[:3]
    assert parent_hashes(a + b + c) == node_hash(a, b)
    assert parent_hashes(a + b + c + a) == node_hash(a, b) + node_hash(c, a)
    assert parent_hashes(a) == b""
