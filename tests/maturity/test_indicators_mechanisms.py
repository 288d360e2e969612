"""I1, I3, M1, M2, M4, T1, T3 and D4 measured from contract events.

Every expected value below was worked out by hand from MATURITY.md ("Indicators",
"Definitions the indicators rely on", "Output and evidence"), not read off the code.
Event and argument names are those of ``contracts/interfaces/*.sol``; ids arrive as
text, booleans as bool and integers as int, as the indexer stores them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pytest

from ledger.knowledge.models import PolicyRecord
from ledger.maturity.engine import NOT_RATED, RATED, IndicatorInput, compute_result
from ledger.maturity.indicators import (
    Evidence,
    attested_uptake_t3,
    closed_loop_m1,
    conversion_cycle_i1,
    drill_adherence_m2,
    execution_i3,
    interconnection_t1,
    response_m4,
    satisfaction_d4,
)
from ledger.maturity.spec import Spec, load_spec
from ledger.store.records import EventRecord
from tests.conftest import sample_policy

DAY = 86_400
HOUR = 3_600
T0 = 1_700_000_000
#: The default judging window of these tests: [T0, T0 + 60 days], both ends inclusive.
END = T0 + 60 * DAY
INF = math.inf

Key = tuple[int, str, int]
_log = itertools.count(1)


# -- event builders ----------------------------------------------------------------------


def ev(event: str, time: int, **args: Any) -> EventRecord:
    """One event; every event gets its own block, tx hash and a log index."""
    n = next(_log)
    return EventRecord(n, f"0x{n:064x}", time, f"0x{n:064x}", n % 5, "X", event, args)


def keys(*events: EventRecord | Iterable[EventRecord]) -> list[Key]:
    """The sorted, de-duplicated evidence keys of some events."""
    flat: list[EventRecord] = []
    for e in events:
        flat.extend([e] if isinstance(e, EventRecord) else e)
    return sorted({e.key for e in flat})


def anchored(
    policy: str = "test.ops",
    version: int = 1,
    effective: int = T0 - 100 * DAY,
    clauses: Sequence[str] = ("c1", "c2", "c3", "c4"),
    time: int | None = None,
) -> EventRecord:
    return ev(
        "PolicyAnchored",
        effective if time is None else time,
        policyId=policy,
        version=version,
        digest=f"0x{version:02x}",
        kind="policy",
        element="operating_mechanism",
        effectiveAt=effective,
        clauseIds=list(clauses),
        clauseDigests=[f"0x{i + 1:02x}" for i in range(len(clauses))],
    )


def delivery(t: int, clause: str = "c1", policy: str = "test.ops", k: int = 0) -> EventRecord:
    return ev(
        "DeliveryRecorded",
        t,
        agreementId=f"agr.{clause}",
        policyId=policy,
        providerId="dept.p",
        clauseId=clause,
        period=k,
        dueAt=t,
        recordCount=1,
        payloadDigest="0x01",
        onTime=True,
    )


def drill_ids(pid: str, owner: str, clause: str, policy: str) -> dict[str, str]:
    """The ids every drill event carries."""
    return {"planId": pid, "policyId": policy, "ownerId": owner, "clauseId": clause}


def plan(
    pid: str,
    first: int,
    count: int,
    interval: int = 10 * DAY,
    owner: str = "dept.a",
    clause: str = "c1",
    policy: str = "test.ops",
    time: int = T0 - 30 * DAY,
) -> EventRecord:
    return ev(
        "DrillsPlanned",
        time,
        **drill_ids(pid, owner, clause, policy),
        kind=2,
        firstDueAt=first,
        interval=interval,
        count=count,
        totalSeats=69,
        requiredSeats=35,
    )


def held(
    pid: str,
    k: int,
    t: int,
    within: bool = True,
    seats: bool = True,
    owner: str = "dept.a",
    clause: str = "c1",
    policy: str = "test.ops",
) -> EventRecord:
    return ev(
        "DrillHeld",
        t,
        **drill_ids(pid, owner, clause, policy),
        index=k,
        dueAt=t,
        seatsPresent=69 if seats else 10,
        systemsOnline=3,
        recordDigest="0x02",
        withinWindow=within,
        seatsMet=seats,
    )


def drill_missed(
    pid: str,
    k: int,
    t: int,
    owner: str = "dept.a",
    clause: str = "c1",
    policy: str = "test.ops",
) -> EventRecord:
    return ev(
        "DrillMissed",
        t,
        **drill_ids(pid, owner, clause, policy),
        index=k,
        dueAt=t - 8 * DAY,
        markedBy="0x0000000000000000000000000000000000000001",
    )


def order(
    oid: str,
    accepted: int,
    deadline: int,
    transfers: Sequence[tuple[int, str]] = (),
    handled: int | None = None,
    feedback: int | None = None,
    completed: int | None = None,
    late: bool = False,
    evaluated: tuple[int, int] | None = None,
    overdue: int | None = None,
    clause: str = "c1",
    policy: str = "test.ops",
) -> list[EventRecord]:
    """The events of one work order, in time order. ``evaluated`` is ``(time, score)``."""
    common = {"orderId": oid, "policyId": policy, "clauseId": clause}
    out = [
        ev(
            "OrderAccepted",
            accepted,
            **common,
            category="cat.roads",
            caseDigest="0x03",
            slaDeadline=deadline,
            operator="0x0000000000000000000000000000000000000002",
        )
    ]
    handler = ""
    for t, to in transfers:
        out.append(ev("OrderTransferred", t, **common, handlerId=to, previousHandlerId=handler))
        handler = to
    if handled is not None:
        out.append(ev("OrderHandled", handled, **common, handlerId=handler))
    if feedback is not None:
        out.append(
            ev("OrderFeedbackGiven", feedback, **common, handlerId=handler, feedbackDigest="0x04")
        )
    if overdue is not None:
        out.append(
            ev(
                "OrderOverdue",
                overdue,
                **common,
                handlerId=handler,
                slaDeadline=deadline,
                markedBy="0x0000000000000000000000000000000000000003",
            )
        )
    if completed is not None:
        out.append(
            ev(
                "OrderCompleted",
                completed,
                **common,
                handlerId=handler,
                slaDeadline=deadline,
                late=late,
            )
        )
    if evaluated is not None:
        out.append(
            ev("OrderEvaluated", evaluated[0], **common, handlerId=handler, score=evaluated[1])
        )
    return sorted(out, key=lambda e: e.block_time)


def loop(
    oid: str,
    start: int,
    score: int | None = 5,
    handler: str = "dept.a",
    sla: int = 5 * DAY,
    clause: str = "c1",
    policy: str = "test.ops",
) -> list[EventRecord]:
    """A work order through all six stages on time, completed 4 h after acceptance."""
    return order(
        oid,
        start,
        start + sla,
        transfers=[(start + HOUR, handler)],
        handled=start + 2 * HOUR,
        feedback=start + 3 * HOUR,
        completed=start + 4 * HOUR,
        evaluated=None if score is None else (start + 5 * HOUR, score),
        clause=clause,
        policy=policy,
    )


def transferred_then_handled(
    oid: str, transfer: int, hours: float, handler: str = "dept.a", clause: str = "c1"
) -> list[EventRecord]:
    """An order transferred at ``transfer`` and handled ``hours`` later (for M4)."""
    return order(
        oid,
        transfer - HOUR,
        transfer + 30 * DAY,
        transfers=[(transfer, handler)],
        handled=transfer + int(hours * HOUR),
        clause=clause,
    )


def system(sid: str, owner: str = "dept.a", reserved: bool = False) -> EventRecord:
    return ev(
        "SystemRegistered",
        T0 - 50 * DAY,
        systemId=sid,
        ownerId=owner,
        kind="video",
        heartbeatInterval=60,
        feedsDataCenter=True,
        reserved=reserved,
    )


def slot_filled(sid: str, t: int, owner: str = "dept.a") -> EventRecord:
    return ev("SlotFilled", t, systemId=sid, ownerId=owner)


def connection(
    event: str, sid: str, t: int, owner: str = "dept.a", clause: str = "c1"
) -> EventRecord:
    return ev(event, t, systemId=sid, policyId="test.ops", ownerId=owner, clauseId=clause)


def attested(
    key: str, value: float, t: int, version: int = 1, clause: str = "c1", policy: str = "test.ops"
) -> EventRecord:
    return ev(
        "StatisticAttested",
        t,
        key=key,
        policyId=policy,
        attester="0x0000000000000000000000000000000000000004",
        clauseId=clause,
        valuePpm=round(value * 1_000_000),
        period="2024Q1",
        sourceDigest="0x05",
        version=version,
        supersedesVersion=version - 1,
    )


# -- evidence --------------------------------------------------------------------------


def ops_policy(policy_id: str = "test.ops", issuer: str = "dcity.govoffice") -> PolicyRecord:
    """c1 M2 >= 0.6, c2 T3 >= 0.9, c3 M4 <= 24 h, c4 no obligation, c5 on an I metric, c6 on
    an effect-log metric."""
    return sample_policy(
        policy_id,
        element="operating_mechanism",
        issuer=issuer,
        clauses=[
            {"id": "c1", "text": "Drill.", "obligation": ob("M2", ">=", 0.6)},
            {"id": "c2", "text": "Attest.", "obligation": ob("T3", ">=", 0.9)},
            {"id": "c3", "text": "Respond.", "obligation": ob("M4", "<=", 24)},
            {"id": "c4", "text": "No measured obligation."},
            {"id": "c5", "text": "Link.", "obligation": ob("I2", ">=", 0.5)},
            {"id": "c6", "text": "Permissions.", "obligation": ob("D3", ">=", 0.999)},
        ],
    )


def ob(metric: str, comparator: str, target: float) -> dict[str, Any]:
    return {"metric": metric, "comparator": comparator, "target": float(target)}


def evidence(
    events: Iterable[EventRecord],
    start: int = T0,
    end: int = END,
    scope: str | None = None,
    records: Sequence[PolicyRecord] = (),
    spec: Spec | None = None,
) -> Evidence:
    """Evidence over ``events`` in time order (as the chain gives them), with ``records``
    (default: ``ops_policy()``) behind the anchored policies, judged under ``spec``.

    The default is version 1: the tests in this file pin version 1's definitions (I1,
    M4 and T1 changed in version 2; see ``test_v2.py``)."""
    by_id = {r.id: r for r in (records or [ops_policy()])}
    chain = sorted(events, key=lambda e: e.block_time)
    return Evidence(
        chain, start, end, scope, lambda p, _v, _d: by_id.get(p), spec=spec or load_spec(1)
    )


# == I1: conversion cycle ================================================================

E = T0 - 100 * DAY  # the effective time of the default anchored version


def i1_case(days: Mapping[str, Sequence[float]]) -> list[EventRecord]:
    """Execution events, one per offset (days after E), cycling through the three kinds."""
    kinds = itertools.cycle(
        (
            lambda t, c: delivery(t, c),
            lambda t, c: held("plan.x", 0, t, clause=c),
            lambda t, c: order("o." + c + str(t), t - DAY, t + DAY, completed=t, clause=c)[-1],
        )
    )
    out = []
    for clause, offsets in days.items():
        for d in offsets:
            out.append(next(kinds)(E + int(d * DAY), clause))
    return out


@pytest.mark.parametrize(
    ("execs", "sample", "median"),
    [
        # c1 10 d, c2 20 d, c3 40 d, c4 never: [10, 20, 40, inf] -> (20 + 40) / 2 = 30.
        ({"c1": [10], "c2": [20], "c3": [40]}, [10, 20, 40, INF], 30.0),
        # even sample whose middle pair holds +inf: [10, 20, inf, inf] -> (20 + inf) / 2 = inf.
        ({"c1": [10], "c2": [20]}, [10, 20, INF, INF], INF),
        # every clause converted: [1, 3, 5, 90] -> 4.
        ({"c1": [5], "c2": [1], "c3": [90], "c4": [3]}, [5, 1, 90, 3], 4.0),
        # only the FIRST execution event citing a clause counts: c1 at 2 d, not 50 d.
        ({"c1": [2, 50], "c2": [6, 8], "c3": [7]}, [2, 6, 7, INF], 6.5),
        # an execution event before the window (E + 10 d = T0 - 90 d) still counts: "by the
        # window's end", not "in the window".
        ({"c1": [10], "c2": [10], "c3": [10], "c4": [10]}, [10, 10, 10, 10], 10.0),
        # nothing ever executed: the median is +inf.
        ({}, [INF, INF, INF, INF], INF),
    ],
)
def test_i1_median_days_to_first_execution(
    execs: dict[str, list[float]], sample: list[float], median: float
) -> None:
    a = anchored()
    ex = i1_case(execs)
    got = conversion_cycle_i1(evidence([a, *ex]))
    assert sorted(got.sample or []) == pytest.approx(sorted(sample))
    assert got.raw == pytest.approx(median)
    assert got.n == 4
    firsts: dict[str, EventRecord] = {}
    for e in ex:
        firsts.setdefault(e.args["clauseId"], e)
    assert got.evidence == keys(a, firsts.values())


def test_i1_odd_sample_with_a_never_executed_clause() -> None:
    a = anchored(clauses=("c1", "c2", "c3"))
    got = conversion_cycle_i1(evidence([a, *i1_case({"c1": [10], "c2": [20]})]))
    assert sorted(got.sample or []) == [10, 20, INF]
    assert got.raw == 20  # the middle of [10, 20, inf]


def test_i1_counts_only_execution_events() -> None:
    """Registrations, commitments, plans and approvals are not execution events."""
    a = anchored()
    early = E + DAY
    not_execution = [
        ev(
            "AgreementCommitted",
            early,
            agreementId="agr.c4",
            policyId="test.ops",
            providerId="dept.p",
            clauseId="c4",
            itemId="item.a",
            consumerId="dept.c",
            permission=1,
            firstDueAt=early,
            period=DAY,
            periods=3,
            callsPerPeriod=1,
        ),
        plan("plan.c4", early + DAY, 3, clause="c4", time=early),
        ev(
            "DeliveryMissed",
            early,
            agreementId="agr.c4",
            policyId="test.ops",
            providerId="dept.p",
            clauseId="c4",
            period=0,
            dueAt=early,
            markedBy="0x01",
        ),
        drill_missed("plan.c4", 0, early, clause="c4"),
        connection("SystemConnected", "sys.1", early, clause="c4"),
        attested("fibre", 0.9, early, clause="c4"),
        # an order accepted, transferred, handled, given feedback and evaluated... but the
        # execution event (OrderCompleted) is dropped: only the completion counts.
        *[e for e in loop("o.c4", early, clause="c4") if e.event != "OrderCompleted"],
        ev("PolicyApproved", early, policyId="test.ops", version=1, leader="0x02", approvals=2),
    ]
    # c1..c3 get the same non-execution events early, then a real execution event later.
    mirrored = [
        *[e for e in loop("o.c1", early, clause="c1") if e.event != "OrderCompleted"],
        plan("plan.c2", early + DAY, 3, clause="c2", time=early),
        attested("5g", 0.9, early, clause="c3"),
    ]
    execs = i1_case({"c1": [10], "c2": [20], "c3": [30]})
    got = conversion_cycle_i1(evidence([a, *not_execution, *mirrored, *execs]))
    # [10, 20, 30, inf]: the median is (20 + 30) / 2 = 25; were the early events counted,
    # c1..c4 would all be at 1 day.
    assert sorted(got.sample or []) == [10, 20, 30, INF]
    assert got.raw == 25
    assert got.evidence == keys(a, execs)


def test_i1_effective_time_is_that_of_the_first_version_holding_the_clause() -> None:
    e1, e2 = T0 - 100 * DAY, T0 - 50 * DAY
    v1 = anchored(version=1, effective=e1, clauses=("c1", "c2", "c3"))
    v2 = anchored(version=2, effective=e2, clauses=("c1", "c2", "c3", "c4"))
    c1 = delivery(e1 + 10 * DAY, "c1")  # under v1
    c2 = delivery(e1 + 60 * DAY, "c2")  # under v2, but c2 has been in force since v1
    c3 = delivery(e1 + 80 * DAY, "c3")
    c4 = delivery(e2 + 5 * DAY, "c4")  # c4 is new in v2: from e2
    got = conversion_cycle_i1(evidence([v1, v2, c1, c2, c3, c4]))
    # [10, 60, 80, 5] -> sorted [5, 10, 60, 80] -> (10 + 60) / 2 = 35. (From v2's time for
    # every clause it would be [0, 10, 30, 5] -> 7.5.)
    assert sorted(got.sample or []) == [5, 10, 60, 80]
    assert got.raw == 35
    assert got.evidence == keys(v1, v2, c1, c2, c3, c4)


def test_i1_clause_dropped_by_a_later_version_is_not_in_the_sample() -> None:
    v1 = anchored(version=1, clauses=("c1", "c2", "c3", "c4"))
    v2 = anchored(version=2, effective=T0 - 50 * DAY, clauses=("c1", "c2", "c3"))
    got = conversion_cycle_i1(evidence([v1, v2, delivery(E + 4 * DAY, "c1")]))
    assert sorted(got.sample or []) == [4, INF, INF]
    assert got.raw == INF


def test_i1_evidence_holds_the_in_force_anchor() -> None:
    v1 = anchored(version=1, clauses=("c1", "c2", "c3"))
    v2 = anchored(version=2, effective=T0 - 50 * DAY, clauses=("c1", "c2", "c3"))
    d = delivery(E + DAY, "c1")
    got = conversion_cycle_i1(evidence([v1, v2, d]))
    assert got.raw == INF
    assert got.evidence == keys(v1, v2, d)


def test_i1_window_end_and_other_policies() -> None:
    a = anchored()
    after = delivery(END + 1, "c1")  # after the window's end: c1 has no event "by" then
    other = delivery(E + DAY, "c2", policy="test.other")  # cites another policy's c2
    future = anchored("test.later", effective=END + 1)  # not yet effective: not in force
    revoked = anchored("test.gone")
    gone = ev("PolicyRevoked", T0, policyId="test.gone", version=1, revokedAt=T0)
    records = [ops_policy(), ops_policy("test.later"), ops_policy("test.gone")]
    got = conversion_cycle_i1(evidence([a, after, other, future, revoked, gone], records=records))
    assert got.sample == [INF] * 4
    assert got.evidence == keys(a)


# == I3: execution =======================================================================


def drills_for(
    clause: str,
    outcomes: Sequence[bool | None],
    owner: str = "dept.a",
    policy: str = "test.ops",
) -> list[EventRecord]:
    """A plan of drills due T0+5d, +15d, ... citing ``clause``: True held on the due day with
    the seats, False held 8 days late (outside the +/-7 days), None marked missed."""
    pid = f"plan.{policy}.{clause}.{owner}"
    first = T0 + 5 * DAY
    out = [plan(pid, first, len(outcomes), owner=owner, clause=clause, policy=policy)]
    for k, ok in enumerate(outcomes):
        due = first + k * 10 * DAY
        if ok is None:
            out.append(drill_missed(pid, k, due + 8 * DAY, owner, clause, policy))
        else:
            out.append(held(pid, k, due if ok else due + 8 * DAY, ok, True, owner, clause, policy))
    return out


def responses(clause: str, hours: Sequence[float], prefix: str = "o") -> list[EventRecord]:
    out = []
    for i, h in enumerate(hours):
        t = T0 + (i + 1) * DAY
        out += transferred_then_handled(f"{prefix}.{clause}.{i}", t, h, clause=clause)
    return out


@pytest.mark.parametrize(
    ("drills", "t3", "hours", "met"),
    [
        # c1 M2 3/4 = 0.75 >= 0.6 met; c2 T3 0.95 >= 0.9 met; c3 M4 median 11 <= 24 met.
        ([True, True, True, None], 0.95, range(2, 21, 2), 3),
        # c1 1/4 = 0.25 not met; c2 0.85 not met; c3 median (29 + 30) / 2 = 29.5 > 24 not met.
        ([True, False, None, None], 0.85, range(25, 35), 0),
        # the comparators at their target: 2/3 >= 0.6, 0.9 >= 0.9, median 24 <= 24, all met.
        ([True, True, False], 0.9, [20, 21, 22, 23, 24, 24, 25, 26, 27, 28], 3),
        # just past the targets: 0.899999 < 0.9 not met; median 24.5 > 24 not met; c1 met.
        ([True, True, True], 0.899999, [20, 21, 22, 23, 24, 25, 25, 26, 27, 28], 1),
    ],
)
def test_i3_obligations_met_or_not_by_comparator(
    drills: list[bool | None], t3: float, hours: Sequence[float], met: int
) -> None:
    a = anchored(clauses=("c1", "c2", "c3", "c4", "c5", "c6"))
    c1 = drills_for("c1", drills)
    c2 = attested("fibre", t3, T0 + DAY, clause="c2")
    c3 = responses("c3", list(hours))
    got = execution_i3(evidence([a, *c1, c2, *c3]))
    # c4 has no obligation; c5 (I2) and c6 (D3, from the effect log) are not rated for their
    # clause here: 3 obligations counted.
    assert (got.numerator, got.denominator, got.n) == (met, 3, 3)
    assert got.raw == pytest.approx(met / 3)
    transfers_and_handlings = [e for e in c3 if e.event in ("OrderTransferred", "OrderHandled")]
    assert got.evidence == keys(a, c1, c2, transfers_and_handlings)


def test_i3_only_events_citing_the_clause_and_only_rated_metrics() -> None:
    a = anchored(clauses=("c1", "c2", "c3", "c4", "c5", "c6"))
    # c1 (M2, n_min 3 drills): two drills cite c1, both well held -> n = 2: not rated, not
    # counted. Three drills citing c4 would make it rated, if they counted.
    c1 = drills_for("c1", [True, True])
    c4_drills = drills_for("c4", [True, True, True])
    # c2 (T3 >= 0.9): the c2 statistic is 0.95 -> met; a statistic citing c4 at 0.10 would
    # pull the mean to 0.525 if it counted.
    c2 = attested("fibre", 0.95, T0 + DAY, clause="c2")
    c4_stat = attested("5g", 0.10, T0 + DAY, clause="c4")
    # c3 (M4, n_min 10 transfers): nine orders cite c3 -> not rated; a tenth cites c4.
    c3 = responses("c3", [1] * 9)
    c4_order = responses("c4", [1])
    got = execution_i3(evidence([a, *c1, *c4_drills, c2, c4_stat, *c3, *c4_order]))
    assert (got.numerator, got.denominator) == (1, 1)
    assert got.raw == 1.0
    assert got.evidence == keys(a, c2)


def test_i3_nothing_rated_gives_no_value() -> None:
    got = execution_i3(evidence([anchored(clauses=("c1", "c2", "c3", "c4", "c5", "c6"))]))
    assert (got.numerator, got.denominator, got.raw) == (0, 0, None)
    assert got.not_rated_reason == "no obligation whose metric is rated for its clause"


def satisfaction_policy() -> PolicyRecord:
    return sample_policy(
        "test.sat",
        element="data_governance",
        clauses=[{"id": "c1", "text": "Satisfy.", "obligation": ob("D4", ">=", 0.5)}],
    )


def evaluated_orders(completed: int, evaluated: int, score: int = 5, **kw: Any) -> list[Any]:
    """``completed`` orders completed in the window, the first ``evaluated`` of them scored."""
    out: list[EventRecord] = []
    for i in range(completed):
        out += loop(f"o{i}", T0 + i * 1_000, score=score if i < evaluated else None, **kw)
    return out


def test_i3_d4_obligation_counted_when_its_coverage_is_reached() -> None:
    a = anchored("test.sat", clauses=("c1",))
    orders = evaluated_orders(100, 30, policy="test.sat")  # 30 of 100 = 30%: D4 rated
    got = execution_i3(evidence([a, *orders], records=[satisfaction_policy()]))
    assert (got.numerator, got.denominator) == (1, 1)


def test_i3_d4_obligation_not_counted_below_coverage() -> None:
    a = anchored("test.sat", clauses=("c1",))
    orders = evaluated_orders(101, 30, policy="test.sat")
    got = execution_i3(evidence([a, *orders], records=[satisfaction_policy()]))
    assert (got.numerator, got.denominator, got.raw) == (0, 0, None)


# == M1: closed loop =====================================================================


def stages(
    accepted: int,
    deadline: int,
    completed: int | None = None,
    *,
    late: bool = False,
    score: int | None = 4,
    evaluated_at: int | None = None,
    handled: bool = True,
    feedback: bool = True,
    overdue: int | None = None,
    transfers: Sequence[tuple[int, str]] | None = None,
) -> dict[str, Any]:
    """``order`` arguments: transferred 1 h, handled 2 h and feedback 3 h after acceptance;
    evaluated 1 h after completion (or at ``evaluated_at``)."""
    evaluated = None
    if completed is not None and score is not None:
        evaluated = (completed + HOUR if evaluated_at is None else evaluated_at, score)
    return {
        "accepted": accepted,
        "deadline": deadline,
        "transfers": transfers or [(accepted + HOUR, "dept.a")],
        "handled": accepted + 2 * HOUR if handled else None,
        "feedback": accepted + 3 * HOUR if handled and feedback else None,
        "completed": completed,
        "late": late,
        "evaluated": evaluated,
        "overdue": overdue,
    }


M1_CASES = {
    "six stages in order, on time": (stages(T0 + DAY, T0 + 6 * DAY, T0 + 2 * DAY), (1, 1)),
    "re-transferred, then six stages on time": (
        stages(
            T0 + DAY,
            T0 + 6 * DAY,
            T0 + 2 * DAY,
            transfers=[(T0 + DAY + HOUR, "dept.b"), (T0 + DAY + 90 * 60, "dept.a")],
        ),
        (1, 1),
    ),
    "completed late, after an overdue mark": (
        stages(T0 + DAY, T0 + DAY + 4 * HOUR, T0 + 2 * DAY, late=True, overdue=T0 + DAY + 5 * HOUR),
        (0, 1),
    ),
    "completed late in the window, its SLA before the window": (
        stages(T0 - 3 * DAY, T0 - DAY, T0 + DAY, late=True),
        (0, 1),
    ),
    "SLA expired in the window, never completed, marked overdue": (
        stages(T0 + DAY, T0 + 3 * DAY, feedback=False, overdue=T0 + 4 * DAY),
        (0, 1),
    ),
    "SLA expired in the window, never completed nor handled": (
        stages(T0 + DAY, T0 + 3 * DAY, handled=False),
        (0, 1),
    ),
    "SLA expired at the window's start (inclusive)": (stages(T0 - 5 * DAY, T0), (0, 1)),
    "SLA expired just before the window, never completed": (
        stages(T0 - 5 * DAY, T0 - 1),
        (0, 0),
    ),
    "completed on time, never evaluated": (
        stages(T0 + DAY, T0 + 6 * DAY, T0 + 2 * DAY, score=None),
        (0, 1),
    ),
    "completed and due before the window": (
        stages(T0 - 20 * DAY, T0 - 10 * DAY, T0 - 15 * DAY),
        (0, 0),
    ),
    "open, due after the window": (stages(END - 5 * DAY, END + 5 * DAY), (0, 0)),
    "completed in the window, due after it": (
        stages(END - 2 * DAY, END + 3 * DAY, END - DAY),
        (1, 1),
    ),
    # "work orders that completed or whose SLA expired in the window": this one completed
    # before the window, on time, so its SLA never expired; it belongs to an earlier window.
    "completed on time before the window, its SLA due in it": (
        stages(T0 - 3 * DAY, T0 + 2 * DAY, T0 - DAY),
        (0, 0),
    ),
    "completed at the window's end (inclusive)": (
        stages(END - DAY, END + DAY, END, evaluated_at=END),
        (1, 1),
    ),
}


@pytest.mark.parametrize(("case", "expected"), M1_CASES.values(), ids=list(M1_CASES))
def test_m1_one_order(case: dict[str, Any], expected: tuple[int, int]) -> None:
    events = order("o1", **case)
    got = closed_loop_m1(evidence(events))
    num, den = expected
    assert (got.numerator, got.denominator, got.n) == (num, den, den)
    assert got.raw == (num / den if den else None)
    assert got.evidence == (keys(events) if den else [])


def test_m1_share_over_several_orders() -> None:
    good = [loop(f"g{i}", T0 + i * DAY) for i in range(3)]  # 3 six-stage, on time
    unevaluated = loop("u", T0 + 10 * DAY, score=None)
    expired = order("x", T0 + 20 * DAY, T0 + 21 * DAY, transfers=[(T0 + 20 * DAY, "dept.a")])
    old = loop("old", T0 - 30 * DAY)  # completed and due before the window
    events = [*itertools.chain(*good), *unevaluated, *expired, *old]
    got = closed_loop_m1(evidence(events))
    assert (got.numerator, got.denominator) == (3, 5)
    assert got.raw == pytest.approx(0.6)
    assert got.evidence == keys(*good, unevaluated, expired)


# == M2: drill adherence =================================================================


def test_m2_drills_held_within_seven_days_with_seats_over_drills_due() -> None:
    # Due at T0 + 5, 15, 25, 35, 45, 55, 65 days; the window [T0, T0+60d] holds k = 0..5.
    p = plan("plan.q", T0 + 5 * DAY, 7)
    k0 = held("plan.q", 0, T0 + 4 * DAY)  # 1 day early, seats met: counts
    k1 = held("plan.q", 1, T0 + 23 * DAY, within=False)  # 8 days late: denominator only
    k2 = held("plan.q", 2, T0 + 25 * DAY, seats=False)  # seats short: denominator only
    k3 = drill_missed("plan.q", 3, T0 + 44 * DAY)  # missed: denominator only
    k4 = held("plan.q", 4, T0 + 52 * DAY)  # 7 days late, still within: counts
    # k5 due T0+55d: not recorded by the window's end: denominator only.
    k6 = held("plan.q", 6, T0 + 59 * DAY)  # due T0+65d, after the window: excluded
    got = drill_adherence_m2(evidence([p, k0, k1, k2, k3, k4, k6]))
    assert (got.numerator, got.denominator, got.n) == (2, 6, 6)
    assert got.raw == pytest.approx(1 / 3)
    assert got.evidence == keys(p, k0, k1, k2, k3, k4)


@pytest.mark.parametrize(
    ("first", "count", "expected"),
    [
        (T0 - 20 * DAY, 3, 1),  # due -20, -10, 0 days: only the one due at T0 (inclusive)
        (T0 - 30 * DAY, 3, 0),  # due -30, -20, -10 days: none due in the window
        (T0 - 30 * DAY, 4, 1),  # ... and T0
        (END, 2, 1),  # due at END (inclusive) and END + 10d
        (END + 1, 5, 0),  # all due after the window
    ],
)
def test_m2_only_drills_due_in_the_window(first: int, count: int, expected: int) -> None:
    p = plan("plan.w", first, count, time=first - DAY)
    got = drill_adherence_m2(evidence([p]))
    assert (got.numerator, got.denominator) == (0, expected)
    assert got.evidence == (keys(p) if expected else [])


# == M4: cross-department response =======================================================


def test_m4_median_hours_from_the_last_transfer_to_handling() -> None:
    o1 = transferred_then_handled("o1", T0 + DAY, 2)  # 2 h
    # o2: to dept.b, re-transferred 10 h later to dept.a, handled 4 h after that: 4 h (14 h
    # from the first transfer).
    o2 = order(
        "o2",
        T0 + 2 * DAY - HOUR,
        T0 + 30 * DAY,
        transfers=[(T0 + 2 * DAY, "dept.b"), (T0 + 2 * DAY + 10 * HOUR, "dept.a")],
        handled=T0 + 2 * DAY + 14 * HOUR,
    )
    o3 = transferred_then_handled("o3", T0 - DAY, 29)  # transferred before, handled in: 29 h
    o4 = transferred_then_handled("o4", T0 - 3 * DAY, 24)  # handled before the window
    o5 = order("o5", T0 + 5 * DAY, T0 + 9 * DAY, transfers=[(T0 + 5 * DAY, "dept.a")])
    got = response_m4(evidence([*o1, *o2, *o3, *o4, *o5]))
    assert sorted(got.sample or []) == [2, 4, 29]
    assert (got.raw, got.n) == (4, 3)
    used = [o1[1], o1[2], o2[2], o2[3], o3[1], o3[2]]  # last transfer and handling of each
    assert got.evidence == keys(used)
    # An even sample: o6 at 8 h gives [2, 4, 8, 29] -> (4 + 8) / 2 = 6.
    o6 = transferred_then_handled("o6", T0 + 10 * DAY, 8)
    got = response_m4(evidence([*o1, *o2, *o3, *o4, *o5, *o6]))
    assert (got.raw, got.n) == (6, 4)


def test_m4_nothing_handled() -> None:
    got = response_m4(evidence(order("o1", T0, T0 + DAY, transfers=[(T0, "dept.a")])))
    assert (got.raw, got.n, got.sample) == (None, 0, [])
    assert got.not_rated_reason == "no work order handled in the window"


# == T1: interconnection =================================================================


def test_t1_connected_at_the_window_end_over_registered_systems() -> None:
    regs = {s: system(s) for s in ("s1", "s2", "s3", "s4", "s7", "s8")}
    s5 = system("s5", reserved=True)  # a reserved slot never filled: registered, unconnected
    s6 = system("s6", reserved=True)
    fill6 = slot_filled("s6", T0 + 3 * DAY)
    last = {
        "s1": connection("SystemConnected", "s1", T0 + DAY),
        "s2": connection("SystemDisconnected", "s2", T0 + 10 * DAY),
        "s3": connection("SystemConnected", "s3", T0 + 20 * DAY),
        "s6": connection("SystemConnected", "s6", T0 + 4 * DAY),
        "s7": connection("SystemConnected", "s7", T0 - 10 * DAY),  # connected before: still
        "s8": connection("SystemDisconnected", "s8", END + 1),  # after the window's end
    }
    earlier = [
        connection("SystemConnected", "s2", T0 + DAY),
        connection("SystemConnected", "s3", T0 + DAY),
        connection("SystemDisconnected", "s3", T0 + 2 * DAY),
        connection("SystemConnected", "s8", T0 + DAY),
    ]
    events = [*regs.values(), s5, s6, fill6, *last.values(), *earlier]
    got = interconnection_t1(evidence(events))
    # Registered: s1..s8 (a reserved slot is registered too); connected at END: s1, s3,
    # s6, s7, s8 (its disconnection comes after the window's end).
    assert (got.numerator, got.denominator, got.n) == (5, 8, 8)
    assert got.raw == pytest.approx(5 / 8)
    # Evidence: the eight registrations and each one's state at END (s2's disconnection,
    # s8's connection). SlotFilled is checked in the test below.
    at_end = [*(v for k, v in last.items() if k != "s8"), earlier[3]]
    assert set(got.evidence) - {fill6.key} == {e.key for e in [*regs.values(), s5, s6, *at_end]}


def test_t1_a_reserved_slot_is_registered_but_not_connected() -> None:
    # "registered business systems": a reserved slot is registered, and it cannot connect
    # until filled, so it holds T1 down until the data can be had.
    s1, s2, s3 = system("s1"), system("s2"), system("s3", reserved=True)
    on = connection("SystemConnected", "s1", T0)
    got = interconnection_t1(evidence([s1, s2, s3, on]))
    assert (got.numerator, got.denominator) == (1, 3)
    fill = slot_filled("s3", T0 + DAY)
    got = interconnection_t1(evidence([s1, s2, s3, on, fill]))
    assert (got.numerator, got.denominator) == (1, 3)  # filled, not yet connected


def test_t1_evidence_holds_the_slot_filled_event() -> None:
    s1 = system("s1", reserved=True)
    fill = slot_filled("s1", T0 + DAY)
    on = connection("SystemConnected", "s1", T0 + 2 * DAY)
    got = interconnection_t1(evidence([s1, fill, on]))
    assert (got.numerator, got.denominator) == (1, 1)
    assert got.evidence == keys(s1, fill, on)


# == T3: attested uptake =================================================================


def test_t3_mean_of_the_latest_attestation_per_key() -> None:
    k1_old = attested("fibre", 0.80, T0 - 30 * DAY, version=1)
    k1 = attested("fibre", 0.90, T0 + 5 * DAY, version=2)  # supersedes 0.80
    k2 = attested("5g", 0.70, T0 + 10 * DAY)
    k3 = attested("bus", 0.95, T0 - 100 * DAY)  # old, but still the one in force
    k2_late = attested("5g", 0.10, END + 1, version=2)  # after the window's end
    got = attested_uptake_t3(evidence([k1_old, k1, k2, k3, k2_late]))
    # (0.90 + 0.70 + 0.95) / 3 = 2.55 / 3 = 0.85
    assert sorted(got.sample or []) == pytest.approx([0.70, 0.90, 0.95])
    assert got.raw == pytest.approx(0.85)
    assert got.n == 3
    assert got.evidence == keys(k1, k2, k3)


def test_t3_department_scope_has_no_observations() -> None:
    got = attested_uptake_t3(evidence([attested("fibre", 0.9, T0)], scope="dcity.govoffice"))
    assert (got.raw, got.n, got.sample, got.evidence) == (None, 0, [], [])
    assert got.not_rated_reason == "no attested statistic"


# == D4: satisfaction ====================================================================


def test_d4_mean_of_scaled_scores_over_evaluated_completed_orders() -> None:
    o1 = loop("o1", T0 + DAY, score=5)  # (5-1)/4 = 1.0
    o2 = loop("o2", T0 + 2 * DAY, score=1)  # 0.0
    o3 = loop("o3", T0 + 3 * DAY, score=4)  # 0.75
    o4 = loop("o4", T0 + 4 * DAY, score=None)  # completed, not evaluated
    o5 = loop("o5", T0 - 10 * DAY, score=2)  # completed before the window: excluded
    o6 = order("o6", T0 + 5 * DAY, T0 + 9 * DAY, transfers=[(T0 + 5 * DAY, "dept.a")])  # open
    got = satisfaction_d4(evidence([*o1, *o2, *o3, *o4, *o5, *o6]))
    assert sorted(got.sample or []) == [0.0, 0.75, 1.0]
    assert got.raw == pytest.approx(1.75 / 3)
    assert (got.numerator, got.denominator, got.n) == (3, 4, 3)

    def of(o: list[EventRecord], *names: str) -> list[EventRecord]:
        return [e for e in o if e.event in names]

    done = "OrderCompleted"
    assert got.evidence == keys(
        of(o1, done, "OrderEvaluated"),
        of(o2, done, "OrderEvaluated"),
        of(o3, done, "OrderEvaluated"),
        of(o4, done),
    )


@pytest.mark.parametrize(("score", "scaled"), [(1, 0.0), (2, 0.25), (3, 0.5), (4, 0.75), (5, 1.0)])
def test_d4_scale(score: int, scaled: float) -> None:
    assert satisfaction_d4(evidence(loop("o1", T0, score=score))).raw == scaled


def d4_result(completed: int, evaluated: int, score: int = 4) -> dict[str, Any]:
    inp = satisfaction_d4(evidence(evaluated_orders(completed, evaluated, score)))
    result = compute_result(
        load_spec(1),
        {"D4": inp},
        scope=None,
        window_start=T0,
        window_end=END,
        as_of_block=1,
        as_of_hash="0x" + "ab" * 32,
        as_of_time=END,
        chain_id=1,
    )
    return next(i for i in result["indicators"] if i["id"] == "D4")


def test_d4_not_rated_below_thirty_percent_coverage() -> None:
    d4 = d4_result(101, 30)  # 30 evaluations (n_min met), but 30/101 = 29.7% < 30%
    assert d4["status"] == NOT_RATED
    assert d4["reason"] == "30 of 101 completed orders evaluated, fewer than 30%"
    assert (d4["numerator"], d4["denominator"], d4["n"]) == (30, 101, 30)
    assert d4["raw"] == 0.75
    assert d4["score"] is None


def test_d4_rated_at_thirty_percent_coverage() -> None:
    d4 = d4_result(100, 30)  # exactly 30%
    assert (d4["status"], d4["reason"]) == (RATED, None)
    assert (d4["numerator"], d4["denominator"], d4["n"]) == (30, 100, 30)
    # (0.75 - 0.6) / (0.95 - 0.6) = 0.15 / 0.35 = 0.4285714... -> 0.428571
    assert d4["score"] == 0.428571


def test_d4_not_rated_below_thirty_evaluations() -> None:
    d4 = d4_result(40, 29)  # 72.5% coverage, but only 29 evaluations
    assert d4["status"] == NOT_RATED
    assert d4["reason"] == "29 evaluations observed, fewer than the 30 evaluations required"


# == Department scope, one family at a time ==============================================


def test_scope_institutional_counts_the_clauses_of_policies_the_department_issued() -> None:
    mine = anchored("test.civil", clauses=("c1", "c2", "c3"))
    theirs = anchored("test.ops")
    execs = [delivery(E + 3 * DAY, "c1", "test.civil"), delivery(E + 5 * DAY, "c1", "test.ops")]
    records = [ops_policy("test.civil", issuer="dcity.civil"), ops_policy()]
    got = conversion_cycle_i1(
        evidence([mine, theirs, *execs], scope="dcity.civil", records=records)
    )
    assert sorted(got.sample or []) == [3, INF, INF]
    assert got.evidence == keys(mine, execs[0])
    city = conversion_cycle_i1(evidence([mine, theirs, *execs], records=records))
    assert city.n == 7
    # I3: the issuer's obligations, each judged on the issuer's own events: c1 (M2) on the
    # drills the issuer owns. dcity.civil owns 3 well-held drills citing its c1; the drills
    # of dept.a citing it are not its events.
    drills = [
        *drills_for("c1", [True] * 3, owner="dcity.civil", policy="test.civil"),
        *drills_for("c1", [None] * 3, owner="dept.a", policy="test.civil"),
    ]
    scoped = execution_i3(evidence([mine, theirs, *drills], scope="dcity.civil", records=records))
    assert (scoped.numerator, scoped.denominator) == (1, 1)
    other = execution_i3(evidence([mine, theirs, *drills], scope="dcity.health", records=records))
    assert other.denominator == 0


def test_scope_operating_mechanism_is_the_handling_department_and_drill_owner() -> None:
    a_good = [loop(f"a{i}", T0 + i * DAY, handler="dept.a") for i in range(2)]
    b_late = order(
        "b1",
        T0 + DAY,
        T0 + DAY + 4 * HOUR,
        transfers=[(T0 + DAY + HOUR, "dept.b")],
        handled=T0 + DAY + 3 * HOUR,
        feedback=T0 + DAY + 5 * HOUR,
        completed=T0 + DAY + 6 * HOUR,
        late=True,
    )
    # moved from dept.a to dept.b before handling: dept.b's order only. Its SLA expires in the
    # window without completion.
    moved = order(
        "m1",
        T0 + 3 * DAY,
        T0 + 8 * DAY,
        transfers=[(T0 + 3 * DAY, "dept.a"), (T0 + 3 * DAY + HOUR, "dept.b")],
        handled=T0 + 3 * DAY + 6 * HOUR,
    )
    events = [*itertools.chain(*a_good), *b_late, *moved]
    a = closed_loop_m1(evidence(events, scope="dept.a"))
    assert (a.numerator, a.denominator) == (2, 2)
    assert a.evidence == keys(*a_good)
    b = closed_loop_m1(evidence(events, scope="dept.b"))
    assert (b.numerator, b.denominator) == (0, 2)  # b1 late, m1 expired
    assert b.evidence == keys(b_late, moved)
    # M4: dept.a handled a0, a1 one hour after transfer; dept.b b1 2 h, m1 5 h.
    assert response_m4(evidence(events, scope="dept.a")).sample == [1.0, 1.0]
    assert sorted(response_m4(evidence(events, scope="dept.b")).sample or []) == [2.0, 5.0]
    # M2: the drill owner.
    drills = [*drills_for("c1", [True, None], "dept.a"), *drills_for("c1", [True], "dept.b")]
    got = drill_adherence_m2(evidence(drills, scope="dept.b"))
    assert (got.numerator, got.denominator) == (1, 1)
    assert got.evidence == keys(drills[3:])


def test_scope_technical_support_is_the_system_owner() -> None:
    a1, a2, b1 = system("a1", "dept.a"), system("a2", "dept.a"), system("b1", "dept.b")
    on_a1 = connection("SystemConnected", "a1", T0, owner="dept.a")
    on_b1 = connection("SystemConnected", "b1", T0, owner="dept.b")
    events = [a1, a2, b1, on_a1, on_b1]
    a = interconnection_t1(evidence(events, scope="dept.a"))
    assert (a.numerator, a.denominator) == (1, 2)
    assert a.evidence == keys(a1, a2, on_a1)
    b = interconnection_t1(evidence(events, scope="dept.b"))
    assert (b.numerator, b.denominator) == (1, 1)
    assert b.evidence == keys(b1, on_b1)


def test_scope_data_governance_satisfaction_is_the_handling_department() -> None:
    a = [loop("a1", T0 + DAY, score=5, handler="dept.a"), loop("a2", T0, None, "dept.a")]
    b = [loop("b1", T0 + DAY, score=2, handler="dept.b")]
    events = list(itertools.chain(*a, *b))
    got = satisfaction_d4(evidence(events, scope="dept.a"))
    assert (got.sample, got.numerator, got.denominator) == ([1.0], 1, 2)
    got = satisfaction_d4(evidence(events, scope="dept.b"))
    assert (got.sample, got.numerator, got.denominator) == ([0.25], 1, 1)
    assert got.evidence == keys(e for e in b[0] if e.event in ("OrderCompleted", "OrderEvaluated"))


def test_inputs_are_engine_inputs() -> None:
    """Each function returns an IndicatorInput filed under its own id."""
    ev_ = evidence([])
    for fn, ident in [
        (conversion_cycle_i1, "I1"),
        (execution_i3, "I3"),
        (closed_loop_m1, "M1"),
        (drill_adherence_m2, "M2"),
        (response_m4, "M4"),
        (interconnection_t1, "T1"),
        (attested_uptake_t3, "T3"),
        (satisfaction_d4, "D4"),
    ]:
        got = fn(ev_)
        assert isinstance(got, IndicatorInput)
        assert (got.id, got.raw, got.n) == (ident, None, 0)
