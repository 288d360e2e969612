"""The audit verifier: recompute everything the ledger holds from the chain and compare.

Four areas, for the whole ledger or one policy's trail:

- **records**: every anchored version's stored bytes hash to the anchored digest;
- **index**: the index holds exactly the events the deployed contracts emitted (read
  afresh from the chain into a scratch store), with identical data;
- **effects**: every stored effect-log entry matches its leaf and its columns, and the
  roots recomputed from the entries equal the anchored checkpoints, each consistent
  with the one before;
- **scores**: every published score's stored result and its recomputation from the
  chain give the anchored ``result_hash``.

Nothing here writes to the ledger: the index is *not* synced first, so a deleted row
is reported rather than quietly restored.

Each check takes the narrow things it reads (the record store, the index, the effect
log, a contract wrapper, the scorer); :func:`audit` takes them together as
:class:`AuditSources`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from eth_utils import keccak

from ledger.audit.checks import AuditReport, Check
from ledger.audit.findings import finding_dir
from ledger.audit.scores import ScoreArchive, verify_published
from ledger.chain.clock import ChainClock
from ledger.chain.deployment import Deployment
from ledger.chain.factory import ChainHandle
from ledger.effects.entries import decode_canonical
from ledger.effects.merkle import CompactRange, leaf_hash, verify_consistency
from ledger.effects.service import Effects
from ledger.errors import ContractRevert, LedgerError, NotFoundError, RecordError
from ledger.indexer.follower import Indexer
from ledger.indexer.sources import EmbeddedLogSource
from ledger.knowledge.store import RecordStore
from ledger.maturity.service import ScoreFunction
from ledger.mechanisms.effectlog import Checkpoint, EffectLogContract
from ledger.mechanisms.explain import explain
from ledger.mechanisms.findings import FindingsContract
from ledger.mechanisms.policies import PolicyRegistryContract
from ledger.mechanisms.scoreboard import PublishedScore, ScoreBoardContract
from ledger.settings import Settings
from ledger.store.records import EventRecord
from ledger.store.sql import EventStore, department_of

Progress = Callable[[str], None]


class _Opened(Protocol):
    """What :meth:`AuditSources.of` reads from an opened ledger (``ledger.core.Ledger``)."""

    settings: Settings
    home: Path
    handle: ChainHandle
    deployment: Deployment
    records: RecordStore
    store: EventStore
    effects: Effects
    policies: PolicyRegistryContract
    scoreboard: ScoreBoardContract
    findings: FindingsContract
    clock: ChainClock

    @property
    def score(self) -> ScoreFunction: ...


@dataclass(frozen=True)
class AuditSources:
    """What an audit reads: the chain, the ledger's stores, and the contracts it asks."""

    handle: ChainHandle
    deployment: Deployment
    records: RecordStore
    index: EventStore
    effects: Effects
    policies: PolicyRegistryContract
    scoreboard: ScoreBoardContract
    findings: FindingsContract
    scorer: ScoreFunction
    archive: ScoreArchive
    clock: ChainClock
    #: ``<home>/findings``: the raised findings' details.
    findings_dir: Path
    #: ``GOVLEDGER_FINALITY_DEPTH`` (None: the node's ``finalized`` block).
    finality_depth: int | None

    @classmethod
    def of(cls, ledger: _Opened) -> AuditSources:
        """The sources of an opened ledger."""
        return cls(
            handle=ledger.handle,
            deployment=ledger.deployment,
            records=ledger.records,
            index=ledger.store,
            effects=ledger.effects,
            policies=ledger.policies,
            scoreboard=ledger.scoreboard,
            findings=ledger.findings,
            scorer=ledger.score,
            archive=ScoreArchive(ledger.home),
            clock=ledger.clock,
            findings_dir=finding_dir(ledger.home),
            finality_depth=ledger.settings.finality_depth,
        )


def chain_events(
    handle: ChainHandle, deployment: Deployment, to_block: int | None = None
) -> list[EventRecord]:
    """Every event of the deployed contracts up to ``to_block``, read afresh from the chain."""
    scratch = EventStore("sqlite://")
    try:
        backend = handle.backend
        source = EmbeddedLogSource(backend) if backend is not None else None
        Indexer(handle.w3, deployment, scratch, source).sync(to_block=to_block)
        return scratch.events()
    finally:
        scratch.close()


def in_trail(policy_id: str, event: EventRecord) -> bool:
    """Whether ``event`` belongs to the policy's trail: it cites the policy, or it is a
    published score (a score covers every policy)."""
    return event.args.get("policyId") == policy_id or event.event == "ScorePublished"


def _ref(e: EventRecord | tuple[str, int]) -> str:
    if isinstance(e, EventRecord):
        return f"block {e.block_number}, tx {e.tx_hash}, log {e.log_index} ({e.contract}.{e.event})"
    return f"tx {e[0]}, log {e[1]}"


# -- records --------------------------------------------------------------------------


def _trail(
    events: Iterable[EventRecord], name: str, policy_id: str | None
) -> Iterator[EventRecord]:
    """The ``name`` events, only ``policy_id``'s when given."""
    for e in events:
        if e.event == name and not (policy_id and e.args["policyId"] != policy_id):
            yield e


def verify_records(
    records: RecordStore, events: Sequence[EventRecord], policy_id: str | None = None
) -> list[Check]:
    """Every anchored version's stored bytes against its anchored digest."""
    checks = []
    for e in _trail(events, "PolicyAnchored", policy_id):
        pid, version, digest = e.args["policyId"], int(e.args["version"]), e.args["digest"]
        subject = f"record {pid} v{version}"
        path = records.path(digest)
        where = f"{pid} v{version}: {path}"
        try:
            raw = records.raw(digest)
        except (NotFoundError, RecordError, OSError):
            checks.append(Check("records", subject, False, "the stored record is missing", where))
            continue
        actual = "0x" + keccak(raw).hex()
        if actual != digest:
            checks.append(
                Check(
                    "records",
                    subject,
                    False,
                    f"the stored bytes hash to {actual}, not the anchored {digest}"
                    " (the record was altered after anchoring)",
                    where,
                )
            )
            continue
        try:
            record = records.load_raw_record(digest)
        except RecordError as err:
            checks.append(Check("records", subject, False, str(err), where))
            continue
        if (record.id, record.version) != (pid, version):
            checks.append(
                Check(
                    "records",
                    subject,
                    False,
                    f"the stored bytes are {record.id} v{record.version}",
                    where,
                )
            )
            continue
        checks.append(
            Check("records", subject, True, f"the stored bytes hash to the anchored {digest}")
        )
    return checks


# -- index ----------------------------------------------------------------------------


def verify_index(
    index: EventStore, chain: Sequence[EventRecord], policy_id: str | None = None
) -> tuple[list[Check], int | None]:
    """The index against the chain, over the blocks the index claims to cover.

    Returns the checks and the index's cursor.
    """
    cursor = index.cursor()
    if cursor is None:
        return [Check("index", "index", True, "the index is empty: nothing to compare")], None
    keep: Callable[[EventRecord], bool] = (
        (lambda e: in_trail(policy_id, e)) if policy_id else (lambda e: True)
    )
    # Every stored row counts, even above the cursor (a row there is served by reads);
    # chain events above the cursor are merely not indexed yet.
    stored = {(r.event.tx_hash, r.event.log_index): r for r in index.rows()}
    on_chain = {
        (e.tx_hash, e.log_index): e
        for e in chain
        if e.block_number <= cursor or (e.tx_hash, e.log_index) in stored
    }
    checks: list[Check] = []
    compared = 0
    for key in sorted(set(on_chain) | set(stored), key=lambda k: _order(k, on_chain, stored)):
        chain_event = on_chain.get(key)
        row = stored.get(key)
        relevant = (chain_event is not None and keep(chain_event)) or (
            row is not None and keep(row.event)
        )
        if not relevant:
            continue
        compared += 1
        if row is None:
            assert chain_event is not None
            checks.append(
                Check(
                    "index",
                    f"event {_ref(chain_event)}",
                    False,
                    "the event is on chain but missing from the index (the row was deleted)",
                    _ref(chain_event),
                )
            )
            continue
        if chain_event is None:
            checks.append(
                Check(
                    "index",
                    f"index row {_ref(row.event)}",
                    False,
                    "the index holds an event the chain never emitted (the row was inserted)",
                    _ref(row.event),
                )
            )
            continue
        differing = _differing_fields(chain_event, row)
        if differing:
            checks.append(
                Check(
                    "index",
                    f"event {_ref(chain_event)}",
                    False,
                    "the index row differs from the chain in " + "; ".join(differing),
                    _ref(chain_event),
                )
            )
    failed = len(checks)
    scope = f"policy {policy_id}'s trail" if policy_id else "every event"
    summary = (
        f"{compared} events up to block {cursor} match the chain ({scope})"
        if not failed
        else f"{failed} of {compared} events up to block {cursor} differ from the chain ({scope})"
    )
    checks.insert(0, Check("index", f"index up to block {cursor}", not failed, summary))
    return checks, cursor


def _order(
    key: tuple[str, int], chain: dict[tuple[str, int], EventRecord], stored: dict[Any, Any]
) -> tuple[int, int, str]:
    e = chain.get(key) or stored[key].event
    return (e.block_number, e.log_index, e.tx_hash)


def _differing_fields(chain: EventRecord, row: Any) -> list[str]:
    out = []
    stored: EventRecord = row.event
    for name in ("block_number", "block_hash", "block_time", "contract", "event"):
        want, got = getattr(chain, name), getattr(stored, name)
        if want != got:
            out.append(f"{name}: chain {want!r}, index {got!r}")
    for name in sorted(set(chain.args) | set(stored.args)):
        want, got = chain.args.get(name, "<absent>"), stored.args.get(name, "<absent>")
        if want != got:
            out.append(f"args.{name}: chain {want!r}, index {got!r}")
    if row.policy_id != chain.args.get("policyId"):
        want_policy = chain.args.get("policyId")
        out.append(f"policy_id column: chain {want_policy!r}, index {row.policy_id!r}")
    if row.department_id != department_of(chain.args):
        out.append(
            f"department_id column: chain {department_of(chain.args)!r},"
            f" index {row.department_id!r}"
        )
    return out


# -- effect log -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Anchored:
    checkpoint: Checkpoint
    event: EventRecord | None


def anchored_checkpoints(
    contract: EffectLogContract, log_id: str, chain: Sequence[EventRecord]
) -> list[_Anchored]:
    """The log's checkpoints as the contract holds them, with the events that anchored them."""
    count = contract.log_of(log_id).checkpoints
    by_index = {
        int(e.args["index"]): e
        for e in chain
        if e.event == "CheckpointAnchored" and e.args["logId"] == log_id
    }
    return [
        _Anchored(contract.checkpoint_at(log_id, i), by_index.get(i)) for i in range(1, count + 1)
    ]


def verify_effects(effects: Effects, chain: Sequence[EventRecord]) -> list[Check]:
    """The stored effect log against its checkpoints on chain."""
    config = effects.config
    opened = sorted({e.args["logId"] for e in chain if e.event == "LogOpened"})
    if config is None:
        # The chain knows the ledger's logs: one with checkpoints must be held here.
        anchored_logs = sorted({e.args["logId"] for e in chain if e.event == "CheckpointAnchored"})
        return [
            Check(
                "effects",
                f"effect log {log_id}",
                False,
                "the chain anchors checkpoints of this log but the ledger holds no effect log"
                f" (its configuration {effects.directory / 'log.json'} is missing)",
                log_id,
            )
            for log_id in anchored_logs
        ]
    log_id = config.log_id
    checks: list[Check] = []
    for other in opened:
        if other != log_id and any(
            e.event == "CheckpointAnchored" and e.args["logId"] == other for e in chain
        ):
            checks.append(
                Check(
                    "effects",
                    f"effect log {other}",
                    False,
                    f"the chain anchors checkpoints of this log but the ledger holds {log_id}",
                    other,
                )
            )
    try:
        anchored = anchored_checkpoints(effects.contract, log_id, chain)
    except ContractRevert as err:
        return [
            *checks,
            Check(
                "effects", f"effect log {log_id}", False, f"not on chain: {explain(err)}", log_id
            ),
        ]
    store = effects.store
    entry_faults: list[Check] = []
    acc = CompactRange()  # the root of the entries read so far
    targets = [a.checkpoint.tree_size for a in anchored]
    roots: dict[int, bytes] = {}
    expected = 0
    for seq, leaf, facts, body in store.rows():
        if seq != expected:
            entry_faults.append(
                Check(
                    "effects",
                    f"entries {expected}..{seq - 1}",
                    False,
                    f"entries {expected} to {seq - 1} are missing from the stored log",
                    f"{log_id} seq {expected}",
                )
            )
            expected = seq  # keep going; the roots will not match from here on
        digest = leaf_hash(body)
        if digest != leaf:
            entry_faults.append(
                Check(
                    "effects",
                    f"entry {seq}",
                    False,
                    "the entry's bytes do not hash to its stored leaf (the entry was altered)",
                    f"{log_id} seq {seq}",
                )
            )
        else:
            try:
                decoded = decode_canonical(body)
            except ValueError as err:
                decoded = None
                entry_faults.append(
                    Check("effects", f"entry {seq}", False, str(err), f"{log_id} seq {seq}")
                )
            if decoded is not None and tuple(decoded) != tuple(facts):
                columns = [
                    f"{name}: entry {want!r}, column {got!r}"
                    for name, want, got in zip(decoded._fields, decoded, facts, strict=True)
                    if want != got
                ]
                entry_faults.append(
                    Check(
                        "effects",
                        f"entry {seq}",
                        False,
                        "the stored columns disagree with the entry: " + "; ".join(columns),
                        f"{log_id} seq {seq}",
                    )
                )
        acc.append(digest)
        expected += 1
        if acc.size in targets:
            roots[acc.size] = acc.root()
    checks.extend(entry_faults[:50])
    if len(entry_faults) > 50:
        checks.append(
            Check(
                "effects",
                "entries",
                False,
                f"{len(entry_faults) - 50} further entry faults not listed",
                log_id,
            )
        )
    size = acc.size
    previous: Checkpoint | None = None
    for item in anchored:
        cp = item.checkpoint
        subject = f"checkpoint {cp.index} of {log_id} (size {cp.tree_size})"
        where = (
            f"{log_id} checkpoint {cp.index}, entries {previous.tree_size if previous else 0}"
            f"..{cp.tree_size - 1}"
        )
        if cp.tree_size > size:
            checks.append(
                Check(
                    "effects",
                    subject,
                    False,
                    f"the stored log holds {size} entries but the checkpoint anchors"
                    f" {cp.tree_size}: entries {size} to {cp.tree_size - 1} are missing"
                    " (the log was truncated)",
                    f"{log_id} seq {size}",
                )
            )
        elif roots.get(cp.tree_size) != cp.root:
            checks.append(
                Check(
                    "effects",
                    subject,
                    False,
                    f"the entries recompute to root {roots[cp.tree_size].hex()}, not the anchored"
                    f" {cp.root.hex()}",
                    where,
                )
            )
        else:
            checks.append(
                Check("effects", subject, True, "the entries recompute to the anchored root")
            )
        if previous is not None and cp.tree_size <= size:
            try:
                proof = store.consistency_proof(previous.tree_size, cp.tree_size)
                consistent = verify_consistency(
                    previous.tree_size, cp.tree_size, previous.root, cp.root, proof
                )
            except (LedgerError, ValueError):
                consistent = False
            checks.append(
                Check(
                    "effects",
                    f"checkpoints {previous.index} → {cp.index} of {log_id}",
                    consistent,
                    "the stored tree proves the two checkpoints consistent"
                    if consistent
                    else "the stored tree cannot prove the two checkpoints consistent"
                    " (the tree files or entries were altered)",
                    None if consistent else where,
                )
            )
        previous = cp
    if not anchored:
        checks.append(Check("effects", f"effect log {log_id}", True, "no checkpoint anchored yet"))
    return checks


# -- scores ---------------------------------------------------------------------------


def published_scores(
    scoreboard: ScoreBoardContract, chain: Iterable[EventRecord]
) -> list[PublishedScore]:
    ids = sorted({int(e.args["scoreId"]) for e in chain if e.event == "ScorePublished"})
    return [scoreboard.score_of(i) for i in ids]


def verify_scores(
    scorer: ScoreFunction,
    archive: ScoreArchive,
    scoreboard: ScoreBoardContract,
    chain: Sequence[EventRecord],
) -> list[Check]:
    checks: list[Check] = []
    for score in published_scores(scoreboard, chain):
        checks.extend(verify_published(scorer, archive, score, chain))
    return checks


# -- findings -------------------------------------------------------------------------


def verify_findings(
    folder: Path, chain: Sequence[EventRecord], policy_id: str | None = None
) -> list[Check]:
    """Each raised finding's stored details (in ``folder``) against the digest anchored."""
    checks = []
    for e in _trail(chain, "FindingRaised", policy_id):
        finding_id = e.args["findingId"]
        path = folder / f"{finding_id}.json"
        subject = f"finding {finding_id} details"
        try:
            digest = "0x" + hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            checks.append(
                Check("findings", subject, False, "the stored details are missing", str(path))
            )
            continue
        if digest != e.args["detailDigest"]:
            checks.append(
                Check(
                    "findings",
                    subject,
                    False,
                    f"the stored details hash to {digest}, not the anchored"
                    f" {e.args['detailDigest']} (they were altered)",
                    str(path),
                )
            )
        else:
            checks.append(Check("findings", subject, True, "the details match the anchored digest"))
    return checks


# -- everything -----------------------------------------------------------------------


def audit(
    sources: AuditSources,
    policy_id: str | None = None,
    progress: Progress | None = None,
    *,
    chain: Sequence[EventRecord] | None = None,
) -> AuditReport:
    """Run every check, for the whole ledger or one policy's trail.

    ``chain`` is the chain's events when the caller has read them already.
    """
    say = progress or (lambda _stage: None)
    report = AuditReport()
    if policy_id is not None:
        latest, _revoked = sources.policies.state(policy_id)
        if latest == 0:
            raise NotFoundError("policy", policy_id)
    if chain is None:
        say("reading the chain")
        chain = chain_events(sources.handle, sources.deployment)
    say("checking records")
    report.extend(verify_records(sources.records, chain, policy_id))
    say("checking the index")
    index_checks, cursor = verify_index(sources.index, chain, policy_id)
    report.extend(index_checks)
    head = int(sources.handle.w3.eth.block_number)
    if cursor is not None and cursor < head:
        report.notes.append(
            f"the index covers blocks up to {cursor}; the chain is at {head}"
            " (run `govledger index` to catch up)"
        )
    say("checking the effect log")
    report.extend(verify_effects(sources.effects, chain))
    say("checking findings")
    report.extend(verify_findings(sources.findings_dir, chain, policy_id))
    say("recomputing published scores")
    report.extend(verify_scores(sources.scorer, sources.archive, sources.scoreboard, chain))
    if not report.checks:
        report.notes.append("nothing to check yet")
    return report


__all__ = [
    "AuditSources",
    "anchored_checkpoints",
    "audit",
    "chain_events",
    "in_trail",
    "published_scores",
    "verify_effects",
    "verify_findings",
    "verify_index",
    "verify_records",
    "verify_scores",
]
