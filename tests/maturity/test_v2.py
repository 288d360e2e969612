"""Version 2's changes (MATURITY.md "Changes in version 2"), each against values worked
out by hand from MATURITY.md v2, beside what version 1 gives on the same events.

Each v2 assertion here fails on the code as it was before version 2 (which computed v1
only); the v1 assertions pin that version 1 is still computed as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from ledger.effects.store import PermissionCounts
from ledger.knowledge.models import PolicyRecord
from ledger.maturity.indicators import (
    EffectView,
    Evidence,
    availability_t2,
    clause_cycles,
    conversion_cycle_i1,
    interconnection_t1,
    obligation_outcomes,
    response_m4,
)
from ledger.maturity.spec import Spec, load_spec
from ledger.store.records import EventRecord
from tests.conftest import sample_policy
from tests.maturity.test_indicators_mechanisms import (
    DAY,
    END,
    HOUR,
    INF,
    T0,
    anchored,
    attested,
    connection,
    delivery,
    drill_missed,
    ev,
    keys,
    loop,
    order,
    plan,
)

V1, V2 = load_spec(1), load_spec(2)
LOG = "log.test"


@dataclass
class FakeLog:
    """An effect log held in memory: ``(kind, agreement or system, at, seq, permission)``.

    It answers the store's aggregate queries by counting its entries, as
    ``ledger.effects.store.EffectStore`` does with SQL.
    """

    entries: list[tuple[str, str, int, int, int]] = field(default_factory=list)

    def _rows(
        self,
        kind: str,
        first_seq: int = 0,
        last_seq: int | None = None,
        *,
        since: int | None = None,
        until: int | None = None,
    ) -> list[Any]:
        """The ``kind`` entries in the store's range (seq and time bounds, as it takes them)."""
        lo, hi = (0 if since is None else since), (2**62 if until is None else until)
        top = 2**62 if last_seq is None else last_seq
        return [
            e for e in self.entries if e[0] == kind and first_seq <= e[3] <= top and lo <= e[2] < hi
        ]

    def calls_within_permission(
        self, granted: Mapping[str, int], *seqs: Any, **times: Any
    ) -> Mapping[str, Any]:
        out: dict[str, PermissionCounts] = {}
        for _k, agreement, _at, _seq, level in self._rows("call", *seqs, **times):
            within, total = out.get(agreement, PermissionCounts(0, 0))
            ok = agreement in granted and level <= granted[agreement]
            out[agreement] = PermissionCounts(within + ok, total + 1)
        return out

    def heartbeats_per_system(self, *seqs: Any, **times: Any) -> Mapping[str, int]:
        out: dict[str, int] = {}
        for _k, system, _at, _seq, _p in self._rows("heartbeat", *seqs, **times):
            out[system] = out.get(system, 0) + 1
        return out

    def first_call_per_agreement(self, last_seq: int) -> Mapping[str, int]:
        out: dict[str, int] = {}
        for _k, agreement, _at, seq, _p in self._rows("call", 0, last_seq):
            out[agreement] = min(seq, out.get(agreement, seq))
        return out

    def first_heartbeat(self, system: str, last_seq: int, *, since: int, until: int) -> int | None:
        rows = self._rows("heartbeat", 0, last_seq, since=since, until=until)
        seqs = [e[3] for e in rows if e[1] == system]
        return min(seqs) if seqs else None


def evidence(
    events: Iterable[EventRecord],
    spec: Spec,
    *,
    start: int = T0,
    end: int = END,
    scope: str | None = None,
    records: Sequence[PolicyRecord] = (),
    log: FakeLog | None = None,
    covered: int = 0,
) -> Evidence:
    """Evidence over ``events`` in time order; records looked up by (policy, version)."""
    by_key = {(r.id, r.version): r for r in records}
    chain = sorted(events, key=lambda e: e.block_time)
    view = None
    if log is not None:
        cps = [e for e in chain if e.event == "CheckpointAnchored"]
        view = EffectView(LOG, covered, cps[-1] if cps else None, log)
    return Evidence(chain, start, end, scope, lambda p, v, _d: by_key.get((p, v)), view, spec)


def checkpoint(index: int, size: int, t: int) -> EventRecord:
    return ev(
        "CheckpointAnchored",
        t,
        logId=LOG,
        ownerId="dept.a",
        policyId="test.ops",
        clauseId="c3",
        index=index,
        treeSize=size,
        root="0x01",
        previousSize=0,
        previousRoot="0x00",
    )


def log_opened(t: int, clause: str = "c3") -> EventRecord:
    return ev("LogOpened", t, logId=LOG, ownerId="dept.a", policyId="test.ops", clauseId=clause)


def committed(aid: str, clause: str, t: int = T0, per_period: int = 10) -> EventRecord:
    return ev(
        "AgreementCommitted",
        t,
        agreementId=aid,
        itemId="item." + aid,
        policyId="test.ops",
        clauseId=clause,
        providerId="dept.p",
        consumerId="dept.c",
        permission=2,
        firstDueAt=t + 7 * DAY,
        period=7 * DAY,
        periods=8,
        callsPerPeriod=per_period,
    )


def registered(
    sid: str, kind: str = "business", interval: int = 60, reserved: bool = False
) -> EventRecord:
    return ev(
        "SystemRegistered",
        T0 - 50 * DAY,
        systemId=sid,
        ownerId="dept.a",
        kind=kind,
        heartbeatInterval=interval,
        feedsDataCenter=True,
        reserved=reserved,
    )


# == I1: a clause's start =================================================================

A = T0 - 50 * DAY  # the anchor's block time in these cases


def test_i1_start_is_the_later_of_effective_time_and_anchor_time() -> None:
    # Effective at T0-100d, anchored at A = T0-50d: v2 starts the clause at A, v1 at T0-100d.
    a = anchored(effective=T0 - 100 * DAY, time=A)
    execs = [
        delivery(A + 10 * DAY, "c1"),
        delivery(A + 20 * DAY, "c2"),
        delivery(A + 40 * DAY, "c3"),
    ]
    v2 = conversion_cycle_i1(evidence([a, *execs], V2))
    # v2: [10, 20, 40, inf] days -> median (20 + 40) / 2 = 30.
    assert sorted(v2.sample or []) == [10, 20, 40, INF]
    assert v2.raw == 30
    assert v2.evidence == keys(a, execs)
    v1 = conversion_cycle_i1(evidence([a, *execs], V1))
    # v1: from T0-100d: [60, 70, 90, inf] -> 80.
    assert sorted(v1.sample or []) == [60, 70, 90, INF]
    assert v1.raw == 80


def test_i1_start_is_the_effective_time_when_that_is_later() -> None:
    a = anchored(effective=T0 - 30 * DAY, time=A, clauses=("c1", "c2", "c3"))
    # c1 executed 6 h before it takes effect (0 days: never negative), c2 12 days after.
    execs = [delivery(T0 - 30 * DAY - 6 * HOUR, "c1"), delivery(T0 - 18 * DAY, "c2")]
    got = conversion_cycle_i1(evidence([a, *execs], V2))
    assert sorted(got.sample or []) == [0, 12, INF]
    assert got.raw == 12


def test_i1_raw_sample_is_in_days() -> None:
    a = anchored(effective=A, time=A, clauses=("c1", "c2", "c3"))
    execs = [
        delivery(A + 36 * HOUR, "c1"),
        delivery(A + 90 * 60, "c2"),
        delivery(A + 3 * DAY, "c3"),
    ]
    got = conversion_cycle_i1(evidence([a, *execs], V2))
    assert sorted(got.sample or []) == pytest.approx([90 * 60 / DAY, 1.5, 3.0])
    assert got.raw == pytest.approx(1.5)


def ops_record(version: int, c1_text: str) -> PolicyRecord:
    return sample_policy(
        "test.ops",
        version,
        element="operating_mechanism",
        clauses=[
            {"id": "c1", "text": c1_text},
            {"id": "c2", "text": "Attest."},
            {"id": "c3", "text": "Respond."},
            {"id": "c4", "text": "Link."},
        ],
    )


def test_i1_a_changed_clause_starts_again_an_unchanged_one_keeps_its_start() -> None:
    old, new = T0 - 200 * DAY, T0 - 50 * DAY
    v1 = anchored(version=1, effective=old, time=old)
    v2 = anchored(version=2, effective=new, time=new)
    records = [ops_record(1, "Drill."), ops_record(2, "Drill twice a year.")]
    execs = [
        delivery(old + 50 * DAY, "c1"),  # executed c1 as it was: not the changed c1
        delivery(new + 5 * DAY, "c1"),  # the changed c1: 5 days from its new start
        delivery(old + 50 * DAY, "c2"),  # c2 unchanged since v1: 50 days from old
        delivery(old + 10 * DAY, "c3"),  # 10 days
    ]
    got = conversion_cycle_i1(evidence([v1, v2, *execs], V2, records=records))
    # [5, 50, 10, inf] -> sorted [5, 10, 50, inf] -> (10 + 50) / 2 = 30.
    assert sorted(got.sample or []) == [5, 10, 50, INF]
    assert got.raw == 30
    starts = {
        c.clause.clause_id: c.start
        for c in clause_cycles(evidence([v1, v2, *execs], V2, records=records))
    }
    assert starts == {"c1": new, "c2": old, "c3": old, "c4": old}
    # v1 starts every clause at the first version holding it and takes c1's first event.
    assert sorted(
        conversion_cycle_i1(evidence([v1, v2, *execs], V1, records=records)).sample or []
    ) == [10, 50, 50, INF]


def test_i1_sample_is_the_last_365_days_plus_the_unexecuted_backlog() -> None:
    old = END - 400 * DAY  # started more than 365 days before the window's end
    recent = END - 100 * DAY
    p1 = anchored("test.old", effective=old, time=old)
    p2 = anchored("test.new", effective=recent, time=recent, clauses=("c1", "c2", "c3"))
    execs = [
        delivery(old + 1 * DAY, "c1", policy="test.old"),  # old and executed: left out
        delivery(old + 2 * DAY, "c2", policy="test.old"),
        delivery(old + 3 * DAY, "c3", policy="test.old"),
        delivery(recent + 2 * DAY, "c1", policy="test.new"),
        delivery(recent + 4 * DAY, "c2", policy="test.new"),
        delivery(recent + 6 * DAY, "c3", policy="test.new"),
    ]
    got = conversion_cycle_i1(evidence([p1, p2, *execs], V2))
    # test.old c4 never executed (+inf) and test.new [2, 4, 6] -> [2, 4, 6, inf] -> 5.
    assert sorted(got.sample or []) == [2, 4, 6, INF]
    assert got.raw == 5
    assert got.n == 4
    # v1 keeps every in-force clause: [1, 2, 3, inf, 2, 4, 6] -> 3.
    v1 = conversion_cycle_i1(evidence([p1, p2, *execs], V1))
    assert sorted(v1.sample or []) == [1, 2, 2, 3, 4, 6, INF]
    assert v1.raw == 3


def test_i1_every_mechanism_act_executes_a_clause() -> None:
    a = anchored(effective=A, time=A)
    acts = [
        *order("o.c1", A + 1 * DAY, A + 30 * DAY, completed=A + 10 * DAY, clause="c1"),
        connection("SystemConnected", "sys.1", A + 2 * DAY, clause="c2"),
        attested("fibre", 0.9, A + 3 * DAY, clause="c3"),
    ]
    not_acts = [
        committed("agr.c4", "c4", A + DAY),
        plan("plan.c4", A + 2 * DAY, 3, clause="c4", time=A + DAY),
        drill_missed("plan.c4", 0, A + 3 * DAY, clause="c4"),
        connection("SystemDisconnected", "sys.1", A + 4 * DAY, clause="c4"),
        ev("PolicyApproved", A + DAY, policyId="test.ops", version=1, leader="0x02", approvals=2),
    ]
    got = conversion_cycle_i1(evidence([a, *acts, *not_acts], V2))
    # accepted at 1 d, connected at 2 d, attested at 3 d, c4 nothing: [1, 2, 3, inf] -> 2.5.
    assert sorted(got.sample or []) == [1, 2, 3, INF]
    assert got.raw == 2.5
    # v1: only the completion (10 d) counts: [10, inf, inf, inf] -> inf.
    assert conversion_cycle_i1(evidence([a, *acts, *not_acts], V1)).raw == INF


def test_i1_anchored_checkpoint_covering_entries_citing_the_clause_executes_it() -> None:
    a = anchored(effective=A, time=A)
    agreement = committed("agr.c1", "c1", A)
    log = FakeLog(
        [
            ("heartbeat", "sys.idle", A + DAY, 3, 0),  # no connected system: the log's c3
            ("call", "agr.c1", A + DAY, 7, 2),  # cites c1 through its agreement
            ("call", "agr.c1", A + DAY, 8, 2),
        ]
    )
    cp0, cp1 = checkpoint(0, 5, A + 5 * DAY), checkpoint(1, 10, A + 8 * DAY)
    events = [a, agreement, log_opened(A), cp0, cp1]
    got = conversion_cycle_i1(evidence(events, V2, log=log, covered=10))
    # c1: entry 7 is first covered by cp1 (size 10) at 8 d; c3: entry 3 by cp0 at 5 d;
    # c2, c4: nothing. [8, 5, inf, inf] -> inf; the sample holds the days.
    assert sorted(got.sample or []) == [5, 8, INF, INF]
    assert set(got.evidence) >= {cp0.key, cp1.key, (LOG, 7), (LOG, 3)}
    cycles = {
        c.clause.clause_id: c for c in clause_cycles(evidence(events, V2, log=log, covered=10))
    }
    assert cycles["c1"].executed_by == cp1 and cycles["c1"].entry == (LOG, 7)
    assert cycles["c3"].executed_by == cp0 and cycles["c3"].entry == (LOG, 3)
    assert cycles["c2"].executed_by is None and cycles["c2"].days is None
    # v1: a checkpoint executes nothing.
    assert conversion_cycle_i1(evidence(events, V1, log=log, covered=10)).raw == INF


def test_i1_heartbeat_cites_the_clause_its_system_was_connected_under() -> None:
    a = anchored(effective=A, time=A, clauses=("c1", "c2", "c3"))
    connected = connection("SystemConnected", "sys.1", A + 20 * DAY, clause="c2")
    log = FakeLog(
        [
            ("heartbeat", "sys.1", A + DAY, 4, 0),  # before the connection: the log's c3
            ("heartbeat", "sys.1", A + 21 * DAY, 6, 0),  # connected under c2
        ]
    )
    cp0 = checkpoint(0, 5, A + 2 * DAY)
    events = [a, log_opened(A), connected, cp0, checkpoint(1, 7, A + 22 * DAY)]
    cycles = {
        c.clause.clause_id: c for c in clause_cycles(evidence(events, V2, log=log, covered=7))
    }
    assert cycles["c3"].executed_by == cp0 and cycles["c3"].days == 2
    # c2's connection at 20 d executes it before the checkpoint covering its heartbeat.
    assert cycles["c2"].executed_by == connected and cycles["c2"].days == 20
    assert cycles["c1"].days is None


# == I3: obligations over the entries that cite their clause ==============================


def obligations_record() -> PolicyRecord:
    return sample_policy(
        "test.ops",
        1,
        element="technical_support",
        clauses=[
            {"id": "c2", "text": "Keep systems up.", "obligation": ob("T2", ">=", 0.99)},
            {"id": "c6", "text": "Share data.", "obligation": ob("D2", ">=", 0.9)},
        ],
    )


def ob(metric: str, comparator: str, target: float) -> dict[str, Any]:
    return {"metric": metric, "comparator": comparator, "target": target}


def test_i3_d2_and_t2_obligations_judged_on_the_entries_citing_their_clause() -> None:
    a = anchored(effective=T0 - 10 * DAY, time=T0 - 10 * DAY, clauses=("c2", "c6"))
    agreement = committed("agr.c6", "c6", T0)
    system = registered("sys.1", interval=12 * HOUR)
    connected = connection("SystemConnected", "sys.1", T0, clause="c2")
    # D2: committed T0..T0+56d (8 periods of 7 d from T0+7d, the first from T0) = 80 calls.
    calls = [("call", "agr.c6", T0 + k * HOUR, k, 2) for k in range(80)]
    # T2: connected all 60 days at one beat per 12 h = 120 expected; 120 received.
    beats = [("heartbeat", "sys.1", T0 + k * 12 * HOUR + 1, 80 + k, 0) for k in range(120)]
    log = FakeLog(calls + beats)
    cp = checkpoint(0, 200, END)
    events = [a, agreement, system, connected, log_opened(T0 - 10 * DAY, "c6"), cp]
    outcomes = obligation_outcomes(
        evidence(events, V2, records=[obligations_record()], log=log, covered=200)
    )
    judged = {o.clause.clause_id: (o.metric, o.measured.raw, o.met) for o in outcomes}
    assert judged == {"c2": ("T2", 1.0, True), "c6": ("D2", 1.0, True)}
    missed = [o for o in outcomes if not o.met]  # what `score publish` raises findings for
    assert missed == []
    # v1 sees no entry for a clause: both read 0.0 and would be (falsely) missed.
    v1 = obligation_outcomes(
        evidence(events, V1, records=[obligations_record()], log=log, covered=200)
    )
    assert {o.clause.clause_id: (o.measured.raw, o.met) for o in v1} == {
        "c2": (0.0, False),
        "c6": (0.0, False),
    }


def test_i3_t2_counts_only_heartbeats_while_connected_under_the_clause() -> None:
    a = anchored(effective=T0 - 10 * DAY, time=T0 - 10 * DAY, clauses=("c2", "c6"))
    system = registered("sys.1", interval=6 * HOUR)
    # Connected under c2 for the first 30 days (120 expected at one beat per 6 h), then
    # under c6.
    events = [
        a,
        system,
        connection("SystemConnected", "sys.1", T0, clause="c2"),
        connection("SystemDisconnected", "sys.1", T0 + 30 * DAY, clause="c2"),
        connection("SystemConnected", "sys.1", T0 + 30 * DAY, clause="c6"),
        checkpoint(0, 240, END),
    ]
    # 240 beats over the 60 days: 120 while under c2.
    beats = [("heartbeat", "sys.1", T0 + k * 6 * HOUR + 1, k, 0) for k in range(240)]
    record = sample_policy(
        "test.ops",
        1,
        clauses=[{"id": "c2", "text": "Up.", "obligation": ob("T2", ">=", 0.99)}],
    )
    ev2 = evidence(events, V2, records=[record], log=FakeLog(beats), covered=240)
    (outcome,) = obligation_outcomes(ev2)
    assert (outcome.measured.numerator, outcome.measured.denominator) == (120, 120)
    assert outcome.met


# == T1, T2, M4 =============================================================================


def test_t1_counts_business_systems_only_and_lists_the_rest() -> None:
    systems = [
        registered("sys.a"),
        registered("sys.b"),
        registered("sys.c"),
        registered("sys.d"),  # business, not connected
        registered("sys.r", kind="vertical-ministry", reserved=True),  # a slot, not filled
        registered("sys.f", reserved=True),  # reserved slot, filled and connected
        registered("sys.v", kind="video"),  # another kind, connected
    ]
    links = [
        connection("SystemConnected", s, T0 + DAY) for s in ("sys.a", "sys.b", "sys.c", "sys.v")
    ]
    filled = ev("SlotFilled", T0 + 2 * DAY, systemId="sys.f", ownerId="dept.a")
    links.append(connection("SystemConnected", "sys.f", T0 + 3 * DAY))
    events = [*systems, filled, *links]
    v2 = interconnection_t1(evidence(events, V2))
    # 5 business systems counted (a, b, c, d, f); a, b, c, f connected: 4 / 5.
    assert (v2.numerator, v2.denominator, v2.raw) == (4, 5, 0.8)
    assert v2.listed == {"reserved": ["sys.r"], "other_kinds": ["sys.v"]}
    v1 = interconnection_t1(evidence(events, V1))
    # v1: all 7 registered; a, b, c, f, v connected: 5 / 7; nothing listed.
    assert (v1.numerator, v1.denominator) == (5, 7)
    assert v1.listed is None


def test_t1_listed_systems_appear_in_the_result() -> None:
    from ledger.maturity.engine import compute_result

    events = [registered("sys.a"), registered("sys.v", kind="video")]
    result = compute_result(
        V2,
        {"T1": interconnection_t1(evidence(events, V2))},
        scope=None,
        window_start=T0,
        window_end=END,
        as_of_block=1,
        as_of_hash="0x01",
        as_of_time=END,
        chain_id=1,
    )
    t1 = next(i for i in result["indicators"] if i["id"] == "T1")
    assert t1["listed"] == {"reserved": [], "other_kinds": ["sys.v"]}
    assert all("listed" not in i for i in result["indicators"] if i["id"] != "T1")


def test_t2_expected_heartbeats_are_not_rounded() -> None:
    events = [
        registered("sys.a", interval=100),
        registered("sys.b", interval=100),
        connection("SystemConnected", "sys.a", END - 150),
        connection("SystemConnected", "sys.b", END - 150),
        checkpoint(0, 2, END),
    ]
    log = FakeLog([("heartbeat", "sys.a", END - 100, 0, 0), ("heartbeat", "sys.b", END - 50, 1, 0)])
    v2 = availability_t2(evidence(events, V2, log=log, covered=2))
    # 150 s / 100 s = 1.5 expected each: 3.0 expected, 2 received -> 2/3.
    assert v2.denominator == 3.0
    assert v2.raw == pytest.approx(2 / 3)
    assert v2.n == 3
    v1 = availability_t2(evidence(events, V1, log=log, covered=2))
    # v1 floors each system: 1 + 1 = 2 expected, 2 received -> 1.
    assert (v1.denominator, v1.raw) == (2, 1.0)


def test_m4_one_observation_per_transfer() -> None:
    orders = [
        # transferred at 0 h and again at 2 h, handled at 5 h: v2 gives 5 and 3.
        order(
            "o.a",
            T0,
            T0 + 30 * DAY,
            transfers=[(T0 + HOUR, "dept.a"), (T0 + 3 * HOUR, "dept.b")],
            handled=T0 + 6 * HOUR,
        ),
        order("o.b", T0, T0 + 30 * DAY, transfers=[(T0 + HOUR, "dept.a")], handled=T0 + 2 * HOUR),
        order(
            "o.c",
            T0,
            T0 + 30 * DAY,
            transfers=[(T0 + HOUR, "dept.a"), (T0 + 11 * HOUR, "dept.a")],
            handled=T0 + 12 * HOUR,
        ),
        # handled after the window: no observation
        order(
            "o.d",
            END - HOUR,
            END + 30 * DAY,
            transfers=[(END - 30 * 60, "dept.a")],
            handled=END + HOUR,
        ),
    ]
    events = [e for o in orders for e in o]
    v2 = response_m4(evidence(events, V2))
    # [5, 3, 1, 11, 1] -> sorted [1, 1, 3, 5, 11] -> 3.
    assert sorted(v2.sample or []) == [1, 1, 3, 5, 11]
    assert v2.raw == 3
    assert v2.n == 5
    v1 = response_m4(evidence(events, V1))
    # v1: from each order's last transfer: [3, 1, 1] -> 1.
    assert sorted(v1.sample or []) == [1, 1, 3]
    # A department's v2 sample: the transfers made to it.
    dept_b = response_m4(evidence(events, V2, scope="dept.b"))
    assert dept_b.sample == [3.0]
    dept_a = response_m4(evidence(events, V2, scope="dept.a"))
    assert sorted(dept_a.sample or []) == [1, 1, 5, 11]


def test_scope_takes_a_set_of_departments() -> None:
    """A jurisdiction will score the set of its departments: the engine takes one."""
    orders = [
        *loop("o.1", T0, handler="dept.a"),
        *loop("o.2", T0 + DAY, handler="dept.b"),
        *loop("o.3", T0 + 2 * DAY, handler="dept.c"),
    ]
    both = response_m4(evidence(orders, V2, scope=None))
    assert both.n == 3
    ev2 = Evidence(
        sorted(orders, key=lambda e: e.block_time),
        T0,
        END,
        frozenset({"dept.a", "dept.c"}),
        spec=V2,
    )
    assert response_m4(ev2).n == 2
