"""The EffectLog contract: checkpoints of RFC 9162 effect logs, each proved consistent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import ContractWrapper


@dataclass(frozen=True)
class EffectLogInfo:
    """Who owns a log, the clause it was opened under, and how many checkpoints it has."""

    log_id: str
    owner_id: str
    policy_id: str
    clause_id: str
    checkpoints: int


@dataclass(frozen=True)
class Checkpoint:
    """Checkpoint ``index`` (from 1) of a log: its first ``tree_size`` entries hash to ``root``.

    Index 0 stands for the empty tree (size 0, root ``EMPTY_ROOT``, time 0), what
    :meth:`EffectLogContract.latest` returns before the first checkpoint, so the next
    checkpoint's proof is always ``tree.consistency_proof(latest.tree_size)``.
    """

    log_id: str
    index: int
    tree_size: int
    root: bytes
    timestamp: int


#: A SHA-256 digest (a tree root, a proof node), stored on chain as ``bytes32``.
HASH_SIZE = 32


def _hash(value: bytes, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise LedgerValueError(f"{what} must be {HASH_SIZE} bytes")
    return bytes(value)


def _size(value: int, what: str, bits: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**bits:
        raise LedgerValueError(f"{what} must be an integer from 0 to 2**{bits} - 1, not {value!r}")
    return value


class EffectLogContract(ContractWrapper):
    NAME = "EffectLog"

    def open_log(self, owner: Signer, log_id: str, policy_id: str, clause_id: str) -> TxReceipt:
        """Open a log owned by ``owner``'s department under a clause in force."""
        return self._send(
            owner,
            "openLog",
            to_bytes32(log_id, "log id"),
            to_bytes32(policy_id, "policy id"),
            to_bytes32(clause_id, "clause id"),
        )

    def checkpoint(
        self,
        owner: Signer,
        log_id: str,
        tree_size: int,
        root: bytes,
        proof: Sequence[bytes] = (),
    ) -> TxReceipt:
        """Anchor the first ``tree_size`` entries under ``root``.

        ``proof`` is the RFC 9162 consistency proof from the latest checkpoint, e.g.
        ``tree.consistency_proof(contract.latest(log_id).tree_size, tree_size)``; the
        first checkpoint takes none.
        """
        return self._send(
            owner,
            "checkpoint",
            to_bytes32(log_id, "log id"),
            _size(tree_size, "tree size", 64),
            _hash(root, "root"),
            [_hash(p, "a consistency proof node") for p in proof],
        )

    def latest(self, log_id: str) -> Checkpoint:
        """The latest checkpoint; index 0 (the empty tree) if there is none yet."""
        index, size, root, timestamp = self._call("latest", to_bytes32(log_id, "log id"))
        return Checkpoint(log_id, int(index), int(size), bytes(root), int(timestamp))

    def checkpoint_at(self, log_id: str, index: int) -> Checkpoint:
        """Checkpoint ``index``, counted from 1."""
        size, root, timestamp = self._call(
            "checkpointAt", to_bytes32(log_id, "log id"), _size(index, "index", 32)
        )
        return Checkpoint(log_id, index, int(size), bytes(root), int(timestamp))

    def log_of(self, log_id: str) -> EffectLogInfo:
        owner, policy, clause, checkpoints = self._call("logOf", to_bytes32(log_id, "log id"))
        return EffectLogInfo(
            log_id=log_id,
            owner_id=from_bytes32(owner),
            policy_id=from_bytes32(policy),
            clause_id=from_bytes32(clause),
            checkpoints=int(checkpoints),
        )

    def verify_consistency(
        self,
        old_size: int,
        new_size: int,
        old_root: bytes,
        new_root: bytes,
        proof: Sequence[bytes],
    ) -> bool:
        """Run the contract's own RFC 9162 §2.1.4.2 check (a call: no transaction, no gas).

        Decides as :func:`ledger.effects.merkle.verify_consistency` does.
        """
        return bool(
            self._call(
                "verifyConsistency",
                _size(old_size, "old size", 256),
                _size(new_size, "new size", 256),
                _hash(old_root, "old root"),
                _hash(new_root, "new root"),
                [_hash(p, "a consistency proof node") for p in proof],
            )
        )


__all__ = ["Checkpoint", "EffectLogContract", "EffectLogInfo"]
