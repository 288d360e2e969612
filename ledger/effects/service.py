"""The ledger's effect log: ingest, checkpoints anchored on chain, and proofs for users.

One log per ledger, configured once with :meth:`Effects.open` (log id, owning
department, and the policy clause it executes) and kept in ``<home>/effects/log.json``.
Entries live in :class:`~ledger.effects.store.EffectStore`; their RFC 9162 tree is
anchored by ``EffectLog`` checkpoints, each proven consistent with the one before by
the contract itself. A checkpoint is sealed automatically once
:attr:`Effects.seal_size` entries wait, or :attr:`Effects.seal_age` seconds of chain
time have passed since the last one, and on demand.

:class:`Effects` takes the narrow things it uses: its directory, the ``EffectLog``
wrapper, the signers, the chain clock and the index (read only: it never syncs it;
the commands that need the index caught up sync it first).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ledger.chain.clock import ChainClock
from ledger.chain.types import TxRef
from ledger.effects.entries import canonical_entry, parse_entry
from ledger.effects.ingest import IngestReport, ingest_jsonl
from ledger.effects.merkle import verify_consistency, verify_inclusion
from ledger.effects.store import EffectStore
from ledger.effects.types import EffectView
from ledger.errors import ConfigError, ContractRevert, LedgerValueError, NotFoundError, StoreError
from ledger.mechanisms.effectlog import Checkpoint, EffectLogContract
from ledger.mechanisms.signers import Signers
from ledger.store.records import EventRecord
from ledger.store.sql import EventStore

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LogConfig:
    log_id: str
    owner: str
    policy_id: str
    clause_id: str
    #: Chain time when the log was opened here: the age of the first checkpoint counts from it.
    opened_at: int = 0


class Effects:
    seal_size = 100_000
    seal_age = 3600

    def __init__(
        self,
        directory: Path,
        contract: EffectLogContract,
        signers: Signers,
        clock: ChainClock,
        index: EventStore,
    ) -> None:
        self.directory = directory
        self.contract = contract
        self.signers = signers
        self.clock = clock
        self.index = index
        self._store: EffectStore | None = None

    # -- configuration -------------------------------------------------------------

    @property
    def config(self) -> LogConfig | None:
        path = self.directory / "log.json"
        if not path.is_file():
            return None
        return LogConfig(**json.loads(path.read_text()))

    def require_config(self) -> LogConfig:
        config = self.config
        if config is None:
            raise ConfigError(
                "this ledger has no effect log yet: open one with"
                " `govledger effects open LOG --department D --policy P --clause C`"
            )
        return config

    def open(self, log_id: str, owner: str, policy_id: str, clause_id: str) -> TxRef | None:
        """Open the ledger's log on chain (owned by ``owner``) and remember it."""
        current = self.config
        if current is not None and current.log_id != log_id:
            raise ConfigError(f"this ledger's effect log is already {current.log_id!r}")
        signer = self.signers.of(owner, "DEPARTMENT")
        ref: TxRef | None = None
        try:
            ref = TxRef.of(self.contract.open_log(signer, log_id, policy_id, clause_id))
        except ContractRevert as err:
            if err.name != "LogExists":
                raise
            info = self.contract.log_of(log_id)
            if info.owner_id != owner:
                raise ConfigError(
                    f"effect log {log_id!r} is owned by {info.owner_id!r}, not {owner!r}"
                ) from err
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / "log.json.tmp"
        config = LogConfig(log_id, owner, policy_id, clause_id, self.clock.now())
        tmp.write_text(json.dumps(asdict(config)))
        os.replace(tmp, self.directory / "log.json")
        return ref

    @property
    def store(self) -> EffectStore:
        if self._store is None:
            self._store = EffectStore(self.directory, self.require_config().log_id)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- writing ---------------------------------------------------------------------

    def ingest_file(
        self, path: os.PathLike[str] | str, progress: Progress | None = None
    ) -> IngestReport:
        report = ingest_jsonl(self.store, Path(path), progress)
        self.maybe_seal()
        return report

    def ingest_entries(self, items: Iterable[Any]) -> dict[str, Any]:
        """Validate and append a batch; bad items are rejected with their index and reason."""
        good: list[bytes] = []
        rejected: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            try:
                good.append(canonical_entry(parse_entry(item)))
            except ValueError as err:
                rejected.append({"index": index, "reason": str(err)})
        added = self.store.append_batch(good) if good else 0
        sealed = self.maybe_seal()
        return {
            "added": added,
            "duplicates": len(good) - added,
            "rejected": rejected,
            "size": self.store.size,
            "checkpoint": None if sealed is None else asdict(sealed) | {"root": sealed.root.hex()},
        }

    def latest(self) -> Checkpoint:
        return self.contract.latest(self.require_config().log_id)

    def pending(self) -> int:
        return self.store.size - self.latest().tree_size

    def maybe_seal(self) -> Checkpoint | None:
        latest = self.latest()
        waiting = self.store.size - latest.tree_size
        if waiting <= 0:
            return None
        since = latest.timestamp if latest.index else self.require_config().opened_at
        if waiting >= self.seal_size or self.clock.now() - since >= self.seal_age:
            return self.seal()
        return None

    def seal(self) -> Checkpoint | None:
        """Anchor a checkpoint over every entry so far; None when nothing is new."""
        config = self.require_config()
        latest = self.latest()
        size = self.store.size
        if size <= latest.tree_size:
            return None
        root = self.store.root(size)
        proof = self.store.consistency_proof(latest.tree_size, size) if latest.tree_size else []
        signer = self.signers.department(config.owner)
        self.contract.checkpoint(signer, config.log_id, size, root, proof)
        return self.latest()

    # -- proofs ----------------------------------------------------------------------

    def prove(self, seq: int) -> dict[str, Any]:
        """An entry with its inclusion proof against the latest anchored checkpoint."""
        config = self.require_config()
        latest = self.latest()
        if seq < 0 or seq >= self.store.size:
            raise NotFoundError("effect-log entry", str(seq))
        if seq >= latest.tree_size:
            raise NotFoundError(
                "anchored entry", f"{seq} (not yet covered by a checkpoint: run `effects seal`)"
            )
        entry = self.store.entry(seq)
        leaf = self.store.leaf_hash_at(seq)
        proof = self.store.inclusion_proof(seq, latest.tree_size)
        if not verify_inclusion(leaf, seq, latest.tree_size, proof, latest.root):
            raise StoreError(
                f"effect log {config.log_id!r} does not match its anchored checkpoint"
                f" {latest.index}: entry {seq} cannot be proven (the stored log was altered)"
            )
        return {
            "log_id": config.log_id,
            "sequence": seq,
            "entry": entry.decode("utf-8"),
            "leaf_hash": leaf.hex(),
            "tree_size": latest.tree_size,
            "root": latest.root.hex(),
            "proof": [p.hex() for p in proof],
            "checkpoint": self._checkpoint_ref(latest),
        }

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        """A consistency proof between two anchored checkpoints (by index, from 1)."""
        config = self.require_config()
        if not 1 <= first <= second:
            raise LedgerValueError(
                "checkpoints are numbered from 1 and the first must not follow the second"
            )
        old = self.contract.checkpoint_at(config.log_id, first)
        new = self.contract.checkpoint_at(config.log_id, second)
        proof = self.store.consistency_proof(old.tree_size, new.tree_size)
        if not verify_consistency(old.tree_size, new.tree_size, old.root, new.root, proof):
            raise StoreError(
                f"effect log {config.log_id!r} does not match checkpoints {first} and {second}"
            )
        return {
            "log_id": config.log_id,
            "first": self._checkpoint_ref(old),
            "second": self._checkpoint_ref(new),
            "proof": [p.hex() for p in proof],
        }

    def _checkpoint_ref(self, cp: Checkpoint) -> dict[str, Any]:
        """The checkpoint with its anchoring transaction and block as the index holds them
        (None while the index has not caught up with the checkpoint)."""
        found = [
            e
            for e in self.index.events(names=["CheckpointAnchored"])
            if e.args["logId"] == cp.log_id and int(e.args["index"]) == cp.index
        ]
        return {
            "index": cp.index,
            "tree_size": cp.tree_size,
            "root": cp.root.hex(),
            "timestamp": cp.timestamp,
            "tx": found[0].tx_hash if found else None,
            "block": found[0].block_number if found else None,
        }

    # -- scoring -----------------------------------------------------------------------

    def view(
        self, as_of_block: int, events: Sequence[EventRecord] | None = None
    ) -> EffectView | None:
        """The log as far as checkpoints anchored by ``as_of_block`` cover it.

        The checkpoints are read from ``events`` when given (an auditor's fresh read of
        the chain), else from the ledger's index.
        """
        config = self.config
        if config is None:
            return None
        if events is None:
            events = self.index.events(names=["CheckpointAnchored"], to_block=as_of_block)
        anchored = [
            e
            for e in events
            if e.event == "CheckpointAnchored"
            and e.block_number <= as_of_block
            and e.args["logId"] == config.log_id
        ]
        last = anchored[-1] if anchored else None
        covered = int(last.args["treeSize"]) if last is not None else 0
        return EffectView(config.log_id, covered, last, self.store)
