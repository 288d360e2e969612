"""The ledger: opens the chain, the keys, the records and the index, and wires the services.

``Ledger.open(settings)`` connects to the configured chain, deploys the contracts on
first use, opens the stores in the data directory and hands each service the narrow
things it uses: the contract wrappers, the signers (:class:`~ledger.mechanisms.signers.
Signers`), the chain clock (:class:`~ledger.chain.clock.ChainClock`), the index
(:class:`~ledger.store.sql.EventStore`) and its follower
(:class:`~ledger.indexer.follower.Indexer`), and the effect log
(:class:`~ledger.effects.service.Effects`). ``close()`` closes them again. The CLI,
the API and the demo act through those services; none of them talks to web3 directly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from eth_typing import ChecksumAddress
from eth_utils import keccak

from ledger.chain.artifacts import CONTRACT_NAMES, load_artifact
from ledger.chain.clock import ChainClock
from ledger.chain.deployment import (
    ContractRef,
    Deployment,
    chain_identity,
    load_deployment,
    save_deployment,
)
from ledger.chain.factory import ChainHandle, make_web3
from ledger.chain.keystore import Keystore, Signer
from ledger.chain.tx import Transactor
from ledger.chain.types import TxRef
from ledger.effects.service import Effects
from ledger.errors import (
    ContractRevert,
    ForbiddenError,
    NotFoundError,
    RecordError,
)
from ledger.indexer.follower import Indexer
from ledger.indexer.sources import EmbeddedLogSource
from ledger.knowledge.canonical import record_digest
from ledger.knowledge.models import PolicyRecord
from ledger.knowledge.store import RecordStore
from ledger.maturity.service import score_ledger
from ledger.mechanisms.attestations import AttestationsContract
from ledger.mechanisms.directory import DirectoryContract
from ledger.mechanisms.drills import DrillKind, DrillsContract
from ledger.mechanisms.effectlog import EffectLogContract
from ledger.mechanisms.findings import FindingsContract
from ledger.mechanisms.policies import PolicyRegistryContract
from ledger.mechanisms.scoreboard import ScoreBoardContract
from ledger.mechanisms.sharing import DataSharingContract, Permission
from ledger.mechanisms.signers import ADMIN_KEY, Signers, department_key
from ledger.mechanisms.systems import SystemsContract
from ledger.mechanisms.workorders import WorkOrdersContract
from ledger.settings import Settings
from ledger.store.records import EventRecord
from ledger.store.sql import EventStore
from ledger.times import format_timestamp

__all__ = ["ADMIN_KEY", "AnchorResult", "Ledger", "TxRef", "department_key", "open_ledger"]


@dataclass(frozen=True)
class AnchorResult:
    policy_id: str
    version: int
    digest: str
    tx: TxRef | None  # None when nothing had to be sent
    #: "anchored", "already anchored", "proposed" (a city-level version waiting for two
    #: leaders), "already proposed", or "approved" (one leader so far)
    status: str = "anchored"


class Ledger:
    """A govledger instance over one data directory and one chain."""

    def __init__(
        self,
        settings: Settings,
        handle: ChainHandle,
        keystore: Keystore,
        deployment: Deployment,
        transactor: Transactor,
    ) -> None:
        self.settings = settings
        self.home = settings.resolved_home()
        self.handle = handle
        self.w3 = handle.w3
        self.keystore = keystore
        self.deployment = deployment
        self.tx = transactor
        self.records = RecordStore(self.home)
        self.store = EventStore(settings.index_url())
        self.directory = DirectoryContract(transactor, deployment.address("Directory"))
        self.policies = PolicyRegistryContract(transactor, deployment.address("PolicyRegistry"))
        self.sharing = DataSharingContract(transactor, deployment.address("DataSharing"))
        self.orders = WorkOrdersContract(transactor, deployment.address("WorkOrders"))
        self.drills = DrillsContract(transactor, deployment.address("Drills"))
        self.systems = SystemsContract(transactor, deployment.address("Systems"))
        self.attestations = AttestationsContract(transactor, deployment.address("Attestations"))
        self.scoreboard = ScoreBoardContract(transactor, deployment.address("ScoreBoard"))
        self.findings = FindingsContract(transactor, deployment.address("Findings"))
        self.signers = Signers(keystore, self.directory, transactor)
        self.clock = ChainClock(handle)
        backend = handle.backend
        self.indexer = Indexer(
            self.w3,
            deployment,
            self.store,
            EmbeddedLogSource(backend) if backend is not None else None,
        )
        self.effects = Effects(
            self.home / "effects",
            EffectLogContract(transactor, deployment.address("EffectLog")),
            self.signers,
            self.clock,
            self.store,
        )

    # -- lifecycle -----------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings) -> Ledger:
        """Connect, and deploy the contracts if this chain has none of ours yet."""
        home = settings.resolved_home()
        home.mkdir(parents=True, exist_ok=True)
        handle = make_web3(settings)
        try:
            password = (
                settings.keystore_password.get_secret_value()
                if settings.keystore_password is not None
                else None
            )
            keystore = Keystore(home / "keystore", password)
            accounts = handle.w3.eth.accounts
            faucet = accounts[0] if accounts else None
            transactor = Transactor(handle.w3, faucet)
            deployment = load_deployment(home, handle.w3)
            if deployment is None or set(CONTRACT_NAMES) - set(deployment.contracts):
                deployment = _deploy(home, handle, keystore, transactor, deployment)
            return cls(settings, handle, keystore, deployment, transactor)
        except BaseException:
            handle.close()
            raise

    def close(self) -> None:
        self.effects.close()
        self.store.close()
        self.handle.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- accounts and departments ------------------------------------------
    # ``admin``, ``department_signer`` and ``require_role`` forward to :attr:`signers`
    # for the mechanism operations below, which leave this class in their own change.

    @property
    def admin(self) -> Signer:
        return self.signers.admin()

    def department_signer(self, department_id: str) -> Signer:
        return self.signers.department(department_id)

    def register_department(
        self, department_id: str, name: str, roles: tuple[str, ...] = ()
    ) -> ChecksumAddress:
        """Create the department's key, fund it, register it and grant its roles.

        Registering an existing department again only adds missing roles.
        """
        key = department_key(department_id)
        if self.directory.is_department(department_id):
            account = self.directory.account_of(department_id)
        else:
            address = self.keystore.address(key) if self.keystore.has(key) else None
            account = address or self.keystore.create(key)
            self.tx.fund(account)
            self.directory.register_department(self.admin, department_id, name, account)
        for role in roles:
            if not self.directory.has_role(role, account):
                self.directory.grant_role(self.admin, role, account)
        return account

    def require_role(self, department_id: str, role: str) -> Signer:
        return self.signers.of(department_id, role)

    # -- policies ------------------------------------------------------------

    def anchor_policy(self, record: PolicyRecord, as_department: str | None = None) -> AnchorResult:
        """Store the record by digest and anchor it, signed by its issuing department.

        Anchoring a version that is already on chain with the same digest is a no-op;
        with a different digest it is an error: versions are superseded, never edited.
        """
        issuer = as_department or record.issuer
        if issuer != record.issuer:
            raise ForbiddenError(
                f"department {issuer!r} cannot anchor a record issued by {record.issuer!r}"
            )
        signer = self.require_role(issuer, "ISSUER")
        digest = "0x" + record_digest(record).hex()
        latest, _revoked = self.policies.state(record.id)
        if record.version <= latest:
            anchored = self.policies.version(record.id, record.version)
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
                receipt = self.policies.propose_city(signer, record)
            except ContractRevert as err:
                if err.name != "ProposalPending" or err.arguments["version"] != record.version:
                    raise
                self.records.put(record)
                return AnchorResult(record.id, record.version, digest, None, "already proposed")
            self.records.put(record)
            return AnchorResult(record.id, record.version, digest, TxRef.of(receipt), "proposed")
        receipt = self.policies.anchor(signer, record)
        self.records.put(record)
        return AnchorResult(record.id, record.version, digest, TxRef.of(receipt))

    def approve_policy(self, policy_id: str, version: int, leader_department: str) -> AnchorResult:
        """A leader's approval of a proposed city-level version (the second one anchors it)."""
        signer = self.require_role(leader_department, "LEADER")
        record = self.records.get(policy_id, version)
        receipt = self.policies.approve(signer, policy_id, version, record_digest(record))
        latest, _revoked = self.policies.state(policy_id)
        status = "anchored" if latest >= version else "approved"
        digest = "0x" + record_digest(record).hex()
        return AnchorResult(policy_id, version, digest, TxRef.of(receipt), status)

    # -- data sharing --------------------------------------------------------

    def register_item(
        self,
        department_id: str,
        item_id: str,
        data_type: str,
        permission: Permission,
        disclosure: str,
    ) -> TxRef:
        signer = self.require_role(department_id, "DEPARTMENT")
        receipt = self.sharing.register_item(signer, item_id, data_type, permission, disclosure)
        return TxRef.of(receipt)

    def commit_agreement(self, department_id: str, **terms: Any) -> TxRef:
        signer = self.require_role(department_id, "DEPARTMENT")
        return TxRef.of(self.sharing.commit_agreement(signer, **terms))

    def record_delivery(
        self,
        department_id: str,
        agreement_id: str,
        period: int,
        record_count: int,
        payload: bytes | None = None,
        payload_digest: bytes | None = None,
    ) -> TxRef:
        """Record one period's delivery; the payload itself never goes on chain, its digest does."""
        signer = self.require_role(department_id, "DEPARTMENT")
        if payload_digest is None:
            payload_digest = hashlib.sha256(payload or b"").digest()
        receipt = self.sharing.record_delivery(
            signer, agreement_id, period, record_count, payload_digest
        )
        return TxRef.of(receipt)

    def mark_missed(self, agreement_id: str, period: int) -> TxRef:
        return TxRef.of(self.sharing.mark_missed(self.admin, agreement_id, period))

    # -- the 12345 hotline's closed loop -------------------------------------------

    def set_category(self, category: str, sla_seconds: int) -> TxRef:
        return TxRef.of(self.orders.set_category(self.admin, category, sla_seconds))

    def accept_order(
        self,
        operator: str,
        order_id: str,
        *,
        category: str,
        policy_id: str,
        clause_id: str,
        case_digest: bytes,
    ) -> TxRef:
        """Accept (受理) a request; only a salted digest of the case file goes on chain."""
        signer = self.require_role(operator, "OPERATOR")
        return TxRef.of(
            self.orders.accept(
                signer,
                order_id,
                category=category,
                policy_id=policy_id,
                clause_id=clause_id,
                case_digest=case_digest,
            )
        )

    def transfer_order(self, operator: str, order_id: str, handler_id: str) -> TxRef:
        signer = self.require_role(operator, "OPERATOR")
        return TxRef.of(self.orders.transfer(signer, order_id, handler_id))

    def handle_order(self, department_id: str, order_id: str) -> TxRef:
        signer = self.require_role(department_id, "DEPARTMENT")
        return TxRef.of(self.orders.handle(signer, order_id))

    def order_feedback(self, department_id: str, order_id: str, feedback_digest: bytes) -> TxRef:
        signer = self.require_role(department_id, "DEPARTMENT")
        return TxRef.of(self.orders.feedback(signer, order_id, feedback_digest))

    def complete_order(self, operator: str, order_id: str) -> TxRef:
        signer = self.require_role(operator, "OPERATOR")
        return TxRef.of(self.orders.complete(signer, order_id))

    def evaluate_order(self, operator: str, order_id: str, score: int) -> TxRef:
        signer = self.require_role(operator, "OPERATOR")
        return TxRef.of(self.orders.evaluate(signer, order_id, score))

    def mark_order_overdue(self, order_id: str) -> TxRef:
        return TxRef.of(self.orders.mark_overdue(self.admin, order_id))

    # -- drills, systems, attested statistics ----------------------------------------

    def plan_drills(
        self,
        owner: str,
        *,
        plan_id: str,
        policy_id: str,
        clause_id: str,
        kind: DrillKind,
        first_due_at: int,
        interval: int,
        count: int,
        total_seats: int,
        required_seats: int,
    ) -> TxRef:
        signer = self.require_role(owner, "DEPARTMENT")
        return TxRef.of(
            self.drills.plan_drills(
                signer,
                plan_id=plan_id,
                policy_id=policy_id,
                clause_id=clause_id,
                kind=kind,
                first_due_at=first_due_at,
                interval=interval,
                count=count,
                total_seats=total_seats,
                required_seats=required_seats,
            )
        )

    def record_drill(
        self,
        owner: str,
        plan_id: str,
        index: int,
        seats_present: int,
        systems_online: int,
        record_digest: bytes,
    ) -> TxRef:
        signer = self.require_role(owner, "DEPARTMENT")
        return TxRef.of(
            self.drills.record_drill(
                signer, plan_id, index, seats_present, systems_online, record_digest
            )
        )

    def mark_drill_missed(self, plan_id: str, index: int) -> TxRef:
        return TxRef.of(self.drills.mark_drill_missed(self.admin, plan_id, index))

    def register_system(
        self,
        owner: str,
        system_id: str,
        kind: str,
        heartbeat_interval: int,
        *,
        feeds_data_center: bool,
        reserved: bool = False,
    ) -> TxRef:
        signer = self.require_role(owner, "DEPARTMENT")
        return TxRef.of(
            self.systems.register_system(
                signer,
                system_id,
                kind,
                heartbeat_interval,
                feeds_data_center=feeds_data_center,
                reserved=reserved,
            )
        )

    def fill_slot(self, owner: str, system_id: str) -> TxRef:
        signer = self.require_role(owner, "DEPARTMENT")
        return TxRef.of(self.systems.fill_slot(signer, system_id))

    def connect_system(self, owner: str, system_id: str, policy_id: str, clause_id: str) -> TxRef:
        signer = self.require_role(owner, "DEPARTMENT")
        return TxRef.of(self.systems.connect(signer, system_id, policy_id, clause_id))

    def disconnect_system(
        self, owner: str, system_id: str, policy_id: str, clause_id: str
    ) -> TxRef:
        signer = self.require_role(owner, "DEPARTMENT")
        return TxRef.of(self.systems.disconnect(signer, system_id, policy_id, clause_id))

    def attest(
        self,
        statistician: str,
        *,
        key: str,
        value: float,
        period: str,
        source_digest: bytes,
        policy_id: str,
        clause_id: str,
    ) -> TxRef:
        signer = self.require_role(statistician, "STATISTICIAN")
        return TxRef.of(
            self.attestations.attest(
                signer,
                key=key,
                value=value,
                period=period,
                source_digest=source_digest,
                policy_id=policy_id,
                clause_id=clause_id,
            )
        )

    # -- read models -------------------------------------------------------------

    def policy_summaries(self) -> list[dict[str, Any]]:
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
                    "effective": _iso(anchor.args["effectiveAt"]),
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

    def verify_policy(self, policy_id: str) -> list[dict[str, Any]]:
        """Recompute every version's digest from the stored bytes and compare with the chain."""
        latest, _revoked = self.policies.state(policy_id)
        if latest == 0:
            raise NotFoundError("policy", policy_id)
        stored = {int(v["version"]): str(v["digest"]) for v in self.records.versions(policy_id)}
        checks = []
        for version in range(1, latest + 1):
            anchored = self.policies.version(policy_id, version).digest
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

    # -- maturity ----------------------------------------------------------------

    def score(
        self,
        scope: str | None = None,
        window_days: int | None = None,
        as_of_block: int | None = None,
        events: Sequence[EventRecord] | None = None,
    ) -> dict[str, Any]:
        """The maturity result (MATURITY.md) for the city or one department.

        ``events`` replaces the index as evidence (an auditor's fresh read of the chain).
        """
        return score_ledger(
            self, scope=scope, window_days=window_days, as_of_block=as_of_block, events=events
        )


@contextmanager
def open_ledger(settings: Settings) -> Iterator[Ledger]:
    ledger = Ledger.open(settings)
    try:
        yield ledger
    finally:
        ledger.close()


def _iso(timestamp: int) -> str:
    return format_timestamp(timestamp)


def _constructor_args(name: str, deployment: Deployment, admin: ChecksumAddress) -> tuple[Any, ...]:
    """Directory takes its admin; PolicyRegistry the directory; every mechanism both,
    and Findings the ScoreBoard as well."""
    if name == "Directory":
        return (admin,)
    if name == "PolicyRegistry":
        return (deployment.address("Directory"),)
    both = (deployment.address("Directory"), deployment.address("PolicyRegistry"))
    if name == "Findings":
        return (*both, deployment.address("ScoreBoard"))
    return both


def _deploy(
    home: Path,
    handle: ChainHandle,
    keystore: Keystore,
    transactor: Transactor,
    deployment: Deployment | None = None,
) -> Deployment:
    """Deploy every contract not yet in ``deployment``, the admin key as directory admin.

    The record is saved after each contract, so an interrupted deployment resumes.
    """
    admin_address = (
        keystore.address(ADMIN_KEY) if keystore.has(ADMIN_KEY) else keystore.create(ADMIN_KEY)
    )
    transactor.fund(admin_address)
    admin = keystore.signer(ADMIN_KEY)
    if deployment is None:
        chain_id, genesis = chain_identity(handle.w3)
        deployment = Deployment(chain_id, genesis)
    for name in CONTRACT_NAMES:
        if name in deployment.contracts:
            continue
        args = _constructor_args(name, deployment, admin_address)
        receipt = transactor.deploy(admin, load_artifact(name), *args)
        deployment.contracts[name] = ContractRef(
            address=cast(ChecksumAddress, receipt["contractAddress"]),
            tx_hash=receipt["transactionHash"].to_0x_hex(),
            block=int(receipt["blockNumber"]),
        )
        save_deployment(home, deployment)
    return deployment
