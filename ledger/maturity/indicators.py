"""Indicator measurements from indexed events (MATURITY.md, "Indicators").

Each function here turns the events of one scope, up to the ``as_of`` block, into
an :class:`~ledger.maturity.engine.IndicatorInput`: the raw value, its numerator and
denominator, the number of observations and the evidence keys
``(block number, tx hash, log index)`` of every event that entered them. Scoring
(normalisation, n_min, aggregation) is the engine's job, not theirs.

Scope. The city counts every event. A department counts the events for which it is
responsible: for the policy indicators (I*), the clauses of the policies it issued;
for data sharing (M3, D1), the agreements and items it provides. ``Evidence.scope`` is
None, one department id, a set of them, or a
:class:`~ledger.maturity.scopes.JurisdictionScope`, which counts a department's events
by where it stood at each event's block. Each observation is judged at the block of the
event that records it:

- a clause (I1, I2, I3): the anchor of its in-force version, by its issuer;
- a delivery or drill due (M3, M2): its outcome event (recorded or missed), or, when
  none was recorded, the due time;
- a work order (M1, D4, M4 version 1): its completion, or its last event when it did not
  complete, by the department it was last transferred to; a transfer (M4 version 2):
  the handling that answers it, by the department it was transferred to;
- what the window measures as a whole (T1's connections, T2's heartbeats, D1's items,
  D2's and D3's agreements): the window's end.

A department or a set of departments is the same at every block, so these moments
change nothing for them.

Versions. Every definition that changed between spec versions is read from
``Evidence.spec.definitions`` (:class:`~ledger.maturity.spec.Definitions`), never from
a global flag: version 1's definitions are its defaults and version 2's file names its
own (I1's start, execution events and sample; effect-log citations for I1 and I3; T1's
kinds; T2's rounding; M4's observations).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar, cast

from ledger.effects.types import EffectCounts, EffectView
from ledger.knowledge.models import PolicyRecord
from ledger.maturity.engine import IndicatorInput, rating_problem
from ledger.maturity.scopes import JurisdictionScope
from ledger.maturity.spec import Definitions, Spec, load_spec
from ledger.store.records import EventRecord

Key = tuple[int, str, int]
_T = TypeVar("_T")
DAY = 86_400
RecordLookup = Callable[[str, int, str], PolicyRecord | None]
#: A clause: ``(policy id, clause id)``.
ClauseRef = tuple[str, str]


@dataclass
class Evidence:
    """Events up to ``as_of`` and the window they are judged in."""

    events: Sequence[EventRecord]
    window_start: int
    window_end: int
    scope: str | Collection[str] | JurisdictionScope | None = None
    #: ``lookup(policy_id, version, anchored_digest)``: the stored record whose digest
    #: matches the anchored one, or None (missing or tampered records do not count).
    lookup: RecordLookup = field(default=lambda _p, _v, _d: None)
    #: The effect log; None means the ledger keeps none (no call or heartbeat counts).
    effects: EffectView | None = None
    #: The spec whose definitions the indicators follow (default: the latest).
    spec: Spec = field(default_factory=load_spec)
    #: Set when measuring one obligation's metric over what cites its clause (I3).
    clause: ClauseRef | None = None
    #: Shared by the evidence of many scopes over the same events, window and effect
    #: log (every node of a jurisdiction tree): what does not depend on the scope is
    #: computed once for all of them. None: nothing is kept.
    memo: dict[Any, Any] | None = field(default=None, repr=False, compare=False)

    def of(self, *names: str) -> list[EventRecord]:
        """The events named ``names``, in chain order (callers must not change the list)."""
        return self.memoised(("of", names), lambda: [e for e in self.events if e.event in names])

    def memoised(self, name: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()``, kept in :attr:`memo` under ``name`` and everything besides the
        scope that it may read (events, window, effect log, spec, clause). Only what does
        not depend on the scope may be memoised."""
        if self.memo is None:
            return compute()
        # Keep the events and effect view alive with the memo, so their ids stay theirs.
        self.memo.setdefault(("alive", id(self.events)), self.events)
        self.memo.setdefault(("alive", id(self.effects)), self.effects)
        key = (
            name,
            id(self.events),
            self.window_start,
            self.window_end,
            id(self.effects),
            self.spec.spec_hash,
            self.clause,
        )
        if key not in self.memo:
            self.memo[key] = compute()
        return cast(_T, self.memo[key])

    @property
    def definitions(self) -> Definitions:
        return self.spec.definitions

    def counts(self, department: str, at: EventRecord | int | None = None) -> bool:
        """Whether the scope counts what ``department`` acts in or is responsible for,
        at the block of event ``at``, or at block time ``at`` (default: the window's end).

        ``scope`` is None (everything), one department id, a set of them, or a
        jurisdiction (its subtree's departments at that block or time).
        """
        scope = self.scope
        if scope is None:
            return True
        if isinstance(scope, str):
            return department == scope
        if isinstance(scope, JurisdictionScope):
            if isinstance(at, EventRecord):
                return scope.counts(department, at.block_number)
            return scope.counts_at_time(department, self.window_end if at is None else at)
        return department in scope

    def may_count(self, department: str) -> bool:
        """Whether the scope counts ``department`` at some block: a quick first filter
        before :meth:`counts` at the block that decides."""
        scope = self.scope
        if isinstance(scope, JurisdictionScope):
            return department in scope.ever
        return self.counts(department)


@dataclass(frozen=True)
class InForceClause:
    policy_id: str
    clause_id: str
    version: int
    anchor: EventRecord
    record: PolicyRecord | None

    @property
    def obligation(self) -> Any:
        if self.record is None:
            return None
        for clause in self.record.clauses:
            if clause.id == self.clause_id:
                return clause.obligation
        return None


def in_force_clauses(ev: Evidence) -> list[InForceClause]:
    """Clauses of the latest version of each live policy effective by the window's end."""
    latest: dict[str, EventRecord] = {}
    revoked: set[str] = set()
    for e in ev.of("PolicyAnchored", "PolicyRevoked"):
        if e.event == "PolicyAnchored":
            latest[e.args["policyId"]] = e
        else:
            revoked.add(e.args["policyId"])
    out = []
    for policy_id, anchor in sorted(latest.items()):
        if policy_id in revoked or anchor.args["effectiveAt"] > ev.window_end:
            continue
        version = int(anchor.args["version"])
        record = ev.lookup(policy_id, version, anchor.args["digest"])
        if ev.scope is not None and (record is None or not ev.counts(record.issuer, anchor)):
            continue
        for clause_id in anchor.args["clauseIds"]:
            out.append(InForceClause(policy_id, clause_id, version, anchor, record))
    return out


def _evidence_order(key: Any) -> tuple[int, Any]:
    """On-chain keys first, in their natural order, then effect-log keys."""
    return (0, key) if isinstance(key[0], int) else (1, key)


def _ratio(indicator: str, num: int, den: int, keys: set[Any], empty_reason: str) -> IndicatorInput:
    return IndicatorInput(
        id=indicator,
        raw=(num / den) if den else None,
        numerator=num,
        denominator=den,
        sample=None,
        n=den,
        evidence=sorted(keys, key=_evidence_order),
        not_rated_reason=None if den else empty_reason,
    )


def _active_agreements(ev: Evidence) -> dict[str, EventRecord]:
    return ev.memoised("active agreements", lambda: _find_active_agreements(ev))


def _find_active_agreements(ev: Evidence) -> dict[str, EventRecord]:
    revoked = {e.args["agreementId"] for e in ev.of("AgreementRevoked")}
    return {
        e.args["agreementId"]: e
        for e in ev.of("AgreementCommitted")
        if e.args["agreementId"] not in revoked
    }


def _mechanism_citations(ev: Evidence) -> dict[tuple[str, str], list[EventRecord]]:
    """Which events of an active mechanism cite each (policy, clause).

    Active: an agreement not revoked, a drill plan, a system connected at the window's
    end, a work order accepted, an attested statistic.
    """
    return ev.memoised("citations", lambda: _find_mechanism_citations(ev))


def _find_mechanism_citations(ev: Evidence) -> dict[tuple[str, str], list[EventRecord]]:
    citing: dict[tuple[str, str], list[EventRecord]] = {}

    def cite(e: EventRecord) -> None:
        citing.setdefault((e.args["policyId"], e.args["clauseId"]), []).append(e)

    for e in _active_agreements(ev).values():
        cite(e)
    for e in ev.of("DrillsPlanned", "OrderAccepted", "StatisticAttested"):
        cite(e)
    connected: dict[str, EventRecord | None] = {}
    for e in ev.of("SystemConnected", "SystemDisconnected"):
        if e.block_time <= ev.window_end:
            connected[e.args["systemId"]] = e if e.event == "SystemConnected" else None
    for state in connected.values():
        if state is not None:
            cite(state)
    return citing


def linkage_i2(ev: Evidence) -> IndicatorInput:
    """I2: share of in-force clauses with an obligation that an active mechanism cites."""
    citing = _mechanism_citations(ev)
    keys: set[Key] = set()
    num = den = 0
    for clause in in_force_clauses(ev):
        if clause.obligation is None:
            continue
        den += 1
        keys.add(clause.anchor.key)
        cites = citing.get((clause.policy_id, clause.clause_id), [])
        if cites:
            num += 1
            keys.update(c.key for c in cites)
    return _ratio("I2", num, den, keys, "no in-force clause with an obligation")


def _agreement_terms(e: EventRecord) -> tuple[int, int, int]:
    return int(e.args["firstDueAt"]), int(e.args["period"]), int(e.args["periods"])


def sharing_fulfilment_m3(ev: Evidence) -> IndicatorInput:
    """M3: deliveries made by their due time over the deliveries due in the window."""
    revoked_at = {
        e.args["agreementId"]: int(e.args["revokedAt"]) for e in ev.of("AgreementRevoked")
    }
    outcome = _outcomes(ev, "agreementId", "period", "DeliveryRecorded", "DeliveryMissed")
    keys: set[Key] = set()
    num = den = 0
    for commit in ev.of("AgreementCommitted"):
        provider = commit.args["providerId"]
        if not ev.may_count(provider):
            continue
        aid = commit.args["agreementId"]
        first, period, periods = _agreement_terms(commit)
        for k in range(periods):
            due = first + k * period
            if due < ev.window_start or due > ev.window_end:
                continue
            if aid in revoked_at and due > revoked_at[aid]:
                continue
            result = outcome.get((aid, k))
            if not ev.counts(provider, due if result is None else result):
                continue
            den += 1
            keys.add(commit.key)
            if result is not None:
                keys.add(result.key)
                if result.event == "DeliveryRecorded" and result.args["onTime"]:
                    num += 1
    return _ratio("M3", num, den, keys, "no delivery due in the window")


def hookup_rate_d1(ev: Evidence) -> IndicatorInput:
    """D1: share of catalog items with an agreement in force that delivered in the window."""
    items, in_force, delivered = ev.memoised("items in force", lambda: _items_in_force(ev))
    keys: set[Key] = set()
    num = den = 0
    for item_id, commits in in_force:
        item = items.get(item_id)
        if item is None or not ev.counts(item.args["providerId"]):
            continue
        den += 1
        keys.add(item.key)
        keys.update(c.key for c in commits)
        if delivered.get(item_id):
            num += 1
            keys.update(d.key for d in delivered[item_id])
    return _ratio("D1", num, den, keys, "no catalog item with an agreement in force")


def _items_in_force(
    ev: Evidence,
) -> tuple[
    dict[str, EventRecord],
    list[tuple[str, list[EventRecord]]],
    dict[str, list[EventRecord]],
]:
    """D1's scope-free part: the items, the agreements in force per item (sorted by
    item), and the deliveries in the window per item."""
    revoked_at = {
        e.args["agreementId"]: int(e.args["revokedAt"]) for e in ev.of("AgreementRevoked")
    }
    items = {e.args["itemId"]: e for e in ev.of("CatalogItemRegistered")}
    in_force: dict[str, list[EventRecord]] = {}
    for commit in ev.of("AgreementCommitted"):
        first, period, periods = _agreement_terms(commit)
        last_due = first + (periods - 1) * period
        aid = commit.args["agreementId"]
        if aid in revoked_at and revoked_at[aid] <= ev.window_start:
            continue
        if last_due < ev.window_start or commit.block_time > ev.window_end:
            continue
        in_force.setdefault(commit.args["itemId"], []).append(commit)
    delivered: dict[str, list[EventRecord]] = {}
    item_of = {c.args["agreementId"]: c.args["itemId"] for c in ev.of("AgreementCommitted")}
    for e in ev.of("DeliveryRecorded"):
        if ev.window_start <= e.block_time <= ev.window_end:
            delivered.setdefault(item_of.get(e.args["agreementId"], ""), []).append(e)
    return items, sorted(in_force.items()), delivered


# -- institutional advantage: I1, I3 ---------------------------------------------------

#: Version 1's execution events (MATURITY.md "Execution event"); each spec lists its own.
EXECUTION_EVENTS = ("DeliveryRecorded", "DrillHeld", "OrderCompleted")


@dataclass(frozen=True)
class ClauseCycle:
    """One in-force clause on its way from start to first execution (I1's unit).

    ``executed_by`` is the execution event, or for an effect-log entry the checkpoint
    that first covered it (``entry`` is then ``(log id, sequence)`` of that entry).
    ``days`` is None when the clause was not executed by the window's end. ``in_sample``
    says whether the I1 sample holds the clause (version 2 leaves out an older clause
    executed long ago).
    """

    clause: InForceClause
    start: int
    start_anchor: EventRecord
    executed_at: int | None
    executed_by: EventRecord | None
    entry: tuple[str, int] | None
    days: float | None
    in_sample: bool

    @property
    def sample_value(self) -> float:
        return math.inf if self.days is None else self.days


def _first_anchor_of_clauses(ev: Evidence) -> dict[ClauseRef, EventRecord]:
    first: dict[ClauseRef, EventRecord] = {}
    for e in ev.of("PolicyAnchored"):
        for clause_id in e.args["clauseIds"]:
            first.setdefault((e.args["policyId"], clause_id), e)
    return first


def _clause_run_anchors(ev: Evidence) -> dict[ClauseRef, EventRecord]:
    """Per clause of the latest anchored version, the anchor of the first version of the
    unbroken run of versions carrying it unchanged (same id and text).

    A clause's text is read from its stored record; where the record is missing, its
    anchored clause digest stands for it. A clause left out of a version, or changed,
    starts a new run at the next version carrying it.
    """
    runs: dict[ClauseRef, tuple[tuple[str, str], EventRecord]] = {}
    for anchor in ev.of("PolicyAnchored"):
        policy_id = anchor.args["policyId"]
        record = ev.lookup(policy_id, int(anchor.args["version"]), anchor.args["digest"])
        texts = {c.id: c.text for c in record.clauses} if record is not None else {}
        digests = list(anchor.args.get("clauseDigests") or [])
        present = set()
        for i, clause_id in enumerate(anchor.args["clauseIds"]):
            if clause_id in texts:
                text = ("text", texts[clause_id])
            else:
                text = ("digest", str(digests[i]) if i < len(digests) else "")
            key = (policy_id, clause_id)
            present.add(key)
            previous = runs.get(key)
            if previous is None or previous[0] != text:
                runs[key] = (text, anchor)
        for key in [k for k in runs if k[0] == policy_id and k not in present]:
            del runs[key]
    return {key: anchor for key, (_text, anchor) in runs.items()}


def _log_clause(ev: Evidence) -> ClauseRef | None:
    """The clause the effect log was opened under (its ``LogOpened`` event)."""
    view = ev.effects
    if view is None:
        return None
    for e in ev.of("LogOpened"):
        if e.args["logId"] == view.log_id:
            return (e.args["policyId"], e.args["clauseId"])
    return None


def _connections(ev: Evidence, until: int) -> dict[str, list[tuple[int, int, ClauseRef]]]:
    """Per system, its connected intervals ``[from, to)`` up to ``until`` with the clause
    it was connected under."""
    out: dict[str, list[tuple[int, int, ClauseRef]]] = {}
    open_at: dict[str, tuple[int, ClauseRef]] = {}
    for e in ev.of("SystemConnected", "SystemDisconnected"):
        if e.block_time > until:
            continue
        sid = e.args["systemId"]
        if e.event == "SystemConnected":
            if sid not in open_at:
                open_at[sid] = (e.block_time, (e.args["policyId"], e.args["clauseId"]))
        elif sid in open_at:
            at, clause = open_at.pop(sid)
            out.setdefault(sid, []).append((at, e.block_time, clause))
    for sid, (at, clause) in open_at.items():
        out.setdefault(sid, []).append((at, until + 1, clause))
    return out


def _first_cited_entries(ev: Evidence) -> dict[ClauseRef, int]:
    """Per clause, the smallest sequence of an anchored effect-log entry citing it.

    A call cites the clause of its agreement; a heartbeat, the clause its system was
    connected under at the heartbeat's time; any other entry (a call under an unknown
    agreement, a heartbeat of a system not connected then) the clause of the log.
    """
    view = ev.effects
    if view is None or view.counts is None or view.covered == 0:
        return {}
    last = view.covered - 1
    log_clause = _log_clause(ev)
    first: dict[ClauseRef, int] = {}

    def cite(clause: ClauseRef | None, seq: int | None) -> None:
        if clause is not None and seq is not None and seq < first.get(clause, seq + 1):
            first[clause] = seq

    agreements = {
        c.args["agreementId"]: (c.args["policyId"], c.args["clauseId"])
        for c in ev.of("AgreementCommitted")
    }
    for agreement, seq in view.counts.first_call_per_agreement(last).items():
        cite(agreements.get(agreement, log_clause), seq)
    systems = set(view.counts.heartbeats_per_system(0, last))
    intervals = _connections(ev, ev.window_end)
    for sid in sorted(systems | set(intervals)):
        gap_from = 0
        for start, stop, clause in intervals.get(sid, []):
            cite(clause, view.counts.first_heartbeat(sid, last, since=start, until=stop))
            if start > gap_from:
                cite(
                    log_clause,
                    view.counts.first_heartbeat(sid, last, since=gap_from, until=start),
                )
            gap_from = max(gap_from, stop)
        if sid in systems:
            cite(log_clause, view.counts.first_heartbeat(sid, last, since=gap_from, until=2**62))
    return first


def _executions(ev: Evidence) -> dict[ClauseRef, list[EventRecord]]:
    """The execution events by the clause they cite, up to the window's end."""
    executions: dict[ClauseRef, list[EventRecord]] = {}
    for e in ev.of(*ev.definitions.execution_events):
        if e.block_time <= ev.window_end:
            key = (e.args.get("policyId", ""), e.args.get("clauseId", ""))
            executions.setdefault(key, []).append(e)
    return executions


def clause_cycles(ev: Evidence) -> list[ClauseCycle]:
    """Every in-force clause with its start, first execution and days (MATURITY.md
    "A clause's start", "A clause's first execution", "The I1 sample")."""
    defs = ev.definitions
    v2_start = defs.clause_start == "later_of_effective_and_anchor"
    starts = ev.memoised(
        ("starts", v2_start),
        lambda: _clause_run_anchors(ev) if v2_start else _first_anchor_of_clauses(ev),
    )
    executions = ev.memoised("executions", lambda: _executions(ev))
    entries = (
        ev.memoised("cited entries", lambda: _first_cited_entries(ev))
        if defs.checkpoints_execute
        else {}
    )
    checkpoints = [
        e
        for e in ev.of("CheckpointAnchored")
        if ev.effects is not None
        and e.args["logId"] == ev.effects.log_id
        and e.block_time <= ev.window_end
    ]
    horizon = defs.i1_horizon_days
    out = []
    for clause in in_force_clauses(ev):
        key = (clause.policy_id, clause.clause_id)
        anchor = starts.get(key, clause.anchor)
        effective = int(anchor.args["effectiveAt"])
        start = max(effective, anchor.block_time) if v2_start else effective
        not_before = anchor.block_time if v2_start else None
        done: EventRecord | None = None
        for e in executions.get(key, []):
            if not_before is None or e.block_time >= not_before:
                done = e
                break
        entry: tuple[str, int] | None = None
        seq = entries.get(key)
        if seq is not None and ev.effects is not None:
            for cp in checkpoints:
                if int(cp.args["treeSize"]) > seq and (
                    not_before is None or cp.block_time >= not_before
                ):
                    if done is None or cp.block_time < done.block_time:
                        done, entry = cp, (ev.effects.log_id, seq)
                    break
        days = None if done is None else max(0, done.block_time - start) / DAY
        in_sample = True
        if horizon is not None and start <= ev.window_end - horizon * DAY:
            in_sample = done is None
        out.append(
            ClauseCycle(
                clause=clause,
                start=start,
                start_anchor=anchor,
                executed_at=None if done is None else done.block_time,
                executed_by=done,
                entry=entry,
                days=days,
                in_sample=in_sample,
            )
        )
    return out


def conversion_cycle_i1(ev: Evidence) -> IndicatorInput:
    """I1: median days from a clause's start to the first execution event citing it.

    The sample is the in-force clauses of :func:`clause_cycles` that it keeps; a clause
    with no execution by the window's end counts as +inf. Version 1: the start is the
    effective time of the first anchored version holding the clause and every in-force
    clause is in the sample. Version 2: MATURITY.md's start, execution events and
    365-day sample.
    """
    sample: list[float] = []
    keys: set[Any] = set()
    for cycle in clause_cycles(ev):
        if not cycle.in_sample:
            continue
        keys.update((cycle.start_anchor.key, cycle.clause.anchor.key))
        if cycle.executed_by is not None:
            keys.add(cycle.executed_by.key)
        if cycle.entry is not None:
            keys.add(cycle.entry)
        sample.append(cycle.sample_value)
    return IndicatorInput(
        id="I1",
        raw=statistics.median(sample) if sample else None,
        sample=sample,
        n=len(sample),
        evidence=sorted(keys, key=_evidence_order),
        not_rated_reason=None if sample else "no in-force clause",
    )


@dataclass(frozen=True)
class ObligationOutcome:
    """One obligation clause judged on its own metric (the unit I3 counts)."""

    clause: InForceClause
    metric: str
    comparator: str
    target: float
    measured: IndicatorInput
    met: bool


def obligation_outcomes(ev: Evidence) -> list[ObligationOutcome]:
    """Every in-force obligation whose metric is rated for its clause, judged.

    Each obligation is judged on its own metric computed over the events that cite
    its clause (plus the events that cite no clause, such as catalog registrations).
    Under version 2 the effect-log entries that cite the clause count too (D2, D3,
    T2): calls through their agreement, heartbeats through the clause their system
    was connected under. An obligation whose metric is not rated for that clause is
    left out.
    """
    spec = ev.spec
    citations = ev.definitions.effect_log_citations
    out = []
    for clause in in_force_clauses(ev):
        ob = clause.obligation
        if ob is None or ob.metric not in MEASURES or ob.metric.startswith("I"):
            continue
        cited = ev.memoised(
            ("cited", clause.policy_id, clause.clause_id), partial(_citing, ev, clause)
        )
        sub = Evidence(
            cited,
            ev.window_start,
            ev.window_end,
            ev.scope,
            ev.lookup,
            ev.effects if citations else None,
            spec,
            (clause.policy_id, clause.clause_id) if citations else None,
            ev.memo,
        )
        measured = MEASURES[ob.metric](sub)
        if rating_problem(spec, measured) is not None:
            continue
        out.append(
            ObligationOutcome(
                clause, ob.metric, ob.comparator, ob.target, measured, ob.is_met(measured.raw)
            )
        )
    return out


def _citing(ev: Evidence, clause: InForceClause) -> list[EventRecord]:
    """The events an obligation's metric is computed over: those citing its clause, those
    citing none, and the revocations and anchors every metric needs."""
    return [
        e
        for e in ev.events
        if "policyId" not in e.args
        or (e.args["policyId"] == clause.policy_id and e.args.get("clauseId") == clause.clause_id)
        or e.event in ("AgreementRevoked", "PolicyAnchored", "PolicyRevoked")
    ]


def execution_i3(ev: Evidence) -> IndicatorInput:
    """I3: share of obligation clauses whose target is met in the window
    (see :func:`obligation_outcomes`)."""
    keys: set[Any] = set()
    outcomes = obligation_outcomes(ev)
    for o in outcomes:
        keys.add(o.clause.anchor.key)
        keys.update(o.measured.evidence)
    num = sum(1 for o in outcomes if o.met)
    return _ratio(
        "I3", num, len(outcomes), keys, "no obligation whose metric is rated for its clause"
    )


# -- operating mechanism: M1, M2, M4 and data governance D4 (the 12345 loop) -----------


@dataclass
class _Order:
    events: dict[str, EventRecord] = field(default_factory=dict)
    transfers: list[EventRecord] = field(default_factory=list)
    all: list[EventRecord] = field(default_factory=list)

    @property
    def handler(self) -> str | None:
        return self.transfers[-1].args["handlerId"] if self.transfers else None


_ORDER_EVENTS = (
    "OrderAccepted",
    "OrderTransferred",
    "OrderHandled",
    "OrderFeedbackGiven",
    "OrderCompleted",
    "OrderEvaluated",
    "OrderOverdue",
)


def _group_orders(ev: Evidence) -> dict[str, _Order]:
    orders: dict[str, _Order] = {}
    for e in ev.of(*_ORDER_EVENTS):
        order = orders.setdefault(e.args["orderId"], _Order())
        order.all.append(e)
        if e.event == "OrderTransferred":
            order.transfers.append(e)
        else:
            order.events.setdefault(e.event, e)
    return orders


def _orders(ev: Evidence) -> dict[str, _Order]:
    """The work orders of the scope, each with its events (shared: do not change them)."""
    orders = ev.memoised("orders", lambda: _group_orders(ev))
    if ev.scope is None:
        return orders
    by_handler = ev.memoised("orders by handler", lambda: _orders_by_handler(orders))
    chosen = [
        (position, order_id, order)
        for handler, mine in by_handler.items()
        if ev.may_count(handler)
        for position, order_id, order in mine
        if ev.counts(handler, order.events.get("OrderCompleted", order.all[-1]))
    ]
    return {order_id: order for _position, order_id, order in sorted(chosen, key=_first)}


def _first(row: tuple[int, str, _Order]) -> int:
    return row[0]


def _orders_by_handler(
    orders: dict[str, _Order],
) -> dict[str, list[tuple[int, str, _Order]]]:
    """The orders by the department they were last transferred to, with their position."""
    out: dict[str, list[tuple[int, str, _Order]]] = {}
    for position, (order_id, order) in enumerate(orders.items()):
        if order.handler is not None:
            out.setdefault(order.handler, []).append((position, order_id, order))
    return out


def _in_window(ev: Evidence, t: int) -> bool:
    return ev.window_start <= t <= ev.window_end


def closed_loop_m1(ev: Evidence) -> IndicatorInput:
    """M1: orders that passed all six stages in order and completed within their SLA, over
    the orders that completed, or whose SLA expired, in the window."""
    keys: set[Key] = set()
    num = den = 0
    for order in _orders(ev).values():
        accepted = order.events.get("OrderAccepted")
        if accepted is None:
            continue
        completed = order.events.get("OrderCompleted")
        deadline = int(accepted.args["slaDeadline"])
        completed_in_window = completed is not None and _in_window(ev, completed.block_time)
        expired_in_window = _in_window(ev, deadline) and (
            completed is None or completed.block_time > deadline
        )
        if not (completed_in_window or expired_in_window):
            continue
        den += 1
        keys.update(e.key for e in order.all)
        six = (
            completed is not None
            and all(
                stage in order.events
                for stage in ("OrderHandled", "OrderFeedbackGiven", "OrderEvaluated")
            )
            and bool(order.transfers)
        )
        if six and completed is not None and not completed.args["late"]:
            num += 1
    return _ratio("M1", num, den, keys, "no work order completed or due in the window")


def response_m4(ev: Evidence) -> IndicatorInput:
    """M4: median hours from a transfer to the handling of that order.

    Version 1: one observation per order handled in the window, from its last
    transfer. Version 2: one per transfer whose next handling falls in the window, so
    a re-transferred order gives one per transfer; each counts for the department it
    was transferred to.
    """
    if ev.definitions.m4_observation == "per_transfer":
        return _response_per_transfer(ev)
    sample: list[float] = []
    keys: set[Key] = set()
    for order in _orders(ev).values():
        handled = order.events.get("OrderHandled")
        if handled is None or not _in_window(ev, handled.block_time) or not order.transfers:
            continue
        transfer = order.transfers[-1]
        sample.append(max(0, handled.block_time - transfer.block_time) / 3600)
        keys.update((transfer.key, handled.key))
    return _median_m4(sample, keys, "no work order handled in the window")


def _response_per_transfer(ev: Evidence) -> IndicatorInput:
    sample: list[float] = []
    keys: set[Key] = set()
    for transfer, handled in ev.memoised("transfers handled", lambda: _transfers_handled(ev)):
        handler = transfer.args["handlerId"]
        if not (ev.may_count(handler) and ev.counts(handler, handled)):
            continue
        sample.append(max(0, handled.block_time - transfer.block_time) / 3600)
        keys.update((transfer.key, handled.key))
    return _median_m4(sample, keys, "no transfer handled in the window")


def _transfers_handled(ev: Evidence) -> list[tuple[EventRecord, EventRecord]]:
    """Every transfer with the next handling of its order, when that falls in the window."""
    pairs = []
    for order in _orders(replace(ev, scope=None)).values():
        for i, transfer in enumerate(order.all):
            if transfer.event != "OrderTransferred":
                continue
            handled = next((h for h in order.all[i + 1 :] if h.event == "OrderHandled"), None)
            if handled is not None and _in_window(ev, handled.block_time):
                pairs.append((transfer, handled))
    return pairs


def _median_m4(sample: list[float], keys: set[Key], empty: str) -> IndicatorInput:
    """M4 as the median of ``sample`` (hours), citing ``keys``; ``empty`` says why an
    empty sample is not rated."""
    return IndicatorInput(
        id="M4",
        raw=statistics.median(sample) if sample else None,
        sample=sample,
        n=len(sample),
        evidence=sorted(keys),
        not_rated_reason=None if sample else empty,
    )


def satisfaction_d4(ev: Evidence) -> IndicatorInput:
    """D4: mean of (s-1)/4 over the evaluations of orders completed in the window.

    ``numerator``/``denominator`` are evaluated over completed orders: the engine rates
    D4 only when at least 30% of completed orders were evaluated.
    """
    sample: list[float] = []
    keys: set[Key] = set()
    completed = 0
    for order in _orders(ev).values():
        done = order.events.get("OrderCompleted")
        if done is None or not _in_window(ev, done.block_time):
            continue
        completed += 1
        keys.add(done.key)
        rated = order.events.get("OrderEvaluated")
        if rated is not None and rated.block_time <= ev.window_end:
            sample.append((int(rated.args["score"]) - 1) / 4)
            keys.add(rated.key)
    return IndicatorInput(
        id="D4",
        raw=statistics.fmean(sample) if sample else None,
        numerator=len(sample),
        denominator=completed,
        sample=sample,
        n=len(sample),
        evidence=sorted(keys),
        not_rated_reason=None if sample else "no evaluated work order in the window",
    )


def _outcomes(
    ev: Evidence, key: str, index: str, *names: str
) -> dict[tuple[str, int], EventRecord]:
    """The last of the ``names`` events for each (``key``, ``index``) pair of arguments: a
    scheduled item's outcome (a delivery's period, a drill's index)."""
    return ev.memoised(
        ("outcomes", key, index, names),
        lambda: {(e.args[key], int(e.args[index])): e for e in ev.of(*names)},
    )


def drill_adherence_m2(ev: Evidence) -> IndicatorInput:
    """M2: drills held within +/-7 days of their due date with the required seats present,
    over the drills due in the window."""
    outcome = _outcomes(ev, "planId", "index", "DrillHeld", "DrillMissed")
    keys: set[Key] = set()
    num = den = 0
    for plan in ev.of("DrillsPlanned"):
        if not ev.may_count(plan.args["ownerId"]):
            continue
        first, step = int(plan.args["firstDueAt"]), int(plan.args["interval"])
        for k in range(int(plan.args["count"])):
            due = first + k * step
            if not _in_window(ev, due):
                continue
            held = outcome.get((plan.args["planId"], k))
            if not ev.counts(plan.args["ownerId"], due if held is None else held):
                continue
            den += 1
            keys.add(plan.key)
            if held is None:
                continue
            keys.add(held.key)
            if held.event == "DrillHeld" and held.args["withinWindow"] and held.args["seatsMet"]:
                num += 1
    return _ratio("M2", num, den, keys, "no drill due in the window")


# -- technical support: T1, T3 -----------------------------------------------------------


def interconnection_t1(ev: Evidence) -> IndicatorInput:
    """T1: share of registered business systems connected to the command center at the
    window's end.

    Version 1 counts every registered system, a reserved slot (data that cannot be had
    yet) among them: it cannot connect until filled. Version 2 counts the systems of
    kind ``business`` only; reserved slots not filled by the window's end and systems of
    other kinds are listed beside the indicator, not counted.
    """
    defs = ev.definitions
    registered: dict[str, EventRecord] = {}
    filled: dict[str, EventRecord] = {}
    last: dict[str, EventRecord] = {}
    for e in ev.of("SystemRegistered", "SlotFilled", "SystemConnected", "SystemDisconnected"):
        sid = e.args["systemId"]
        if e.event == "SystemRegistered":
            registered[sid] = e
        elif e.event == "SlotFilled":
            filled[sid] = e
        elif e.block_time <= ev.window_end:
            last[sid] = e
    keys: set[Key] = set()
    num = den = 0
    reserved: list[str] = []
    other_kinds: list[str] = []
    for sid, reg in registered.items():
        if not ev.counts(reg.args["ownerId"]):
            continue
        slot_open = reg.args.get("reserved") and not (
            sid in filled and filled[sid].block_time <= ev.window_end
        )
        if not defs.t1_count_reserved and slot_open:
            reserved.append(sid)
            continue
        if defs.t1_system_kinds is not None and reg.args["kind"] not in defs.t1_system_kinds:
            other_kinds.append(sid)
            continue
        den += 1
        keys.add(reg.key)
        if sid in filled:
            keys.add(filled[sid].key)
        state = last.get(sid)
        if state is not None:
            keys.add(state.key)
            if state.event == "SystemConnected":
                num += 1
    result = _ratio("T1", num, den, keys, "no registered business system")
    if defs.t1_system_kinds is None and defs.t1_count_reserved:
        return result
    return replace(
        result, listed={"reserved": sorted(reserved), "other_kinds": sorted(other_kinds)}
    )


def attested_uptake_t3(ev: Evidence) -> IndicatorInput:
    """T3: mean of the latest attested statistic per key (a share in [0,1]).

    Statistics are city-wide: a department's score does not rate T3.
    """
    latest: dict[str, EventRecord] = {}
    if ev.scope is None:
        for e in ev.of("StatisticAttested"):
            if e.block_time <= ev.window_end:
                latest[e.args["key"]] = e
    sample = [int(e.args["valuePpm"]) / 1_000_000 for e in latest.values()]
    return IndicatorInput(
        id="T3",
        raw=statistics.fmean(sample) if sample else None,
        sample=sample,
        n=len(sample),
        evidence=sorted(e.key for e in latest.values()),
        not_rated_reason=None if sample else "no attested statistic",
    )


# -- the effect log: T2, D2, D3 -----------------------------------------------------------


def _log_counts(ev: Evidence) -> tuple[EffectCounts | None, int, set[Key | tuple[str, int, int]]]:
    """The counts source, the last covered sequence, and the evidence of the coverage."""
    view = ev.effects
    if view is None or view.counts is None or view.covered == 0:
        return None, -1, set()
    keys: set[Key | tuple[str, int, int]] = {(view.log_id, 0, view.covered - 1)}
    if view.checkpoint is not None:
        keys.add(view.checkpoint.key)
    return view.counts, view.covered - 1, keys


def availability_t2(ev: Evidence) -> IndicatorInput:
    """T2: heartbeats received (in anchored checkpoints) over heartbeats expected.

    Expected heartbeats of a connected system are the time it was connected within the
    window divided by its declared interval; received ones are its heartbeat entries in
    the window among the entries the latest anchored checkpoint covers.
    """
    registered = {e.args["systemId"]: e for e in ev.of("SystemRegistered")}
    since: dict[str, int] = {}
    connected_time: dict[str, int] = {}
    keys: set[Any] = set()
    for e in ev.of("SystemConnected", "SystemDisconnected"):
        sid = e.args["systemId"]
        if e.event == "SystemConnected":
            since[sid] = e.block_time
        elif sid in since:
            start = max(since.pop(sid), ev.window_start)
            end = min(e.block_time, ev.window_end)
            if end > start:
                connected_time[sid] = connected_time.get(sid, 0) + end - start
                keys.add(e.key)
    for sid, at in since.items():
        start = max(at, ev.window_start)
        if ev.window_end > start:
            connected_time[sid] = connected_time.get(sid, 0) + ev.window_end - start
    rounded = ev.definitions.t2_round_expected
    expected: float = 0
    systems = []
    for sid, seconds in connected_time.items():
        reg = registered.get(sid)
        if reg is None or not ev.counts(reg.args["ownerId"]):
            continue
        interval = max(int(reg.args["heartbeatInterval"]), 1)
        expected += seconds // interval if rounded else seconds / interval
        systems.append(sid)
        keys.add(reg.key)
    keys.update(e.key for e in ev.of("SystemConnected") if e.args["systemId"] in systems)
    counts, last, log_keys = _log_counts(ev)
    received = 0
    if counts is not None and systems:
        if ev.clause is None:
            per_system = counts.heartbeats_per_system(
                0, last, since=ev.window_start, until=ev.window_end + 1
            )
            received = sum(per_system.get(sid, 0) for sid in systems)
        else:
            received = _heartbeats_citing(ev, counts, last, systems)
        keys.update(log_keys)
    return IndicatorInput(
        id="T2",
        raw=min(received / expected, 1.0) if expected else None,
        numerator=min(received, expected),
        denominator=expected,
        n=int(expected) if rounded else math.floor(expected),
        evidence=sorted(keys, key=repr),
        not_rated_reason=None if expected else "no connected system in the window",
    )


def _heartbeats_citing(
    ev: Evidence, counts: EffectCounts, last: int, systems: Sequence[str]
) -> int:
    """Heartbeats in the window of ``systems`` while connected under ``ev.clause``."""
    received = 0
    for sid in systems:
        for start, stop, clause in _connections(ev, ev.window_end).get(sid, []):
            since, until = max(start, ev.window_start), min(stop, ev.window_end + 1)
            if clause != ev.clause or until <= since:
                continue
            per = counts.heartbeats_per_system(0, last, since=since, until=until)
            received += per.get(sid, 0)
    return received


def _agreements_in_force(ev: Evidence) -> list[tuple[EventRecord, int, int]]:
    """Agreements whose term overlaps the window, with the overlap's start and end."""
    revoked_at = {
        e.args["agreementId"]: int(e.args["revokedAt"]) for e in ev.of("AgreementRevoked")
    }
    out = []
    for commit in ev.of("AgreementCommitted"):
        if not ev.counts(commit.args["providerId"]):
            continue
        first, period, periods = _agreement_terms(commit)
        end = first + (periods - 1) * period
        end = min(end, revoked_at.get(commit.args["agreementId"], end))
        start, stop = max(commit.block_time, ev.window_start), min(end, ev.window_end)
        if stop > start:
            out.append((commit, start, stop))
    return out


def sharing_volume_d2(ev: Evidence) -> IndicatorInput:
    """D2: data-sharing calls (in anchored checkpoints) over the volume committed for the
    window, capped at 1. Each agreement in force commits ``callsPerPeriod`` per period,
    prorated by its overlap with the window."""
    in_force = _agreements_in_force(ev)
    committed = 0.0
    keys: set[Any] = set()
    for commit, start, stop in in_force:
        committed += (
            int(commit.args["callsPerPeriod"]) * (stop - start) / int(commit.args["period"])
        )
        keys.add(commit.key)
    counts, last, log_keys = _log_counts(ev)
    calls = 0
    if counts is not None and in_force:
        granted = {c.args["agreementId"]: int(c.args["permission"]) for c, _, _ in in_force}
        per = counts.calls_within_permission(
            granted, 0, last, since=ev.window_start, until=ev.window_end + 1
        )
        calls = sum(int(per[a].total) for a in granted if a in per)
        keys.update(log_keys)
    rated = bool(in_force) and committed > 0
    return IndicatorInput(
        id="D2",
        raw=min(calls / committed, 1.0) if rated else None,
        numerator=calls,
        denominator=round(committed, 6),
        n=len(in_force),
        evidence=sorted(keys, key=repr),
        not_rated_reason=None
        if rated
        else ("no agreement in force" if not in_force else "no committed volume in the window"),
    )


def permission_discipline_d3(ev: Evidence) -> IndicatorInput:
    """D3: share of data-sharing calls (in anchored checkpoints) within the permission the
    agreement granted (levels are ordered: open < conditional < restricted)."""
    commits = [c for c in ev.of("AgreementCommitted") if ev.counts(c.args["providerId"])]
    granted = {c.args["agreementId"]: int(c.args["permission"]) for c in commits}
    counts, last, log_keys = _log_counts(ev)
    within = total = 0
    keys: set[Any] = set()
    if counts is not None and granted:
        per = counts.calls_within_permission(
            granted, 0, last, since=ev.window_start, until=ev.window_end + 1
        )
        for commit in commits:
            found = per.get(commit.args["agreementId"])
            if found is not None and found.total:
                within += int(found.within)
                total += int(found.total)
                keys.add(commit.key)
        keys.update(log_keys)
    return IndicatorInput(
        id="D3",
        raw=(within / total) if total else None,
        numerator=within,
        denominator=total,
        n=total,
        evidence=sorted(keys, key=repr),
        not_rated_reason=None if total else "no data-sharing call in an anchored checkpoint",
    )


#: The indicators measured from chain events, in spec order.
MEASURES: dict[str, Callable[[Evidence], IndicatorInput]] = {
    "I1": conversion_cycle_i1,
    "I2": linkage_i2,
    "M1": closed_loop_m1,
    "M2": drill_adherence_m2,
    "M3": sharing_fulfilment_m3,
    "M4": response_m4,
    "T1": interconnection_t1,
    "T2": availability_t2,
    "T3": attested_uptake_t3,
    "D1": hookup_rate_d1,
    "D2": sharing_volume_d2,
    "D3": permission_discipline_d3,
    "D4": satisfaction_d4,
}


def measure_all(ev: Evidence) -> dict[str, IndicatorInput]:
    inputs = {ind: fn(ev) for ind, fn in MEASURES.items()}
    inputs["I3"] = execution_i3(ev)
    return inputs
