"""RFC 9162 (Certificate Transparency v2) Merkle trees, proofs and their verification.

Definitions (RFC 9162 §2.1.1), with ``HASH`` = SHA-256 and ``||`` concatenation:

- the hash of an empty tree is ``HASH()`` (SHA-256 of the empty string);
- a leaf hash is ``HASH(0x00 || entry)``;
- an inner node is ``HASH(0x01 || left || right)``;
- a tree of ``n > 1`` leaves splits at ``k``, the largest power of two smaller
  than ``n``: ``MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``.

Proofs are lists of 32-byte node hashes, ordered as RFC 9162 §2.1.3.1 (``PATH``,
inclusion) and §2.1.4.1 (``PROOF``/``SUBPROOF``, consistency) define them: the node
nearest the leaf (or the old tree) first. Leaf indices count from zero.

Generation raises :class:`ValueError` for impossible requests (an index outside the
tree, an old size larger than the tree, a leaf hash that is not 32 bytes).
Verification never raises: :func:`verify_inclusion` and :func:`verify_consistency`
follow the RFC's algorithms (§2.1.3.2, §2.1.4.2) step by step and return ``False``
for any proof that does not check, and also for nonsense arguments (negative sizes,
an index outside the tree, values that are not bytes).

:class:`MerkleTree` keeps the leaf hashes in one ``bytearray`` and, level by level,
the hash of every complete, aligned subtree of ``2**j`` leaves (another ``bytearray``
per level, about as large again as the leaves in total). Every subtree the RFC's
recursion asks for, for any tree size up to the current one, is then either one of
those cached hashes or the fold of at most ``log2(n)`` of them, so a root costs at
most ``log2(n)`` node hashes and a proof at most ``2 * log2(n)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from hmac import compare_digest

from ledger.errors import LedgerValueError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleTree",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_leaf_hashes",
    "verify_consistency",
    "verify_inclusion",
]

#: Size in bytes of every hash in the tree (SHA-256).
HASH_SIZE = 32

#: ``MTH({})``: the root of the empty tree, SHA-256 of the empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(entry: bytes) -> bytes:
    """``SHA-256(0x00 || entry)``: the hash of one log entry as a leaf."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(entry)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an inner node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root(entries: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (root) of a list of entries; ``EMPTY_ROOT`` for none."""
    return MerkleTree.from_entries(entries).root()


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of a tree whose leaf hashes are already computed."""
    return MerkleTree(hashes).root()


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 9162 ``PATH(index, D[n])`` for the tree of all ``leaf_hashes``."""
    return MerkleTree(leaf_hashes).inclusion_proof(index)


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """RFC 9162 ``PROOF(old_size, D[n])`` from the first ``old_size`` leaves to all of them.

    The proof is empty when ``old_size`` is 0 or equal to the tree size.
    """
    return MerkleTree(leaf_hashes).consistency_proof(old_size)


class MerkleTree:
    """An append-only RFC 9162 tree that answers roots and proofs for every size up to its own.

    Leaf hashes live in one ``bytearray`` (32 bytes each). ``_levels[j]`` holds, in
    order, the hash of each complete subtree of ``2**j`` leaves starting at a multiple
    of ``2**j``; it grows as leaves are appended, one node hash per leaf on average.
    """

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self.extend_leaf_hashes(leaf_hashes)

    @classmethod
    def from_entries(cls, entries: Iterable[bytes]) -> MerkleTree:
        """A tree of the given entries (each hashed as a leaf)."""
        tree = cls()
        for entry in entries:
            tree.append(entry)
        return tree

    # -- growing -----------------------------------------------------------------

    def append(self, entry: bytes) -> int:
        """Append an entry; return its leaf index."""
        return self.append_leaf_hash(leaf_hash(entry))

    def append_leaf_hash(self, digest: bytes) -> int:
        """Append a leaf by its hash; return its leaf index."""
        if len(digest) != HASH_SIZE or not isinstance(digest, bytes | bytearray):
            raise LedgerValueError(f"a leaf hash must be {HASH_SIZE} bytes")
        leaves = self._levels[0]
        index = len(leaves) // HASH_SIZE
        leaves += digest
        if index & 1:
            self._complete_parents(index + 1)
        return index

    def _complete_parents(self, count: int) -> None:
        """Hash every complete subtree that the leaf making ``count`` leaves closes.

        While the number of nodes at a level is even, its last two nodes are the
        children of a new complete node one level up.
        """
        levels = self._levels
        level = 0
        while count % 2 == 0:
            end = count * HASH_SIZE
            pair = levels[level][end - 2 * HASH_SIZE : end]
            level += 1
            if level == len(levels):
                levels.append(bytearray())
            levels[level] += hashlib.sha256(_NODE_PREFIX + pair).digest()
            count //= 2

    def extend_leaf_hashes(self, digests: Iterable[bytes]) -> None:
        """Append several leaves by their hashes."""
        for digest in digests:
            self.append_leaf_hash(digest)

    # -- reading -----------------------------------------------------------------

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0]) // HASH_SIZE

    def __len__(self) -> int:
        return self.size

    def leaf_hash_at(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        self._check_index(index, self.size)
        return self._node(0, index)

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree made of the first ``size`` leaves (all by default)."""
        size = self._check_size(size)
        return self._mth(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 ``PATH(index, D[size])``: siblings from the leaf up to the root."""
        size = self._check_size(size)
        self._check_index(index, size)
        proof: list[bytes] = []
        self._path(index, 0, size, proof)
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 ``PROOF(old_size, D[new_size])``; empty if ``old_size`` is 0 or ``new_size``."""
        new_size = self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise LedgerValueError(
                f"old size {old_size} must be between 0 and the new size {new_size}"
            )
        if old_size in (0, new_size):
            return []
        proof: list[bytes] = []
        self._subproof(old_size, 0, new_size, True, proof)
        proof.reverse()
        return proof

    # -- internals ---------------------------------------------------------------

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise LedgerValueError(f"tree size {size} is outside 0..{self.size}")
        return size

    @staticmethod
    def _check_index(index: int, size: int) -> None:
        if not 0 <= index < size:
            raise LedgerValueError(f"leaf index {index} is outside a tree of {size} leaves")

    def _node(self, level: int, position: int) -> bytes:
        """The cached hash of the complete subtree of ``2**level`` leaves at ``position``."""
        start = position * HASH_SIZE
        return bytes(self._levels[level][start : start + HASH_SIZE])

    def _mth(self, lo: int, hi: int) -> bytes:
        """``MTH(D[lo:hi])`` for a subtree the RFC recursion can reach.

        Such a subtree starts at a multiple of the largest power of two not below its
        width, so it splits into complete, aligned, cached subtrees, one per set bit of
        ``hi - lo`` (largest first), which fold from the right as the RFC nests them.
        """
        width = hi - lo
        if width == 0:
            return EMPTY_ROOT
        parts: list[bytes] = []
        position = lo
        while width:
            level = width.bit_length() - 1
            parts.append(self._node(level, position >> level))
            position += 1 << level
            width -= 1 << level
        digest = parts.pop()
        while parts:
            digest = node_hash(parts.pop(), digest)
        return digest

    def _path(self, m: int, lo: int, hi: int, out: list[bytes]) -> None:
        """Append ``PATH(m, D[lo:hi])`` to ``out`` in reverse (root side first)."""
        while hi - lo > 1:
            k = _split(hi - lo)
            if m < k:
                out.append(self._mth(lo + k, hi))
                hi = lo + k
            else:
                out.append(self._mth(lo, lo + k))
                m -= k
                lo += k

    def _subproof(self, m: int, lo: int, hi: int, complete: bool, out: list[bytes]) -> None:
        """Append ``SUBPROOF(m, D[lo:hi], complete)`` to ``out`` in reverse (root side first)."""
        while m != hi - lo:
            k = _split(hi - lo)
            if m <= k:
                out.append(self._mth(lo + k, hi))
                hi = lo + k
            else:
                out.append(self._mth(lo, lo + k))
                m -= k
                lo += k
                complete = False
        if not complete:
            out.append(self._mth(lo, hi))


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n > 1``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


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
