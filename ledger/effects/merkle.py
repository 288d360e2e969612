"""RFC 9162 (Certificate Transparency v2) Merkle trees: hashing, proof planning, verification.

This module is the one home of the log's tree arithmetic. Storage (the on-disk
:class:`ledger.effects.store.EffectStore`, the in-memory :class:`MerkleTree`) only
keeps and fetches node hashes by id; what to hash, which nodes a root or a proof is
made of, and how to check a proof is decided here.

Definitions (RFC 9162 §2.1.1), with ``HASH`` = SHA-256 and ``||`` concatenation:

- the hash of an empty tree is ``HASH()`` (SHA-256 of the empty string);
- a leaf hash is ``HASH(0x00 || entry)`` (:func:`leaf_hash`);
- an inner node is ``HASH(0x01 || left || right)`` (:func:`node_hash`);
- a tree of ``n > 1`` leaves splits at ``k``, the largest power of two smaller
  than ``n``: ``MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``.

Node ids. A :class:`NodeID` ``(level, position)`` names the complete, aligned subtree
of ``2**level`` leaves ``[position << level, (position + 1) << level)``; level 0 holds the
leaf hashes. A tree of ``n`` leaves has ``n >> level`` such nodes at each level, and
they never change as the tree grows, so they are what storage keeps.

Compact ranges. The leaves ``[begin, end)`` are covered by a shortest list of such
nodes (:func:`range_nodes`). For ``[0, n)`` that is one node per set bit of ``n``,
largest first, and ``MTH(D[n])`` is those nodes folded from the right;
:class:`CompactRange` keeps exactly them while leaves are appended.

Proof planning (the shape of tessera's ``client.ProofBuilder``). A proof element
that is not a complete subtree (at most one per proof: the one at the tree's right
edge) is the fold of a compact range. :func:`inclusion_nodes`,
:func:`consistency_nodes` and :func:`root_nodes` return a :class:`ProofNodes`: the
node ids to fetch and which run of them folds into one hash.
:class:`ProofBuilder` fetches the ids through a callable and rehashes them into the
proof.

Proofs are lists of 32-byte node hashes, ordered as RFC 9162 §2.1.3.1 (``PATH``,
inclusion) and §2.1.4.1 (``PROOF``/``SUBPROOF``, consistency) define them: the node
nearest the leaf (or the old tree) first. Leaf indices count from zero.

Planning and generation raise :class:`~ledger.errors.LedgerValueError` for
impossible requests (an index outside the tree, an old size larger than the tree, a
leaf hash that is not 32 bytes). Verification never raises:
:func:`verify_inclusion` and :func:`verify_consistency` follow the RFC's algorithms
(§2.1.3.2, §2.1.4.2) step by step and return ``False`` for any proof that does not
check, and also for nonsense arguments (negative sizes, an index outside the tree,
values that are not bytes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from hmac import compare_digest
from typing import NamedTuple

from ledger.errors import LedgerValueError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "CompactRange",
    "MerkleTree",
    "NodeFetcher",
    "NodeID",
    "ProofBuilder",
    "ProofNodes",
    "appended_nodes",
    "consistency_nodes",
    "consistency_proof",
    "inclusion_nodes",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "parent_hashes",
    "range_nodes",
    "root",
    "root_from_leaf_hashes",
    "root_nodes",
    "verify_consistency",
    "verify_inclusion",
]

#: Size in bytes of every hash in the tree (SHA-256).
HASH_SIZE = 32

#: ``MTH({})``: the root of the empty tree, SHA-256 of the empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


# -- hashing ------------------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """``SHA-256(0x00 || entry)``: the hash of one log entry as a leaf."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(entry)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an inner node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def parent_hashes(nodes: bytes) -> bytes:
    """The :func:`node_hash` of each aligned pair of 32-byte nodes, concatenated.

    ``nodes`` is a run of sibling nodes starting with a left child; an odd last node
    has no parent yet and is ignored.
    """
    size = HASH_SIZE
    return b"".join(
        node_hash(nodes[i : i + size], nodes[i + size : i + 2 * size])
        for i in range(0, len(nodes) - size, 2 * size)
    )


def _fold(parts: Sequence[bytes]) -> bytes:
    """The nodes of a compact range ``[lo, hi)`` (largest first) folded from the right.

    That is ``MTH(D[lo:hi])`` whenever ``lo`` is a multiple of the largest power of two
    not below ``hi - lo``, as for every subtree the RFC's recursion reaches.
    """
    digest = parts[-1]
    for left in reversed(parts[:-1]):
        digest = node_hash(left, digest)
    return digest


def root(entries: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (root) of a list of entries; ``EMPTY_ROOT`` for none."""
    acc = CompactRange()
    for entry in entries:
        acc.append(leaf_hash(entry))
    return acc.root()


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """The Merkle tree hash of a tree whose leaf hashes are already computed."""
    acc = CompactRange()
    for digest in hashes:
        acc.append(digest)
    return acc.root()


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 9162 ``PATH(index, D[n])`` for the tree of all ``leaf_hashes``."""
    return MerkleTree(leaf_hashes).inclusion_proof(index)


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """RFC 9162 ``PROOF(old_size, D[n])`` from the first ``old_size`` leaves to all of them.

    The proof is empty when ``old_size`` is 0 or equal to the tree size.
    """
    return MerkleTree(leaf_hashes).consistency_proof(old_size)


# -- node ids and compact ranges ----------------------------------------------------


class NodeID(NamedTuple):
    """The complete subtree of ``2**level`` leaves starting at leaf ``position << level``."""

    level: int
    position: int


#: Fetches node hashes by id, in the order asked (storage's one job for proofs).
NodeFetcher = Callable[[Sequence[NodeID]], Sequence[bytes]]

# ``NodeID(level, position)`` without the NamedTuple constructor's Python-level call:
# planning makes ~20 ids per proof, and this halves what they cost.
_new_tuple = tuple.__new__


def range_nodes(begin: int, end: int) -> list[NodeID]:
    """The compact range of leaves ``[begin, end)``: the fewest complete subtrees covering it.

    Left to right; each node is the largest aligned subtree that starts where the
    previous one ended and does not pass ``end``. For ``begin == 0`` that is one node
    per set bit of ``end``, largest first.
    """
    if not (_is_size(begin) and _is_size(end) and begin <= end):
        raise LedgerValueError(f"leaf range [{begin}, {end}) is not a range of leaves")
    out: list[NodeID] = []
    _extend_range(out, begin, end)
    return out


def _extend_range(out: list[NodeID], begin: int, end: int) -> None:
    """Append the compact range of ``[begin, end)`` to ``out`` (arguments unchecked)."""
    width = end - begin
    if not begin & ((1 << width.bit_length()) - 1):
        # Aligned to a power of two not below the width, as every range a root or
        # proof asks for: one node per set bit of the width, largest first.
        while width:
            level = width.bit_length() - 1
            out.append(_new_tuple(NodeID, (level, begin >> level)))
            begin += 1 << level
            width -= 1 << level
        return
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        out.append(_new_tuple(NodeID, (level, begin >> level)))
        begin += 1 << level


class CompactRange:
    """The compact range ``[0, size)`` of a growing list of leaves, in O(log n) memory.

    Holds the hashes of the nodes :func:`range_nodes` names for ``[0, size)``, largest
    first. Appending a leaf merges the equal-sized subtrees it completes (one node hash
    per leaf on average); the RFC 9162 root is the held hashes folded from the right.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        self._hashes: list[bytes] = []
        self._size = 0

    @property
    def size(self) -> int:
        """The number of leaves appended."""
        return self._size

    def append(self, digest: bytes) -> None:
        """Append a leaf by its hash."""
        if not (isinstance(digest, bytes | bytearray) and len(digest) == HASH_SIZE):
            raise LedgerValueError(f"a leaf hash must be {HASH_SIZE} bytes")
        node, count = bytes(digest), self._size
        while count & 1:
            node = node_hash(self._hashes.pop(), node)
            count >>= 1
        self._hashes.append(node)
        self._size += 1

    def ids(self) -> list[NodeID]:
        """The ids of the held nodes, in order (``range_nodes(0, size)``)."""
        return range_nodes(0, self._size)

    def hashes(self) -> list[bytes]:
        """The held node hashes, largest subtree first."""
        return list(self._hashes)

    def root(self) -> bytes:
        """``MTH`` of the leaves appended so far; ``EMPTY_ROOT`` for none."""
        return _fold(self._hashes) if self._hashes else EMPTY_ROOT


def appended_nodes(
    size: int, leaves: bytes, fetch: NodeFetcher
) -> Iterator[tuple[int, int, bytes]]:
    """The nodes that appending ``leaves`` (concatenated leaf hashes) to a tree of ``size`` adds.

    Yields ``(level, first position, hashes)`` per level, from the leaves up: the new
    nodes of that level, contiguous and starting right after the stored ones. When the
    first new node of a level is a right child, its left sibling is an existing node,
    asked of ``fetch``; nothing else is read.
    """
    if not _is_size(size) or len(leaves) % HASH_SIZE:
        raise LedgerValueError(
            f"cannot append {len(leaves)} bytes of leaf hashes to a tree of {size} leaves"
        )
    level, start, nodes = 0, size, leaves
    while nodes:
        yield level, start, nodes
        if start & 1:  # the first new node is a right child: take its left sibling along
            nodes = fetch([NodeID(level, start - 1)])[0] + nodes
            start -= 1
        nodes = parent_hashes(nodes)
        start >>= 1
        level += 1


# -- proof planning -----------------------------------------------------------------


class ProofNodes(NamedTuple):
    """The stored nodes a root or proof is made of, and how to rehash them into it.

    ``ids`` lists the nodes in proof order (nearest the leaf, or the old tree, first).
    Each is one proof element, except the run ``ids[begin:end]``: the compact range of
    the one element that is not a complete subtree, left to right, folded from the
    right into that element. ``begin == end`` when there is none.
    """

    ids: tuple[NodeID, ...]
    begin: int = 0
    end: int = 0

    def rehash(self, hashes: Sequence[bytes]) -> list[bytes]:
        """The proof elements from the fetched ``hashes`` of ``ids`` (same order)."""
        if len(hashes) != len(self.ids):
            raise LedgerValueError(f"expected {len(self.ids)} node hashes, got {len(hashes)}")
        if self.end - self.begin < 2:
            return hashes if isinstance(hashes, list) else list(hashes)
        return [
            *hashes[: self.begin],
            _fold(hashes[self.begin : self.end]),
            *hashes[self.end :],
        ]


def root_nodes(size: int) -> ProofNodes:
    """The nodes whose fold is ``MTH(D[size])``: the compact range ``[0, size)``."""
    if not _is_size(size):
        raise LedgerValueError(f"tree size {size} must be a non-negative integer")
    ids: list[NodeID] = []
    _extend_range(ids, 0, size)
    return ProofNodes(tuple(ids), 0, len(ids) if len(ids) > 1 else 0)


def inclusion_nodes(index: int, size: int) -> ProofNodes:
    """The nodes of RFC 9162 ``PATH(index, D[size])``, leaf side first."""
    if not _is_size(size):
        raise LedgerValueError(f"tree size {size} must be a non-negative integer")
    if not (_is_size(index) and index < size):
        raise LedgerValueError(f"leaf index {index} is outside a tree of {size} leaves")
    return _path_nodes([], 0, index, size)


def consistency_nodes(old_size: int, new_size: int) -> ProofNodes:
    """The nodes of RFC 9162 ``PROOF(old_size, D[new_size])``, old tree side first.

    None when ``old_size`` is 0 or ``new_size``: the proof is then empty. Otherwise
    the proof is the path, in the new tree, of the largest complete subtree that ends
    the old tree, preceded by that subtree itself unless it is the whole old tree
    (whose root the verifier holds).
    """
    if not _is_size(new_size):
        raise LedgerValueError(f"tree size {new_size} must be a non-negative integer")
    if not (_is_size(old_size) and old_size <= new_size):
        raise LedgerValueError(f"old size {old_size} must be between 0 and the new size {new_size}")
    if old_size in (0, new_size):
        return ProofNodes(())
    level = (old_size & -old_size).bit_length() - 1
    position = (old_size - 1) >> level
    return _path_nodes([NodeID(level, position)] if position else [], level, position, new_size)


def _path_nodes(ids: list[NodeID], level: int, position: int, size: int) -> ProofNodes:
    """``ids`` followed by the path of node ``(level, position)`` up to the root of ``size``.

    At each level up, the node's sibling is in the proof if the tree reaches it: whole
    if complete, else (a right sibling at the tree's right edge, at most once) as the
    compact range from its start to ``size``. A sibling the tree does not reach adds
    nothing: the RFC's tree lifts the node a level unchanged.
    """
    begin = end = 0
    for height in range(level, (size - 1).bit_length()):
        sibling = position ^ 1
        position >>= 1
        first = sibling << height
        if first >= size:
            continue
        if first + (1 << height) <= size:
            ids.append(_new_tuple(NodeID, (height, sibling)))
        else:
            begin = len(ids)
            _extend_range(ids, first, size)
            end = len(ids) if len(ids) - begin > 1 else begin
    return ProofNodes(tuple(ids), begin, end)


class ProofBuilder:
    """Roots and proofs for one tree size, from nodes that ``fetch`` reads by id.

    The tree may hold more leaves than ``size``: the nodes of a smaller tree never
    change, so any store of a larger tree answers for it.
    """

    __slots__ = ("_fetch", "size")

    def __init__(self, size: int, fetch: NodeFetcher) -> None:
        if not _is_size(size):
            raise LedgerValueError(f"tree size {size} must be a non-negative integer")
        self.size = size
        self._fetch = fetch

    def root(self) -> bytes:
        """``MTH(D[size])``."""
        if self.size == 0:
            return EMPTY_ROOT
        return self._materialise(root_nodes(self.size))[0]

    def inclusion_proof(self, index: int) -> list[bytes]:
        """RFC 9162 ``PATH(index, D[size])``."""
        return self._materialise(inclusion_nodes(index, self.size))

    def consistency_proof(self, old_size: int) -> list[bytes]:
        """RFC 9162 ``PROOF(old_size, D[size])``; empty if ``old_size`` is 0 or ``size``."""
        return self._materialise(consistency_nodes(old_size, self.size))

    def _materialise(self, plan: ProofNodes) -> list[bytes]:
        if not plan.ids:
            return []
        return plan.rehash(self._fetch(plan.ids))


class MerkleTree:
    """An append-only RFC 9162 tree in memory that answers roots and proofs for every size.

    It is storage like the on-disk log: ``_levels[j]`` holds, in order, the hash of
    each complete subtree of ``2**j`` leaves starting at a multiple of ``2**j`` (the
    node ``(j, i)`` at bytes ``32 * i``), level 0 the leaf hashes; about twice the
    leaves' size in total. Which nodes to add, and which make a root or proof, is
    planned by :func:`appended_nodes` and :class:`ProofBuilder`.
    """

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self.extend_leaf_hashes(leaf_hashes)

    @classmethod
    def from_entries(cls, entries: Iterable[bytes]) -> MerkleTree:
        """A tree of the given entries (each hashed as a leaf)."""
        tree = cls()
        tree.extend_leaf_hashes(leaf_hash(entry) for entry in entries)
        return tree

    # -- growing -----------------------------------------------------------------

    def append(self, entry: bytes) -> int:
        """Append an entry; return its leaf index."""
        return self.append_leaf_hash(leaf_hash(entry))

    def append_leaf_hash(self, digest: bytes) -> int:
        """Append a leaf by its hash; return its leaf index."""
        index = self.size
        self.extend_leaf_hashes((digest,))
        return index

    def extend_leaf_hashes(self, digests: Iterable[bytes]) -> None:
        """Append several leaves by their hashes (none if one is not 32 bytes)."""
        batch = []
        for digest in digests:
            if not (isinstance(digest, bytes | bytearray) and len(digest) == HASH_SIZE):
                raise LedgerValueError(f"a leaf hash must be {HASH_SIZE} bytes")
            batch.append(digest)
        levels = self._levels
        for level, _, nodes in appended_nodes(self.size, b"".join(batch), self.nodes):
            if level == len(levels):
                levels.append(bytearray())
            levels[level] += nodes

    # -- reading -----------------------------------------------------------------

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0]) // HASH_SIZE

    def __len__(self) -> int:
        return self.size

    def nodes(self, ids: Sequence[NodeID]) -> list[bytes]:
        """The hashes of the stored nodes ``ids`` (a :data:`NodeFetcher`)."""
        out = []
        for level, position in ids:
            start = position * HASH_SIZE
            node = bytes(self._levels[level][start : start + HASH_SIZE])
            if len(node) != HASH_SIZE:
                raise LedgerValueError(f"the tree holds no node {position} at level {level}")
            out.append(node)
        return out

    def leaf_hash_at(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        if not (_is_size(index) and index < self.size):
            raise LedgerValueError(f"leaf index {index} is outside a tree of {self.size} leaves")
        return self.nodes([NodeID(0, index)])[0]

    def proofs(self, size: int | None = None) -> ProofBuilder:
        """Roots and proofs for the tree of the first ``size`` leaves (all by default)."""
        return ProofBuilder(self._check_size(size), self.nodes)

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree made of the first ``size`` leaves (all by default)."""
        return self.proofs(size).root()

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 ``PATH(index, D[size])``: siblings from the leaf up to the root."""
        return self.proofs(size).inclusion_proof(index)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 ``PROOF(old_size, D[new_size])``; empty if ``old_size`` is 0 or ``new_size``."""
        return self.proofs(new_size).consistency_proof(old_size)

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not (_is_size(size) and size <= self.size):
            raise LedgerValueError(f"tree size {size} is outside 0..{self.size}")
        return size


# -- verification -------------------------------------------------------------------


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof as RFC 9162 §2.1.3.2 prescribes.

    ``leaf_hash`` is the leaf's hash (not the entry), ``index`` counts from zero.
    Returns ``False`` for a bad proof and for arguments that make no sense.
    """
    if not (_is_hash(leaf_hash) and _is_hash(root) and _is_size(index) and _is_size(tree_size)):
        return False
    if not all(_is_hash(p) for p in proof):
        return False
    # 1. leaf_index must be below tree_size.
    if index >= tree_size:
        return False
    # 2. fn = leaf_index, sn = tree_size - 1.
    fn, sn = index, tree_size - 1
    # 3. r = hash.
    r = leaf_hash
    # 4. For each value p in the inclusion path:
    for p in proof:
        # a. If sn is 0, fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or fn equals sn:
        if fn & 1 or fn == sn:
            # i. r = HASH(0x01 || p || r)
            r = node_hash(p, r)
            # ii. If LSB(fn) is not set, shift both until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            # i. r = HASH(0x01 || r || p)
            r = node_hash(r, p)
        # c. Shift both once.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 and r must equal the root.
    return sn == 0 and compare_digest(r, root)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof as RFC 9162 §2.1.4.2 prescribes.

    The RFC's algorithm covers ``0 < old_size < new_size``. The edge cases are
    decided as follows: for ``old_size == new_size`` the proof must be empty and the
    roots equal; for ``old_size == 0`` the proof must be empty and ``old_root`` must be
    ``EMPTY_ROOT`` (the empty tree is a prefix of every tree). ``old_size > new_size``,
    negative sizes and malformed hashes give ``False``.
    """
    if not (_is_size(old_size) and _is_size(new_size) and _is_hash(old_root)):
        return False
    if not (_is_hash(new_root) and all(_is_hash(c) for c in proof)):
        return False
    if old_size > new_size:
        return False
    if old_size == new_size:
        return len(proof) == 0 and compare_digest(old_root, new_root)
    if old_size == 0:
        return len(proof) == 0 and compare_digest(old_root, EMPTY_ROOT)
    # 1. An empty consistency path fails.
    if len(proof) == 0:
        return False
    path = list(proof)
    # 2. If first is an exact power of 2, prepend first_hash to the path.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = old_size - 1, new_size - 1
    # 4. If LSB(fn) is set, shift both until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value of the path.
    fr = sr = path[0]
    # 6. For each subsequent value c:
    for c in path[1:]:
        # a. If sn is 0, fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or fn equals sn:
        if fn & 1 or fn == sn:
            # i. fr = HASH(0x01 || c || fr); ii. sr = HASH(0x01 || c || sr)
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # iii. If LSB(fn) is not set, shift both until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            # i. sr = HASH(0x01 || sr || c)
            sr = node_hash(sr, c)
        # c. Shift both once.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr second_hash, and sn must be 0.
    return sn == 0 and compare_digest(fr, old_root) and compare_digest(sr, new_root)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
