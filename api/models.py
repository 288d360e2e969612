"""Request and public response models of the API.

Requests are strict and refuse unknown fields. The body of ``POST /policies`` is
the knowledge record itself (:class:`ledger.knowledge.models.PolicyRecord`, the
same fields as the YAML record format), so the API and the CLI validate records
with one model.

Responses use snake_case. They are built from the ledger's read models, whose
keys are the contracts' camelCase argument names; each public model reads those
keys through validation aliases, so the mapping is declared once, here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, Self

from pydantic import AliasGenerator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ledger.chain.types import TxRef
from ledger.knowledge.models import PolicyRecord
from ledger.mechanisms.attestations import StatisticCreate
from ledger.mechanisms.directory import (
    DepartmentPlacement,
    JurisdictionCreate,
    JurisdictionMove,
    JurisdictionRename,
    MilestonesUpdate,
    TierName,
)
from ledger.mechanisms.drills import DrillPlanCreate, DrillRecord
from ledger.mechanisms.fields import Digest
from ledger.mechanisms.sharing import (
    AgreementCreate,
    CatalogItemCreate,
    DeliveryCreate,
    Permission,
    PermissionName,
)
from ledger.mechanisms.systems import SystemConnection, SystemCreate
from ledger.mechanisms.workorders import (
    CategorySet,
    OrderAccept,
    OrderEvaluate,
    OrderFeedback,
    OrderTransfer,
)

# -- requests ------------------------------------------------------------------
# One request model per operation, declared beside its contract wrapper in the ledger:
# the route takes it as its body and the CLI builds it from its options.

#: The body of ``POST /policies``: a knowledge record.
PolicyRecordIn = PolicyRecord

REQUESTS = (
    CatalogItemCreate,
    AgreementCreate,
    DeliveryCreate,
    CategorySet,
    OrderAccept,
    OrderTransfer,
    OrderFeedback,
    OrderEvaluate,
    DrillPlanCreate,
    DrillRecord,
    SystemCreate,
    SystemConnection,
    StatisticCreate,
    JurisdictionCreate,
    JurisdictionRename,
    JurisdictionMove,
    DepartmentPlacement,
    MilestonesUpdate,
)


def _permission_name(value: Any) -> Any:
    """Read models carry the contract's ``uint8``; the API speaks names."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Permission(value).name.lower()
    return value


PublicPermission = Annotated[PermissionName, BeforeValidator(_permission_name)]

# -- responses -------------------------------------------------------------------


class _Public(BaseModel):
    """A response model that can be read from a read model's camelCase keys."""

    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=to_camel),
        validate_by_name=True,
        validate_by_alias=True,
    )


class TxPublic(_Public):
    tx: str = Field(description="Transaction hash.")
    block: int = Field(description="Block number the transaction landed in.")

    @classmethod
    def landed(cls, ref: TxRef, **fields: Any) -> Self:
        """The response to a write whose transaction landed at ``ref``."""
        return cls(tx=ref.tx_hash, block=ref.block_number, **fields)


class _Page(BaseModel):
    """A list response: ``data`` and its ``count``."""

    @classmethod
    def of(cls, rows: Sequence[Any]) -> Self:
        """The page of ``rows`` (read-model dicts, validated into ``data``'s model)."""
        return cls.model_validate({"data": rows, "count": len(rows)})


class PolicyAnchored(_Public):
    policy: str
    version: int
    digest: str = Field(description="keccak256 of the record's canonical (RFC 8785) JSON.")
    tx: str | None = Field(description="None when this exact version was already anchored.")
    block: int | None


class PolicyPublic(_Public):
    id: str
    version: int
    digest: str
    title: str | None
    issuer: str | None
    kind: str
    element: str
    effective: str
    clauses: list[str]
    revoked: bool
    block: int
    tx: str
    record_stored: bool = Field(description="Whether the record's bytes are stored and intact.")


class PolicyDetailPublic(PolicyPublic):
    record: PolicyRecord | None = Field(
        description="The stored record of the latest version; None if missing or altered."
    )


class PoliciesPublic(_Page):
    data: list[PolicyPublic]
    count: int


class VersionCheckPublic(_Public):
    version: int
    anchored: str = Field(description="The digest anchored on chain.")
    stored: str | None = Field(description="The digest recomputed from the stored bytes.")
    ok: bool
    problem: str | None


class PolicyVerificationPublic(BaseModel):
    policy_id: str
    verified: bool = Field(description="Whether every version's stored bytes match the chain.")
    checks: list[VersionCheckPublic]


class DepartmentPublic(_Public):
    id: str
    name: str
    account: str


class DepartmentsPublic(_Page):
    data: list[DepartmentPublic]
    count: int


class CatalogItemPublic(_Public):
    item_id: str
    provider_id: str
    data_type: str
    permission: PublicPermission
    disclosure: str
    block: int
    tx: str
    registered_at: int


class CatalogItemsPublic(_Page):
    data: list[CatalogItemPublic]
    count: int


class CatalogItemCreated(TxPublic):
    item_id: str
    provider_id: str


class DeliveryPublic(_Public):
    period: int
    due_at: int
    status: Literal["delivered", "missed"]
    on_time: bool | None = None
    record_count: int | None = None
    payload_digest: str | None = None
    at: int
    tx: str


class AgreementPublic(_Public):
    agreement_id: str
    policy_id: str
    clause_id: str
    provider_id: str
    consumer_id: str
    item_id: str
    permission: PublicPermission
    first_due_at: int
    period_seconds: int = Field(validation_alias="period")
    periods: int
    calls_per_period: int
    block: int
    tx: str
    committed_at: int
    on_time: int = Field(description="Periods delivered by their due time.")
    late: int = Field(description="Periods delivered after their due time.")
    missed: int = Field(description="Periods marked missed.")
    revoked: bool
    revoked_at: int | None = None
    deliveries: list[DeliveryPublic]


class AgreementsPublic(_Page):
    data: list[AgreementPublic]
    count: int


class AgreementCommitted(TxPublic):
    agreement_id: str
    provider_id: str


class DeliveryRecorded(TxPublic):
    agreement_id: str
    period: int


class EventPublic(BaseModel):
    block: int
    block_hash: str
    block_time: int
    tx: str
    log_index: int
    contract: str
    event: str
    args: dict[str, Any] = Field(description="Decoded event arguments, by their ABI names.")


class EventsPublic(BaseModel):
    data: list[EventPublic]
    count: int = Field(description="How many events are in `data`.")
    limit: int
    offset: int


class HealthPublic(BaseModel):
    """``ok``, or ``busy`` when a long request holds the embedded chain (``block`` is then
    the last head this endpoint saw, or null)."""

    status: Literal["ok", "busy"]
    chain: Literal["embedded", "rpc"]
    block: int | None


class Problem(BaseModel):
    """An RFC 9457 problem details object (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:govledger:problem:contract-revert"])
    title: str
    status: int
    detail: str
    instance: str | None = None


# -- the 12345 hotline, drills, systems, attested statistics ------------------------------

#: The stages of a work order, in the order they happen (``IWorkOrders.Stage``).
StageName = Literal[
    "accepted", "transferred", "handled", "feedback_given", "completed", "evaluated"
]


class CategorySetDone(TxPublic):
    category: str
    sla_seconds: int


class OrderStep(TxPublic):
    """A work order after one of its steps, as the contract now stores it."""

    order_id: str
    stage: StageName
    handler_id: str | None = Field(description="None until the first transfer.")
    sla_deadline: int
    overdue: bool
    late: bool = Field(description="Completed after its SLA deadline.")
    score: int | None = Field(description="None until evaluated.")


class OrderTransferPublic(_Public):
    handler_id: str
    previous_handler_id: str | None
    at: int
    tx: str


class WorkOrderPublic(_Public):
    """One work order and the block time it reached each stage (None: not yet)."""

    order_id: str
    policy_id: str
    clause_id: str
    category: str
    case_digest: str = Field(description="Salted digest of the case file.")
    sla_deadline: int
    operator: str = Field(description="The account that accepted the order.")
    operator_id: str | None = Field(description="The operator's department.")
    handler_id: str | None
    stage: StageName = Field(description="The last stage reached.")
    accepted_at: int
    transferred_at: int | None = Field(description="The first transfer.")
    handled_at: int | None
    feedback_at: int | None
    completed_at: int | None
    evaluated_at: int | None
    late: bool = Field(description="Completed after its SLA deadline.")
    overdue: bool = Field(description="Marked overdue (its SLA passed before completion).")
    overdue_at: int | None
    score: int | None
    feedback_digest: str | None
    transfers: list[OrderTransferPublic]
    block: int
    tx: str


class WorkOrdersPublic(_Page):
    data: list[WorkOrderPublic]
    count: int


class DrillPlanned(TxPublic):
    plan_id: str
    owner_id: str


class DrillStep(TxPublic):
    plan_id: str
    index: int
    status: Literal["held", "missed"]


class DrillPublic(_Public):
    index: int
    due_at: int
    status: Literal["open", "held", "missed"]
    within_window: bool | None = Field(description="Held no more than 7 days after due.")
    seats_met: bool | None = Field(description="Held with at least the required seats.")
    seats_present: int | None
    systems_online: int | None
    record_digest: str | None
    at: int | None
    tx: str | None


class DrillPlanPublic(_Public):
    plan_id: str
    owner_id: str
    policy_id: str
    clause_id: str
    kind: Literal["full", "half"]
    first_due_at: int
    interval_seconds: int = Field(validation_alias="interval")
    count: int
    total_seats: int
    required_seats: int
    planned_at: int
    block: int
    tx: str
    held: int
    on_time: int = Field(description="Drills held within their window.")
    seats_met: int = Field(description="Drills held with the required seats.")
    missed: int
    open: int
    drills: list[DrillPublic]


class DrillPlansPublic(_Page):
    data: list[DrillPlanPublic]
    count: int


class SystemState(TxPublic):
    system_id: str
    owner_id: str
    reserved: bool = Field(description="A reserved slot not filled yet: it cannot connect.")
    connected: bool


class SystemChangePublic(_Public):
    change: Literal["filled", "connected", "disconnected"]
    policy_id: str | None
    clause_id: str | None
    at: int
    tx: str


class SystemPublic(_Public):
    system_id: str
    owner_id: str
    kind: str
    heartbeat_seconds: int = Field(validation_alias="heartbeatInterval")
    feeds_data_center: bool
    slot: bool = Field(description="Registered as a reserved slot.")
    reserved: bool = Field(description="Still a reserved slot: visible, not connectable.")
    filled_at: int | None
    connected: bool
    policy_id: str | None = Field(description="The clause of the last (dis)connection.")
    clause_id: str | None
    registered_at: int
    block: int
    tx: str
    history: list[SystemChangePublic]


class SystemsPublic(_Page):
    data: list[SystemPublic]
    count: int


class StatisticVersionPublic(_Public):
    version: int
    supersedes_version: int
    value: float = Field(description="A share in [0, 1].")
    value_ppm: int
    period: str
    source_digest: str
    policy_id: str
    clause_id: str
    attester: str
    attester_id: str | None
    attested_at: int
    block: int
    tx: str


class StatisticPublic(StatisticVersionPublic):
    """The version in force of one statistic, with every version (oldest first)."""

    key: str
    history: list[StatisticVersionPublic]


class StatisticsPublic(_Page):
    data: list[StatisticPublic]
    count: int


class StatisticAttestedDone(TxPublic):
    key: str
    version: int
    value: float
    value_ppm: int
    period: str


# -- policies: approvals -------------------------------------------------------------


class ApprovalCreate(BaseModel):
    """A leader's approval of a proposed city-level version."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="The proposed version being approved.")


class ApprovalPublic(BaseModel):
    policy: str
    version: int
    digest: str
    status: str = Field(description="'approved' (one leader so far) or 'anchored' (two leaders).")
    tx: str
    block: int


# -- the effect log ---------------------------------------------------------------------


MAX_BATCH = 10_000


class EntriesCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description="Calls ({kind: 'call', agreement, system, at, records, permission,"
        " latency_ms[, request_id, subject]}) and heartbeats ({kind: 'heartbeat', system, at}).",
    )


class EntryRejected(BaseModel):
    index: int
    reason: str


class EntriesAdded(BaseModel):
    added: int
    duplicates: int
    rejected: list[EntryRejected]
    size: int = Field(description="Entries in the log after this batch.")
    checkpoint: dict[str, Any] | None = Field(
        description="The checkpoint this batch triggered (by size or age), if any."
    )


class LogStatusPublic(BaseModel):
    log_id: str
    owner: str
    size: int
    checkpoint: int
    anchored_size: int
    root: str
    pending: int


# -- audit, published scores and findings ------------------------------------------------


class CheckPublic(BaseModel):
    area: str = Field(description="records, index, effects, scores or findings.")
    subject: str
    ok: bool
    detail: str = Field(description="What was found; for a failure, what differs.")
    where: str | None = Field(description="For a failure, where: record, block/tx/log, seq.")


class AuditPublic(BaseModel):
    ok: bool = Field(description="True only when every check passed.")
    verdict: str
    checks: list[CheckPublic]
    notes: list[str]


class ScorePublic(BaseModel):
    score_id: int
    scope: str
    spec_hash: str
    as_of_block: int
    evidence_root: str
    result_hash: str
    window_start: int
    window_end: int
    publisher: str
    published_at: int
    provisional: bool = Field(description="The as-of block is not final on this chain yet.")


class ScoresPublic(_Page):
    data: list[ScorePublic]
    count: int


class ScoreVerifyPublic(AuditPublic):
    score: ScorePublic


class FindingPublic(BaseModel):
    finding_id: str
    status: str = Field(description="Open, Responded, Accepted or Overdue.")
    score_id: int
    policy_id: str
    clause_id: str
    metric: str
    department_id: str
    deadline: int
    detail_digest: str
    was_overdue: bool


class FindingsPublic(_Page):
    data: list[FindingPublic]
    count: int


class FindingResponseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    plan_digest: Digest
    evidence_digest: Digest


class FindingStep(BaseModel):
    finding_id: str
    status: str
    tx: str
    block: int


# -- maturity ----------------------------------------------------------------------------

#: A number as a score result writes it: ints as they are, floats rounded, and the
#: strings ``"inf"``/``"-inf"`` for infinities (MATURITY.md, "Result").
Number = int | float | str


class _ResultPart(BaseModel):
    """Part of a score result: later spec versions add members, so extras are kept as
    they are (the result hash covers every member)."""

    model_config = ConfigDict(extra="allow")


class ScoreWindowPublic(_ResultPart):
    start: int = Field(description="Block time (UTC seconds) the evidence window starts.")
    end: int
    start_utc: str
    end_utc: str


class IndicatorScorePublic(_ResultPart):
    id: str
    element: str
    name: str
    status: str = Field(description="Whether the indicator is rated, and if not, why.")
    raw: Number | None = Field(description="The measured value, before normalisation.")
    score: Number | None = Field(description="The normalised score; None when not rated.")
    evidence: list[Any] = Field(description="The keys of the events and entries it counts.")


class ElementScorePublic(_ResultPart):
    id: str
    name: str
    status: str
    score: Number | None
    level: str | None


class MaturityPublic(_ResultPart):
    """A maturity score result (MATURITY.md): the evidence window, every indicator with its
    raw value, score, status and evidence, the four elements, the overall ``M`` (weighted
    geometric mean), the arithmetic mean, the level, the evidence root and the hash that
    covers them all. ``M`` and other numbers may be None (a spec may leave them unrated)."""

    spec_version: int
    spec_hash: str
    scope: str = Field(description='"city" or a department id.')
    window: ScoreWindowPublic
    indicators: list[IndicatorScorePublic]
    elements: list[ElementScorePublic]
    M: Number | None = Field(description="Weighted geometric mean of the element scores.")
    arithmetic_mean: Number | None
    level: str = Field(examples=["L3"])
    evidence_root: str
    result_hash: str = Field(description="SHA-256 of the canonical result without this member.")


# -- jurisdictions -------------------------------------------------------------------


class MilestonePublic(BaseModel):
    at: int = Field(description="UNIX time (UTC).")
    time: str = Field(description="The same time written out (UTC).")
    level: int = Field(description="The maturity level expected by then (1-5).")


class _JurisdictionBase(_Public):
    id: str
    parent_id: str | None = Field(description="None for a root.")
    tier: int = Field(description="1 province, 2 city, 3 district, 4 street, 5 community, 6 grid.")
    tier_name: TierName
    name: str
    children: list[str] = Field(description="The direct children's ids.")
    departments: list[str] = Field(description="The departments placed here (not below).")


class JurisdictionPublic(_JurisdictionBase):
    depth: int = Field(description="0 for a root, its children 1, and so on.")


class JurisdictionsPublic(BaseModel):
    """The tree flattened depth first (each parent before its children), one page at a time."""

    data: list[JurisdictionPublic]
    count: int = Field(description="How many jurisdictions are in `data`.")
    limit: int
    offset: int


class JurisdictionDetailPublic(_JurisdictionBase):
    path: list[str] = Field(description="The ancestors, from the root down to the parent.")
    milestones: list[MilestonePublic] = Field(
        description="Staged targets; the national path (L4 by 2025, L5 by 2035) unless set."
    )


class JurisdictionState(JurisdictionDetailPublic, TxPublic):
    """A jurisdiction after a write, and where the write landed."""


class DepartmentPlacedPublic(TxPublic):
    department_id: str
    jurisdiction_id: str
    from_jurisdiction_id: str | None = Field(description="None on the first placement.")
