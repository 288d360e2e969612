"""The scenario file format (YAML, ``schema_version: 1``).

See ``ledger/scenarios/README.md`` for the format with examples. Times in a scenario are
offsets from its start (``+0d``, ``+90d``, ``+36h``); durations are ``<number><unit>`` with
unit ``s``, ``m``, ``h``, ``d`` or ``w`` (or a plain number of seconds). A scenario may
declare its ``jurisdictions`` (the tree, each department's place, staged targets) and
``include`` other scenario files (:mod:`ledger.scenario.compose`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ledger.errors import LedgerValueError
from ledger.ids import check_id

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400}
_DURATION_RE = re.compile(r"^\+?(\d+(?:\.\d+)?)\s*([smhdw])$")


def _seconds(value: Any) -> int:
    if isinstance(value, bool):
        raise LedgerValueError("expected a duration such as 30m, 12h or 7d")
    if isinstance(value, int | float):
        if value < 0:
            raise LedgerValueError("durations are not negative")
        return int(value)
    if isinstance(value, str):
        match = _DURATION_RE.match(value.strip())
        if match:
            return int(float(match.group(1)) * _UNITS[match.group(2)])
    raise LedgerValueError(f"expected a duration such as 30m, 12h or 7d, not {value!r}")


def _id(what: str) -> AfterValidator:
    def check(value: str) -> str:
        return check_id(value, what)

    return AfterValidator(check)


def _moment(value: Any) -> int | datetime:
    """A milestone's time: an offset from the scenario's start (``365d``), or a UTC date
    (the end of that day, as the national path reads "by 2025-12-31") or date-time."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), UTC)
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()):
        text = value.strip()
        try:
            if len(text) == 10:
                return _moment(date.fromisoformat(text))
            return _moment(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            raise LedgerValueError(f"{value!r} is not a valid UTC date or date-time") from None
    return _seconds(value)


def _level(value: Any) -> Any:
    """A maturity level: 1..5, or written ``L1``..``L5``."""
    if isinstance(value, str) and re.fullmatch(r"[Ll][1-5]", value.strip()):
        return int(value.strip()[1])
    if isinstance(value, bool) or not isinstance(value, int):
        raise LedgerValueError(f"expected a level L1..L5, not {value!r}")
    return value


Duration = Annotated[int, BeforeValidator(_seconds)]
#: An offset from the scenario's start, e.g. ``+30d``.
Offset = Annotated[int, BeforeValidator(_seconds)]
Id = Annotated[str, _id("id")]
Role = Literal["ISSUER", "LEADER", "OPERATOR", "STATISTICIAN", "SCORER", "AUDITOR"]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
#: When a milestone falls due: an offset from the start, or an absolute UTC time.
Moment = Annotated[int | datetime, BeforeValidator(_moment)]
Level = Annotated[int, BeforeValidator(_level), Field(ge=1, le=5)]
TierName = Literal["province", "city", "district", "street", "community", "grid"]
#: Tier numbers as the Directory stores them: a child's tier is greater than its parent's.
TIERS: dict[str, int] = {
    "province": 1,
    "city": 2,
    "district": 3,
    "street": 4,
    "community": 5,
    "grid": 6,
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Department(_Model):
    id: Id
    name: str = Field(min_length=1)
    roles: tuple[Role, ...] = ()
    #: The jurisdiction the department belongs to (or list it in the jurisdiction's
    #: ``departments``; not both).
    jurisdiction: Id | None = None


class Milestone(_Model):
    """A staged target: the level a jurisdiction should reach by a time."""

    by: Moment
    level: Level


class Jurisdiction(_Model):
    """A node of the jurisdiction tree (province, city, district, street, community, grid)."""

    id: Id
    name: str = Field(min_length=1)
    tier: TierName
    #: The jurisdiction above; a root has none.
    parent: Id | None = None
    #: Departments that belong here (each department belongs to exactly one jurisdiction).
    departments: tuple[Id, ...] = ()
    #: Staged targets; none keeps the national path (L4 by 2025, L5 by 2035).
    milestones: tuple[Milestone, ...] = ()


class PolicySource(_Model):
    """A knowledge record, from a YAML file beside the scenario or written inline."""

    file: str | None = None
    record: dict[str, Any] | None = None
    #: Leaders' departments approving a city-level record (two distinct ones).
    approved_by: tuple[Id, ...] = ()
    #: In force from the scenario's start plus this (replaces the record's ``effective``).
    effective: Offset | None = None
    #: Anchored (proposed and approved, for a city-level record) at this offset; 0 anchors it
    #: while the scenario is set up, before its start.
    at: Offset = 0

    @model_validator(mode="after")
    def _one_source(self) -> PolicySource:
        if (self.file is None) == (self.record is None):
            raise LedgerValueError("give exactly one of 'file' or 'record'")
        return self


class CatalogItem(_Model):
    id: Id
    provider: Id
    type: Id
    permission: Literal["open", "conditional", "restricted"] = "conditional"
    disclosure: Id = "on-request"


class Deliveries(_Model):
    """How the provider delivers: every period on time, except those listed."""

    late: tuple[int, ...] = ()
    late_by: Duration = 86_400
    missing: tuple[int, ...] = ()
    records: int = Field(default=100, ge=0)


class Agreement(_Model):
    id: Id
    item: Id
    consumer: Id
    policy: Id
    clause: Id
    permission: Literal["open", "conditional", "restricted"] = "conditional"
    first_due: Offset
    period: Duration = Field(gt=0)
    periods: int = Field(gt=0, le=10_000)
    #: Committed at this offset (before its first delivery).
    at: Offset = 0
    calls_per_period: int = Field(default=0, ge=0)
    #: Share of the committed calls the consumer makes (default: the effect traffic's).
    call_share: Share | None = None
    deliveries: Deliveries = Deliveries()


class Category(_Model):
    id: Id
    sla: Duration = Field(gt=0)


class Connection(_Model):
    policy: Id
    clause: Id
    at: Offset = 0


class System(_Model):
    id: Id
    owner: Id
    kind: Id
    heartbeat: Duration = 300
    feeds_data_center: bool = False
    #: A slot for data that cannot be had yet (for example vertical-ministry data).
    reserved: bool = False
    connect: Connection | None = None


class DrillPlan(_Model):
    id: Id
    owner: Id
    policy: Id
    clause: Id
    kind: Literal["full", "half"]
    first_due: Offset
    interval: Duration = Field(gt=0)
    count: int = Field(gt=0, le=1000)
    seats: int = Field(gt=0, le=65_535)
    #: Seats required; default all seats for a full drill, half (rounded up) for a half drill.
    required: int | None = None
    #: Seats present at each drill (default: the required seats).
    present: int | None = None
    #: Drills (by index) held this long after their due time (beyond 7 days is outside the window).
    held_late: dict[int, Duration] = Field(default_factory=dict)
    missing: tuple[int, ...] = ()
    systems_online: int = Field(default=0, ge=0)

    def required_seats(self) -> int:
        if self.required is not None:
            return self.required
        return self.seats if self.kind == "full" else (self.seats + 1) // 2


class Attestation(_Model):
    key: Id
    value: Share
    period: Id
    source: str = Field(min_length=1)
    policy: Id
    clause: Id
    by: Id
    at: Offset = 0


class OrderSteps(_Model):
    """Offsets of each stage from acceptance; ``evaluate`` is the citizen's 1-5 score or null.

    ``handle``, ``feedback`` or ``complete`` null: the order stops before that stage and stays
    open past its SLA, and it is marked overdue an hour after its SLA deadline.
    """

    transfer: Duration = 3600
    handle: Duration | None = 6 * 3600
    feedback: Duration | None = 20 * 3600
    complete: Duration | None = 24 * 3600
    evaluate_after: Duration = 48 * 3600
    evaluate: int | None = Field(default=5, ge=1, le=5)
    retransfer_to: Id | None = None


class WorkOrder(_Model):
    id: Id
    at: Offset
    category: Id
    policy: Id
    clause: Id
    operator: Id
    handler: Id
    steps: OrderSteps = OrderSteps()


class WorkOrderStream(_Model):
    """Many work orders drawn reproducibly (seeded) between two offsets."""

    prefix: Id
    count: int = Field(gt=0, le=100_000)
    start: Offset = 0
    end: Offset
    categories: tuple[Id, ...] = Field(min_length=1)
    policy: Id
    clause: Id
    operator: Id
    handlers: tuple[Id, ...] = Field(min_length=1)
    #: Hours from transfer to handling: drawn log-uniformly between these bounds.
    handle_hours: tuple[float, float] = (1.0, 24.0)
    #: Share of orders completed after their SLA.
    late_share: Share = 0.05
    #: Share of orders re-transferred once to another department before handling.
    retransfer_share: Share = 0.1
    #: Share of completed orders the citizen evaluates, and the weights of scores 1..5.
    evaluated_share: Share = 0.8
    score_weights: tuple[float, float, float, float, float] = (0.02, 0.03, 0.1, 0.35, 0.5)
    seed: int = 12345


class EffectTraffic(_Model):
    """Synthetic effect-log traffic: heartbeats of the connected systems and data-sharing
    calls under the agreements, logged from ``start`` on and sealed every ``seal_every``."""

    log: Id
    owner: Id
    policy: Id
    clause: Id
    start: Offset = 0
    seal_every: Duration = Field(default=7 * 86_400, gt=0)
    #: Share of expected heartbeats that arrive.
    uptime: Share = 0.999
    #: Share of each agreement's committed calls that are made.
    call_share: Share = 0.95
    #: Share of calls that use a higher permission than their agreement granted.
    over_permission: Share = 0.0005
    seed: int = 7


class Delivery(_Model):
    agreement: Id
    period: int = Field(ge=0)
    records: int = Field(default=100, ge=0)


class Missed(_Model):
    agreement: Id
    period: int = Field(ge=0)


class SystemChange(_Model):
    system: Id
    policy: Id
    clause: Id


class DepartmentMove(_Model):
    """A department moved to another jurisdiction (its later events count there)."""

    department: Id
    to: Id


class Action(_Model):
    """One explicit step at an offset: exactly one of the action fields is set."""

    at: Offset
    deliver: Delivery | None = None
    miss: Missed | None = None
    revoke_agreement: Id | None = None
    connect: SystemChange | None = None
    disconnect: SystemChange | None = None
    fill_slot: Id | None = None
    attest: Attestation | None = None
    move_department: DepartmentMove | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Action:
        chosen = [k for k in type(self).model_fields if k != "at" and getattr(self, k) is not None]
        if len(chosen) != 1:
            names = ", ".join(k for k in type(self).model_fields if k != "at")
            raise LedgerValueError(f"each timeline step needs exactly one of: {names}")
        return self


class Scenario(_Model):
    schema_version: Literal[1]
    name: Id
    description: str = ""
    #: Other scenario files (paths relative to this one) whose contents this one adds to.
    include: tuple[str, ...] = ()
    departments: tuple[Department, ...] = Field(min_length=1)
    jurisdictions: tuple[Jurisdiction, ...] = ()
    policies: tuple[PolicySource, ...] = ()
    catalog: tuple[CatalogItem, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    categories: tuple[Category, ...] = ()
    systems: tuple[System, ...] = ()
    drills: tuple[DrillPlan, ...] = ()
    attestations: tuple[Attestation, ...] = ()
    work_orders: tuple[WorkOrder, ...] = ()
    work_order_streams: tuple[WorkOrderStream, ...] = ()
    timeline: tuple[Action, ...] = ()
    effects: EffectTraffic | None = None
    #: The scenario's clock ends here: nothing later is played, and scores are taken here.
    #: Without it the scenario ends with its last step.
    end: Offset | None = None

    def reference_problems(
        self, clauses: dict[str, set[str]] | None = None
    ) -> list[tuple[tuple[int | str, ...], str]]:
        """References to things the scenario does not define, each with its location.

        ``clauses`` (policy id -> clause ids of the scenario's records) also checks every
        policy and clause cited.
        """
        departments = {d.id for d in self.departments}
        items = {c.id for c in self.catalog}
        categories = {c.id for c in self.categories}
        agreements = {a.id for a in self.agreements}
        systems = {s.id for s in self.systems}
        jurisdictions = {j.id for j in self.jurisdictions}
        found: list[tuple[tuple[int | str, ...], str]] = []

        def need(loc: tuple[int | str, ...], value: str, known: set[str], what: str) -> None:
            if value not in known:
                found.append((loc, f"{value!r} is not a {what} of this scenario"))

        def cite(loc: tuple[int | str, ...], policy: str, clause: str) -> None:
            if clauses is None:
                return
            if policy not in clauses:
                found.append(((*loc, "policy"), f"{policy!r} is not a policy of this scenario"))
            elif clause not in clauses[policy]:
                found.append(((*loc, "clause"), f"policy {policy!r} has no clause {clause!r}"))

        for i, dep in enumerate(self.departments):
            if dep.jurisdiction is not None:
                need(
                    ("departments", i, "jurisdiction"),
                    dep.jurisdiction,
                    jurisdictions,
                    "jurisdiction",
                )
        for i, jur in enumerate(self.jurisdictions):
            if jur.parent is not None:
                need(("jurisdictions", i, "parent"), jur.parent, jurisdictions, "jurisdiction")
            for j, member in enumerate(jur.departments):
                need(("jurisdictions", i, "departments", j), member, departments, "department")
        for i, p in enumerate(self.policies):
            for j, leader in enumerate(p.approved_by):
                need(("policies", i, "approved_by", j), leader, departments, "department")
        for i, item in enumerate(self.catalog):
            need(("catalog", i, "provider"), item.provider, departments, "department")
        for i, a in enumerate(self.agreements):
            need(("agreements", i, "item"), a.item, items, "catalog item")
            need(("agreements", i, "consumer"), a.consumer, departments, "department")
            cite(("agreements", i), a.policy, a.clause)
        for i, s in enumerate(self.systems):
            need(("systems", i, "owner"), s.owner, departments, "department")
            if s.connect is not None:
                cite(("systems", i, "connect"), s.connect.policy, s.connect.clause)
        for i, d in enumerate(self.drills):
            need(("drills", i, "owner"), d.owner, departments, "department")
            cite(("drills", i), d.policy, d.clause)
        for i, t in enumerate(self.attestations):
            need(("attestations", i, "by"), t.by, departments, "department")
            cite(("attestations", i), t.policy, t.clause)
        for i, o in enumerate(self.work_orders):
            need(("work_orders", i, "category"), o.category, categories, "category")
            need(("work_orders", i, "operator"), o.operator, departments, "department")
            need(("work_orders", i, "handler"), o.handler, departments, "department")
            cite(("work_orders", i), o.policy, o.clause)
        for i, st in enumerate(self.work_order_streams):
            need(("work_order_streams", i, "operator"), st.operator, departments, "department")
            for j, cat in enumerate(st.categories):
                need(("work_order_streams", i, "categories", j), cat, categories, "category")
            for j, h in enumerate(st.handlers):
                need(("work_order_streams", i, "handlers", j), h, departments, "department")
            cite(("work_order_streams", i), st.policy, st.clause)
        if self.effects is not None:
            need(("effects", "owner"), self.effects.owner, departments, "department")
            cite(("effects",), self.effects.policy, self.effects.clause)
        for i, step in enumerate(self.timeline):
            for name in ("deliver", "miss"):
                spec = getattr(step, name)
                if spec is not None:
                    need(
                        ("timeline", i, name, "agreement"), spec.agreement, agreements, "agreement"
                    )
            if step.revoke_agreement is not None:
                need(
                    ("timeline", i, "revoke_agreement"),
                    step.revoke_agreement,
                    agreements,
                    "agreement",
                )
            for name in ("connect", "disconnect"):
                change = getattr(step, name)
                if change is not None:
                    need(("timeline", i, name, "system"), change.system, systems, "system")
                    cite(("timeline", i, name), change.policy, change.clause)
            if step.fill_slot is not None:
                need(("timeline", i, "fill_slot"), step.fill_slot, systems, "system")
            if step.attest is not None:
                need(("timeline", i, "attest", "by"), step.attest.by, departments, "department")
                cite(("timeline", i, "attest"), step.attest.policy, step.attest.clause)
            if step.move_department is not None:
                move, here = step.move_department, ("timeline", i, "move_department")
                need((*here, "department"), move.department, departments, "department")
                need((*here, "to"), move.to, jurisdictions, "jurisdiction")
        return found
