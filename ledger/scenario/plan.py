"""A scenario unrolled into timed steps: what happens, when, and which revert means "done".

Most steps send exactly one transaction; the runner records each such step as pending
before sending it, and on resume looks for its transaction on chain (see
:mod:`ledger.scenario.runner`). A step marked ``rerun`` sends several transactions and
checks the chain before each (anchoring a policy with its approvals, the effect log), so a
run stopped inside it runs it again. A step whose effect is already on chain reverts with
one of its ``done_if`` errors and is passed over.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

from ledger.core import Ledger
from ledger.effects.entries import canonical_entry, parse_entry
from ledger.errors import ContractRevert, LedgerError, LedgerValueError
from ledger.knowledge.models import PolicyRecord
from ledger.mechanisms.attestations import StatisticCreate
from ledger.mechanisms.drills import DrillKind, DrillPlanCreate, DrillRecord
from ledger.mechanisms.fields import build, hex_digest
from ledger.mechanisms.sharing import (
    AgreementCreate,
    CatalogItemCreate,
    DeliveryCreate,
    PermissionName,
    parse_permission,
)
from ledger.mechanisms.systems import SystemConnection, SystemCreate
from ledger.mechanisms.workorders import OrderAccept
from ledger.scenario.model import (
    Action,
    Agreement,
    Attestation,
    DrillPlan,
    EffectTraffic,
    OrderSteps,
    PolicySource,
    Scenario,
    System,
    WorkOrderStream,
)

HOUR = 3600
DAY = 86_400
WEEK = 7 * DAY


@dataclass(frozen=True)
class Step:
    at: int  # seconds from the scenario's start
    seq: int
    what: str
    run: Callable[[Ledger], object]
    done_if: frozenset[str] = field(default_factory=frozenset)
    #: The step checks the chain itself and may send several transactions: a run stopped
    #: inside it runs it again. Any other step sends one transaction.
    rerun: bool = False


def digest_of(*parts: object) -> bytes:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()


class ScenarioError(LedgerError):
    """A scenario could not be played; the message names the step."""


def anchor_source(ledger: Ledger, source: PolicySource, record: PolicyRecord) -> None:
    """Anchor one of the scenario's records; a city-level one with its leaders' approvals.

    Anchoring again is a no-op, so a resumed run passes over what is already on chain.
    """
    result = ledger.policy_book.anchor(record)
    if result.status not in ("proposed", "already proposed"):
        return
    if len(set(source.approved_by)) < 2:
        raise ScenarioError(
            f"policy {record.id!r} is city-level: list two distinct leaders' departments"
            " in 'approved_by'"
        )
    for leader in source.approved_by[:2]:
        try:
            ledger.policy_book.approve(record.id, record.version, leader)
        except ContractRevert as err:
            if err.name != "AlreadyApproved":
                raise


def timeline_periods(scenario: Scenario) -> set[tuple[str, int]]:
    """The (agreement, period) pairs the timeline delivers or marks missed itself."""
    named = set()
    for action in scenario.timeline:
        spec = action.deliver or action.miss
        if spec is not None:
            named.add((spec.agreement, spec.period))
    return named


class _Builder:
    def __init__(self, scenario: Scenario, start: int, records: Sequence[PolicyRecord]) -> None:
        self.scenario = scenario
        self.start = start
        self.records = records
        self.steps: list[Step] = []
        self.sla = {c.id: c.sla for c in scenario.categories}
        self.providers = {c.id: c.provider for c in scenario.catalog}
        self.by_timeline = timeline_periods(scenario)
        #: A revoked agreement's schedule stops at its revocation.
        self.revoked_at = {
            a.revoke_agreement: max(a.at, 1)
            for a in reversed(scenario.timeline)
            if a.revoke_agreement is not None
        }

    def add(
        self, at: int, what: str, run: Callable[..., object], *done_if: str, rerun: bool = False
    ) -> None:
        self.steps.append(Step(at, len(self.steps), what, run, frozenset(done_if), rerun))

    def build(self) -> list[Step]:
        s = self.scenario
        for source, record in zip(s.policies, self.records, strict=False):
            if source.at > 0:
                self.add(
                    source.at,
                    f"anchor policy {record.id} v{record.version}",
                    lambda ledger, src=source, r=record: anchor_source(ledger, src, r),
                    rerun=True,
                )
        for item in s.catalog:
            self.add(
                0,
                f"register catalog item {item.id}",
                lambda ledger, i=item: ledger.sharing.register_item(
                    i.provider,
                    build(
                        CatalogItemCreate,
                        item_id=i.id,
                        data_type=i.type,
                        permission=_permission(i.permission),
                        disclosure=i.disclosure,
                    ),
                ),
                "ItemExists",
            )
        for agreement in s.agreements:
            self._agreement(agreement)
        for system in s.systems:
            self._system(system)
        for plan in s.drills:
            self._drills(plan)
        for att in s.attestations:
            self._attest(att.at, att)
        for order in s.work_orders:
            self._order(
                order.id,
                order.at,
                order.category,
                order.policy,
                order.clause,
                order.operator,
                order.handler,
                order.steps,
            )
        for stream in s.work_order_streams:
            for drawn in _draw(stream, self.sla):
                self._order(*drawn)
        for action in s.timeline:
            self._action(action)
        if s.effects is not None:
            self._effects(s.effects)
        if s.end is not None:  # the clock stops at the end: nothing later is played
            self.steps = [st for st in self.steps if st.at <= s.end]
        return sorted(self.steps, key=lambda st: (st.at, st.seq))

    def _effects(self, fx: EffectTraffic) -> None:
        s = self.scenario
        end = s.end if s.end is not None else max((st.at for st in self.steps), default=0)
        self.add(
            max(fx.start, 1),
            f"open effect log {fx.log}",
            lambda ledger: ledger.effects.open(fx.log, fx.owner, fx.policy, fx.clause),
            rerun=True,
        )
        t = fx.start
        while t < end:
            upto = min(t + fx.seal_every, end)
            self.add(
                upto,
                f"log and seal effect traffic up to +{upto // DAY}d",
                lambda ledger, a=t, b=upto: _log_traffic(ledger, s, fx, self.start, a, b),
                rerun=True,
            )
            t = upto

    def _agreement(self, a: Agreement) -> None:
        provider = self.providers[a.item]
        self.add(
            a.at,
            f"commit agreement {a.id}",
            lambda ledger, a=a, p=provider: ledger.sharing.commit_agreement(
                p,
                build(
                    AgreementCreate,
                    agreement_id=a.id,
                    item_id=a.item,
                    consumer_id=a.consumer,
                    policy_id=a.policy,
                    clause_id=a.clause,
                    permission=_permission(a.permission),
                    first_due_at=self.start + a.first_due,
                    period_seconds=a.period,
                    periods=a.periods,
                    calls_per_period=a.calls_per_period,
                ),
            ),
            "AgreementExists",
        )
        d = a.deliveries
        for k in range(a.periods):
            if (a.id, k) in self.by_timeline:
                continue  # the timeline delivers it, or marks it missed
            due = a.first_due + k * a.period
            revoked = self.revoked_at.get(a.id)
            if revoked is not None and due + (HOUR if k in d.missing else 0) >= revoked:
                continue  # nothing is due under a revoked agreement
            if k in d.missing:
                self.add(
                    due + HOUR,
                    f"mark {a.id} period {k} missed",
                    lambda ledger, a=a, k=k: ledger.sharing.mark_missed(a.id, k),
                    "PeriodClosed",
                )
                continue
            when = due + d.late_by if k in d.late else due - min(6 * HOUR, a.period // 2)
            self.add(
                max(when, 1),
                f"deliver {a.id} period {k}",
                lambda ledger, a=a, k=k, p=provider: ledger.sharing.record_delivery(
                    p, a.id, _delivery(k, d.records, digest_of(a.id, k))
                ),
                "PeriodClosed",
            )

    def _system(self, sys: System) -> None:
        self.add(
            0,
            f"register system {sys.id}",
            lambda ledger, s=sys: ledger.systems.register_system(
                s.owner,
                build(
                    SystemCreate,
                    system_id=s.id,
                    kind=s.kind,
                    heartbeat_seconds=s.heartbeat,
                    feeds_data_center=s.feeds_data_center,
                    reserved=s.reserved,
                ),
            ),
            "SystemExists",
        )
        if sys.connect is not None:
            c = sys.connect
            self.add(
                max(c.at, 1),
                f"connect system {sys.id}",
                lambda ledger, s=sys, c=c: ledger.systems.connect(
                    s.owner, s.id, _under(c.policy, c.clause)
                ),
                "SystemAlreadyConnected",
            )

    def _drills(self, plan: DrillPlan) -> None:
        kind = DrillKind.FULL if plan.kind == "full" else DrillKind.HALF
        required = plan.required_seats()
        self.add(
            0,
            f"plan drills {plan.id}",
            lambda ledger, p=plan: ledger.drills.plan_drills(
                p.owner,
                build(
                    DrillPlanCreate,
                    plan_id=p.id,
                    policy_id=p.policy,
                    clause_id=p.clause,
                    kind=kind.name.lower(),
                    first_due_at=self.start + p.first_due,
                    interval_seconds=p.interval,
                    count=p.count,
                    total_seats=p.seats,
                    required_seats=required,
                ),
            ),
            "PlanExists",
        )
        present = plan.present if plan.present is not None else required
        for k in range(plan.count):
            due = plan.first_due + k * plan.interval
            if k in plan.missing:
                self.add(
                    due + WEEK + HOUR,
                    f"mark drill {plan.id}#{k} missed",
                    lambda ledger, p=plan, k=k: ledger.drills.mark_drill_missed(p.id, k),
                    "DrillClosed",
                )
                continue
            self.add(
                due + plan.held_late.get(k, 0),
                f"hold drill {plan.id}#{k}",
                lambda ledger, p=plan, k=k: ledger.drills.record_drill(
                    p.owner,
                    p.id,
                    build(
                        DrillRecord,
                        index=k,
                        seats_present=present,
                        systems_online=p.systems_online,
                        record_digest=hex_digest(digest_of(p.id, k)),
                    ),
                ),
                "DrillClosed",
            )

    def _attest(self, at: int, att: Attestation) -> None:
        self.add(
            max(at, 1),
            f"attest {att.key}",
            lambda ledger, a=att: ledger.attestations.attest(
                a.by,
                build(
                    StatisticCreate,
                    key=a.key,
                    value=a.value,
                    period=a.period,
                    source_digest=hex_digest(hashlib.sha256(a.source.encode()).digest()),
                    policy_id=a.policy,
                    clause_id=a.clause,
                ),
            ),
        )

    def _order(
        self,
        order_id: str,
        at: int,
        category: str,
        policy: str,
        clause: str,
        operator: str,
        handler: str,
        st: OrderSteps,
    ) -> None:
        self.add(
            at,
            f"accept work order {order_id}",
            lambda ledger: ledger.orders.accept(
                operator,
                build(
                    OrderAccept,
                    order_id=order_id,
                    category=category,
                    policy_id=policy,
                    clause_id=clause,
                    case_digest=hex_digest(digest_of("case", order_id)),
                ),
            ),
            "OrderExists",
        )
        self.add(
            at + st.transfer,
            f"transfer {order_id}",
            lambda ledger: ledger.orders.transfer(operator, order_id, handler),
            "StageOutOfOrder",
            "InvalidHandler",
        )
        final = handler
        if st.retransfer_to is not None:
            final = st.retransfer_to
            # halfway to handling (the check refuses a re-transfer of an order never handled)
            mid = at + (st.transfer + (st.transfer if st.handle is None else st.handle)) // 2
            self.add(
                mid,
                f"re-transfer {order_id}",
                lambda ledger: ledger.orders.transfer(operator, order_id, final),
                "StageOutOfOrder",
                "InvalidHandler",
            )
        stages: list[tuple[int | None, str, Callable[[Ledger], object]]] = [
            (st.handle, "handle", lambda ledger: ledger.orders.handle(final, order_id)),
            (
                st.feedback,
                "feedback on",
                lambda ledger: ledger.orders.feedback(final, order_id, digest_of("fb", order_id)),
            ),
            (st.complete, "complete", lambda ledger: ledger.orders.complete(operator, order_id)),
        ]
        # each stage after the one before; a stage left out leaves the order open
        for offset, verb, call in stages:
            if offset is None:
                self._overdue(order_id, at, category)
                return
            self.add(at + offset, f"{verb} {order_id}", call, "StageOutOfOrder")
            completed = at + offset
        if st.evaluate is not None:
            score = st.evaluate
            self.add(
                completed + st.evaluate_after,
                f"evaluate {order_id}",
                lambda ledger: ledger.orders.evaluate(operator, order_id, score),
                "AlreadyEvaluated",
            )

    def _overdue(self, order_id: str, at: int, category: str) -> None:
        """An order that stops before completion stays open past its SLA: marked overdue an
        hour after its deadline."""
        self.add(
            at + self.sla[category] + HOUR,
            f"mark work order {order_id} overdue",
            lambda ledger: ledger.orders.mark_overdue(order_id),
            "AlreadyOverdue",
        )

    def _action(self, action: Action) -> None:
        at = max(action.at, 1)
        if action.deliver is not None:
            d = action.deliver
            provider = self._provider_of(d.agreement)
            self.add(
                at,
                f"deliver {d.agreement} period {d.period}",
                lambda ledger: ledger.sharing.record_delivery(
                    provider,
                    d.agreement,
                    _delivery(d.period, d.records, digest_of(d.agreement, d.period)),
                ),
                "PeriodClosed",
            )
        elif action.miss is not None:
            m = action.miss
            self.add(
                at,
                f"mark {m.agreement} period {m.period} missed",
                lambda ledger: ledger.sharing.mark_missed(m.agreement, m.period),
                "PeriodClosed",
            )
        elif action.revoke_agreement is not None:
            aid = action.revoke_agreement
            provider = self._provider_of(aid)
            self.add(
                at,
                f"revoke agreement {aid}",
                lambda ledger: ledger.sharing.revoke_agreement(provider, aid),
                "AgreementIsRevoked",
            )
        elif action.connect is not None or action.disconnect is not None:
            spec = action.connect if action.connect is not None else action.disconnect
            assert spec is not None
            system = next(s for s in self.scenario.systems if s.id == spec.system)
            if action.connect is not None:
                self.add(
                    at,
                    f"connect system {system.id}",
                    lambda ledger: ledger.systems.connect(
                        system.owner, system.id, _under(spec.policy, spec.clause)
                    ),
                    "SystemAlreadyConnected",
                )
            else:
                self.add(
                    at,
                    f"disconnect system {system.id}",
                    lambda ledger: ledger.systems.disconnect(
                        system.owner, system.id, _under(spec.policy, spec.clause)
                    ),
                    "SystemNotConnected",
                )
        elif action.fill_slot is not None:
            sid = action.fill_slot
            owner = next(s.owner for s in self.scenario.systems if s.id == sid)
            self.add(
                at,
                f"fill slot {sid}",
                lambda ledger: ledger.systems.fill_slot(owner, sid),
                "SlotNotReserved",
            )
        elif action.attest is not None:
            self._attest(at, action.attest)
        elif action.move_department is not None:
            move = action.move_department
            self.add(
                at,
                f"move department {move.department} to {move.to}",
                lambda ledger: ledger.jurisdictions.place(move.department, move.to),
            )

    def _provider_of(self, agreement_id: str) -> str:
        for a in self.scenario.agreements:
            if a.id == agreement_id:
                return self.providers[a.item]
        raise LedgerValueError(f"timeline names unknown agreement {agreement_id!r}")


_LEVELS = {"open": 1, "conditional": 2, "restricted": 3}


def connected_spans(s: Scenario) -> dict[str, list[tuple[int, float]]]:
    """When each system is connected: its ``connect`` and the timeline's connections and
    disconnections, as ``(from, to)`` offsets (``to`` is infinite while it stays connected)."""
    moves: list[tuple[int, int, str, bool]] = []
    for x in s.systems:
        if x.connect is not None and not x.reserved:
            moves.append((x.connect.at, -1, x.id, True))
    for i, step in enumerate(s.timeline):
        if step.connect is not None:
            moves.append((step.at, i, step.connect.system, True))
        if step.disconnect is not None:
            moves.append((step.at, i, step.disconnect.system, False))
    spans: dict[str, list[tuple[int, float]]] = {}
    for at, _order, system, up in sorted(moves):
        mine = spans.setdefault(system, [])
        if up and (not mine or mine[-1][1] != math.inf):
            mine.append((at, math.inf))
        elif not up and mine and mine[-1][1] == math.inf:
            mine[-1] = (mine[-1][0], at)
    return spans


def _log_traffic(
    ledger: Ledger, s: Scenario, fx: EffectTraffic, start: int, first: int, last: int
) -> None:
    """Heartbeats and calls for offsets [first, last), appended and sealed (idempotent:
    the same seed gives the same entries, and the log keeps each once)."""
    rng = random.Random(f"{fx.seed}/{first}")
    entries: list[bytes] = []
    spans = connected_spans(s)
    for system in s.systems:
        for on, off in spans.get(system.id, []):
            t = max(first, on + system.heartbeat)
            while t < min(last, off):
                if rng.random() < fx.uptime:
                    entries.append(
                        canonical_entry(
                            parse_entry({"kind": "heartbeat", "system": system.id, "at": start + t})
                        )
                    )
                t += system.heartbeat
    revoked = {
        a.revoke_agreement: max(a.at, 1) for a in s.timeline if a.revoke_agreement is not None
    }
    for a in s.agreements:
        ends = a.first_due + (a.periods - 1) * a.period
        lo, hi = max(first, a.at), min(last, ends, revoked.get(a.id, ends))
        if hi <= lo or a.calls_per_period == 0:
            continue
        share = fx.call_share if a.call_share is None else a.call_share
        calls = int(a.calls_per_period * share * (hi - lo) / a.period)
        granted = _LEVELS[a.permission]
        for n in range(calls):
            level = min(granted + 1, 3) if rng.random() < fx.over_permission else granted
            entries.append(
                canonical_entry(
                    parse_entry(
                        {
                            "kind": "call",
                            "agreement": a.id,
                            "system": f"sys.{a.consumer}"[:32],
                            "at": start + lo + (hi - lo) * n // max(calls, 1),
                            "records": 1 + n % 50,
                            "permission": level,
                            "latency_ms": 5 + n % 40,
                            "request_id": f"{first}.{n}",
                        }
                    )
                )
            )
    for chunk in range(0, len(entries), 10_000):
        ledger.effects.store.append_batch(entries[chunk : chunk + 10_000])
    ledger.effects.seal()


def _draw(
    stream: WorkOrderStream, sla: dict[str, int]
) -> Iterator[tuple[str, int, str, str, str, str, str, OrderSteps]]:
    """Orders drawn reproducibly from the stream's seed."""
    rng = random.Random(stream.seed)
    span = max(stream.end - stream.start, 1)
    lo, hi = (math.log(h) for h in stream.handle_hours)
    for n in range(stream.count):
        at = (
            stream.start
            + (span * n) // stream.count
            + rng.randrange(0, max(span // stream.count, 1))
        )
        category = rng.choice(stream.categories)
        handler = rng.choice(stream.handlers)
        transfer = rng.randrange(10 * 60, 60 * 60)
        handle = transfer + int(math.exp(rng.uniform(lo, hi)) * HOUR)
        feedback = handle + rng.randrange(HOUR, 4 * HOUR)
        deadline = sla[category]
        if rng.random() < stream.late_share:
            complete = max(deadline + rng.randrange(HOUR, DAY), feedback + HOUR)
        else:
            complete = min(max(feedback + HOUR, deadline // 2), deadline - 60)
            complete = max(complete, feedback + 60)
        retransfer = None
        if rng.random() < stream.retransfer_share and len(stream.handlers) > 1:
            retransfer = rng.choice([h for h in stream.handlers if h != handler])
        evaluate = None
        if rng.random() < stream.evaluated_share:
            evaluate = rng.choices(range(1, 6), weights=stream.score_weights)[0]
        steps = OrderSteps(
            transfer=transfer,
            handle=handle,
            feedback=feedback,
            complete=complete,
            evaluate_after=rng.randrange(HOUR, 2 * DAY),
            evaluate=evaluate,
            retransfer_to=retransfer,
        )
        yield (
            f"{stream.prefix}{n:05d}",
            at,
            category,
            stream.policy,
            stream.clause,
            stream.operator,
            handler,
            steps,
        )


def build_steps(scenario: Scenario, start: int, records: Sequence[PolicyRecord] = ()) -> list[Step]:
    """Every step of ``scenario``, in time order; ``start`` is its start on the chain's clock.

    ``records`` are the scenario's policies (:func:`ledger.scenario.runner.scenario_records`),
    one per entry of ``scenario.policies``: those anchored after the start become steps.
    """
    if records and len(records) != len(scenario.policies):
        raise LedgerValueError("give one record per policy of the scenario")
    return _Builder(scenario, start, records).build()


def _permission(value: str) -> PermissionName:
    return cast(PermissionName, parse_permission(value).name.lower())


def _delivery(period: int, records: int, digest: bytes) -> DeliveryCreate:
    return build(
        DeliveryCreate, period=period, record_count=records, payload_digest=hex_digest(digest)
    )


def _under(policy: str, clause: str) -> SystemConnection:
    return build(SystemConnection, policy_id=policy, clause_id=clause)
