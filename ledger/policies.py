"""The book of anchored policies: anchor, approve, list and verify knowledge records.

It takes the narrow things it uses: the PolicyRegistry wrapper (which resolves who
signs), the record store, the event index and a way to bring the index up to date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from ledger.chain.types import TxRef
from ledger.errors import ContractRevert, ForbiddenError, NotFoundError, RecordError
from ledger.knowledge.canonical import record_digest
from ledger.knowledge.models import PolicyRecord
from ledger.knowledge.store import RecordStore
from ledger.mechanisms.policies import PolicyRegistryContract
from ledger.store.sql import EventStore
from ledger.times import format_timestamp


@dataclass(frozen=True)
class AnchorResult:
    policy_id: str
    version: int
    digest: str
    tx: TxRef | None  # None when nothing had to be sent
    #: "anchored", "already anchored", "proposed" (a city-level version waiting for two
    #: leaders), "already proposed", or "approved" (one leader so far)
    status: str = "anchored"


class PolicyBook:
    """Knowledge records: stored by digest, anchored on chain, read back and verified."""

    def __init__(
        self,
        registry: PolicyRegistryContract,
        records: RecordStore,
        store: EventStore,
    ) -> None:
        self.registry = registry
        self.records = records
        self.store = store

    def anchor(self, record: PolicyRecord, as_department: str | None = None) -> AnchorResult:
        """Store the record by digest and anchor it, signed by its issuing department.

        Anchoring a version that is already on chain with the same digest is a no-op;
        with a different digest it is an error: versions are superseded, never edited.
        """
        issuer = as_department or record.issuer
        if issuer != record.issuer:
            raise ForbiddenError(
                f"department {issuer!r} cannot anchor a record issued by {record.issuer!r}"
            )
        signer = self.registry.signers.of(issuer, "ISSUER")
        digest = "0x" + record_digest(record).hex()
        latest, _revoked = self.registry.state(record.id)
        if record.version <= latest:
            anchored = self.registry.version(record.id, record.version)
            if anchored.digest != digest:
                raise RecordError(
                    f"{record.id} version {record.version} is already anchored with digest"
                    f" {anchored.digest}; this record's digest is {digest}."
                    " Versions are never edited: anchor it as a new version."
                )
            self.records.put(record)
            return AnchorResult(record.id, record.version, digest, None, "already anchored")
        # The record is stored only once the chain took it, so a rejected record (say a
        # skipped version) can be corrected; "already anchored" above stores it too, so
        # a crash between the two steps is mended by anchoring again.
        if record.level == "city":
            try:
                ref = self.registry.propose_city(signer, record)
            except ContractRevert as err:
                if err.name != "ProposalPending" or err.arguments["version"] != record.version:
                    raise
                self.records.put(record)
                return AnchorResult(record.id, record.version, digest, None, "already proposed")
            self.records.put(record)
            return AnchorResult(record.id, record.version, digest, ref, "proposed")
        ref = self.registry.anchor(signer, record)
        self.records.put(record)
        return AnchorResult(record.id, record.version, digest, ref)

    def approve(self, policy_id: str, version: int, leader_department: str) -> AnchorResult:
        """A leader's approval of a proposed city-level version (the second one anchors it)."""
        signer = self.registry.signers.of(leader_department, "LEADER")
        record = self.records.get(policy_id, version)
        ref = self.registry.approve(signer, policy_id, version, record_digest(record))
        latest, _revoked = self.registry.state(policy_id)
        status = "anchored" if latest >= version else "approved"
        digest = "0x" + record_digest(record).hex()
        return AnchorResult(policy_id, version, digest, ref, status)

    def summaries(self) -> list[dict[str, Any]]:
        """Every anchored policy's latest version, from the index and the record store.

        It reads what is indexed: callers sync the index first when they need the head.
        """
        latest: dict[str, Any] = {}
        revoked: set[str] = set()
        for e in self.store.events(contract="PolicyRegistry"):
            if e.event == "PolicyAnchored":
                latest[e.args["policyId"]] = e
            elif e.event == "PolicyRevoked":
                revoked.add(e.args["policyId"])
        rows = []
        for policy_id, anchor in sorted(latest.items()):
            record = self.stored_record(policy_id, anchor.args["version"], anchor.args["digest"])
            rows.append(
                {
                    "id": policy_id,
                    "version": anchor.args["version"],
                    "digest": anchor.args["digest"],
                    "title": record.title if record else None,
                    "issuer": record.issuer if record else None,
                    "kind": anchor.args["kind"],
                    "element": anchor.args["element"],
                    "effective": format_timestamp(anchor.args["effectiveAt"]),
                    "clauses": anchor.args["clauseIds"],
                    "revoked": policy_id in revoked,
                    "block": anchor.block_number,
                    "tx": anchor.tx_hash,
                    "recordStored": record is not None,
                }
            )
        return rows

    def stored_record(self, policy_id: str, version: int, digest: str) -> PolicyRecord | None:
        """The stored record of one version, only if its bytes hash to ``digest``."""
        try:
            raw = self.records.raw(digest.removeprefix("0x"))
        except (NotFoundError, RecordError, OSError):
            return None
        if "0x" + keccak(raw).hex() != digest:
            return None
        try:
            record = self.records.load_raw_record(digest.removeprefix("0x"))
        except RecordError:
            return None
        return record if (record.id, record.version) == (policy_id, version) else None

    def verify(self, policy_id: str) -> list[dict[str, Any]]:
        """Recompute every version's digest from the stored bytes and compare with the chain."""
        latest, _revoked = self.registry.state(policy_id)
        if latest == 0:
            raise NotFoundError("policy", policy_id)
        stored = {int(v["version"]): str(v["digest"]) for v in self.records.versions(policy_id)}
        checks = []
        for version in range(1, latest + 1):
            anchored = self.registry.version(policy_id, version).digest
            check: dict[str, Any] = {"version": version, "anchored": anchored, "stored": None}
            index_digest = stored.get(version)
            try:
                raw = self.records.raw((index_digest or anchored).removeprefix("0x"))
            except (NotFoundError, RecordError, OSError):
                check.update(ok=False, problem="the stored record is missing")
                checks.append(check)
                continue
            recomputed = "0x" + keccak(raw).hex()
            check["stored"] = recomputed
            if recomputed != anchored:
                check.update(
                    ok=False,
                    problem="the stored record's bytes do not hash to the anchored digest"
                    " (the record was altered after anchoring)",
                )
            else:
                check.update(ok=True, problem=None)
            checks.append(check)
        return checks
