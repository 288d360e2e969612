"""Drills: plans under clauses in force, drills held within ±7 days, and drills missed."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.types import TxReceipt

from ledger.chain.abi import plain
from ledger.chain.keystore import Signer
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.mechanisms.base import role_id
from ledger.mechanisms.drills import (
    WINDOW,
    DrillKind,
    DrillPlan,
    DrillPlanCreate,
    DrillRecord,
    DrillsContract,
    DrillStatus,
    parse_kind,
)
from tests.contracts.conftest import (
    CIVIL,
    SECURITY,
    ZERO,
    ZERO_ID,
    b32,
    clause,
    clock_at,
    contract_fixture,
    emitted,
    event_names,
    mined_at,
    policy_fixture,
    reverts,
)

POLICY = "test.drills"
CLAUSE = "drills"
DAY = 86_400
MONTH = 30 * DAY
QUARTER = 91 * DAY
#: The D-city command center's seats, and the fewest a half drill may require.
SEATS = 69
HALF_SEATS = 35
#: uint32 max: the largest drill index a caller can name.
MAX_INDEX = 2**32 - 1


@dataclass(frozen=True)
class Terms:
    """The arguments of ``planDrills``: by default D city's quarterly full drill."""

    plan_id: str | bytes = "drill.full"
    policy_id: str = POLICY
    clause_id: str = CLAUSE
    kind: int = DrillKind.FULL
    first_due_at: int = 0
    interval: int = QUARTER
    count: int = 4
    total_seats: int = SEATS
    required_seats: int = SEATS

    def due(self, k: int) -> int:
        return self.first_due_at + k * self.interval

    def planned_event(self) -> dict[str, object]:
        return {
            "planId": self.plan_id,
            "policyId": self.policy_id,
            "ownerId": SECURITY,
            "clauseId": self.clause_id,
            "kind": self.kind,
            "firstDueAt": self.first_due_at,
            "interval": self.interval,
            "count": self.count,
            "totalSeats": self.total_seats,
            "requiredSeats": self.required_seats,
        }


def digest(plan_id: str, index: int) -> bytes:
    return keccak(text=f"{plan_id}/{index}")


def monthly_half(terms: Terms) -> Terms:
    """D city's monthly half drills: twelve a year, half the seats required."""
    return dataclasses.replace(
        terms,
        plan_id="drill.half",
        kind=DrillKind.HALF,
        interval=MONTH,
        count=12,
        required_seats=HALF_SEATS,
    )


drills = contract_fixture(DrillsContract, "drills")

#: A drill policy in force whose clause ``drills`` obliges M2 >= 0.9.
DRILLS = clause(CLAUSE, "Hold a full drill every quarter and a half drill every month.", "M2")
policy = policy_fixture(
    POLICY, "Command center drill measures", DRILLS, element="operating_mechanism"
)


def plan(ledger: Ledger, drills: DrillsContract, signer: Signer, terms: Terms) -> TxReceipt:
    """Send ``planDrills`` as given, with no client-side checks."""
    fn = drills.contract.functions.planDrills(
        {
            "planId": b32(terms.plan_id),
            "policyId": b32(terms.policy_id),
            "clauseId": b32(terms.clause_id),
            "kind": terms.kind,
            "firstDueAt": terms.first_due_at,
            "interval": terms.interval,
            "count": terms.count,
            "totalSeats": terms.total_seats,
            "requiredSeats": terms.required_seats,
        }
    )
    return ledger.tx.send(signer, fn, "Drills")


def record(
    drills: DrillsContract,
    signer: Signer,
    plan_id: str,
    index: int,
    seats: int = SEATS,
    systems: int = 29,
) -> TxRef:
    return drills.record_drill(signer, plan_id, held(index, seats, systems, digest(plan_id, index)))


def held(index: int, seats: int, systems: int, record_digest: bytes) -> DrillRecord:
    return DrillRecord(
        index=index,
        seats_present=seats,
        systems_online=systems,
        record_digest="0x" + record_digest.hex(),
    )


def held_event(terms: Terms, index: int, **changes: object) -> dict[str, object]:
    assert isinstance(terms.plan_id, str)
    event: dict[str, object] = {
        "planId": terms.plan_id,
        "policyId": terms.policy_id,
        "ownerId": SECURITY,
        "clauseId": terms.clause_id,
        "index": index,
        "dueAt": terms.due(index),
        "seatsPresent": SEATS,
        "systemsOnline": 29,
        "recordDigest": "0x" + digest(terms.plan_id, index).hex(),
        "withinWindow": True,
        "seatsMet": True,
    }
    return event | changes


@pytest.fixture
def terms(ledger: Ledger, policy: str) -> Terms:
    """Terms of D city's quarterly full drill (not yet planned), the first due in 30 days."""
    return Terms(first_due_at=ledger.clock.now() + 30 * DAY)


@pytest.fixture
def full(ledger: Ledger, drills: DrillsContract, security: Signer, terms: Terms) -> Terms:
    """The planned quarterly full drills of the security bureau: four, over 69 seats."""
    plan(ledger, drills, security, terms)
    return terms


# -- planDrills --------------------------------------------------------------------


def test_plan_emits_drills_planned(
    ledger: Ledger, drills: DrillsContract, security: Signer, terms: Terms
) -> None:
    receipt = drills.plan_drills(
        security,
        DrillPlanCreate(
            plan_id="drill.full",
            policy_id=POLICY,
            clause_id=CLAUSE,
            kind="full",
            first_due_at=terms.first_due_at,
            interval_seconds=QUARTER,
            count=4,
            total_seats=SEATS,
            required_seats=SEATS,
        ),
    )

    assert emitted(drills, "DrillsPlanned", receipt) == [terms.planned_event()]
    assert event_names(ledger, receipt) == ["DrillsPlanned"]
    assert drills.plan_of("drill.full") == DrillPlan(
        plan_id="drill.full",
        owner_id=SECURITY,
        policy_id=POLICY,
        clause_id=CLAUSE,
        kind=DrillKind.FULL,
        first_due_at=terms.first_due_at,
        interval=QUARTER,
        count=4,
        total_seats=SEATS,
        required_seats=SEATS,
    )
    assert [drills.due_at("drill.full", k) for k in range(4)] == [terms.due(k) for k in range(4)]
    assert [drills.drill_status("drill.full", k) for k in range(4)] == [DrillStatus.OPEN] * 4


def test_plan_of_returns_the_stored_plan_struct(
    ledger: Ledger, drills: DrillsContract, full: Terms
) -> None:
    """The raw view returns one DrillPlan struct; its ABI components name every field."""
    fn = drills.contract.functions.planOf(b32(full.plan_id))
    [output] = fn.abi["outputs"]
    assert (output["type"], output["internalType"]) == ("tuple", "struct IDrills.DrillPlan")
    raw = ledger.tx.call(fn, "Drills")
    assert plain("plan", "tuple", raw, output["components"]) == {
        "ownerId": SECURITY,
        "policyId": full.policy_id,
        "clauseId": full.clause_id,
        "firstDueAt": full.first_due_at,
        "interval": full.interval,
        "count": full.count,
        "kind": full.kind,
        "totalSeats": full.total_seats,
        "requiredSeats": full.required_seats,
    }


def test_d_city_monthly_half_drills_require_half_the_seats(
    ledger: Ledger, drills: DrillsContract, security: Signer, terms: Terms
) -> None:
    half = monthly_half(terms)
    receipt = plan(ledger, drills, security, half)

    assert emitted(drills, "DrillsPlanned", receipt) == [half.planned_event()]
    assert (
        drills.plan_of("drill.half").due_at(11) == half.due(11) == drills.due_at("drill.half", 11)
    )
    # A half drill may also require more than half, up to every seat.
    every = dataclasses.replace(half, plan_id="drill.half.all", required_seats=SEATS)
    assert emitted(drills, "DrillsPlanned", plan(ledger, drills, security, every)) == [
        every.planned_event()
    ]


def test_invalid_drill_kinds(
    ledger: Ledger, drills: DrillsContract, security: Signer, terms: Terms
) -> None:
    for kind in (0, 3, 255):
        with reverts(ledger, "InvalidDrillKind", kind=kind):
            plan(ledger, drills, security, dataclasses.replace(terms, kind=kind))


@pytest.mark.parametrize(
    ("kind", "total", "required"),
    [
        (DrillKind.FULL, SEATS, SEATS - 1),  # a full drill staffs every seat
        (DrillKind.FULL, SEATS, SEATS + 1),
        (DrillKind.FULL, 0, 0),  # no seats at all
        (DrillKind.HALF, SEATS, HALF_SEATS - 1),  # 34 * 2 < 69
        (DrillKind.HALF, SEATS, SEATS + 1),  # more than there are
        (DrillKind.HALF, 0, 0),
    ],
)
def test_seats_must_fit_the_kind(
    ledger: Ledger,
    drills: DrillsContract,
    security: Signer,
    terms: Terms,
    kind: int,
    total: int,
    required: int,
) -> None:
    bad = dataclasses.replace(terms, kind=kind, total_seats=total, required_seats=required)
    with reverts(ledger, "InvalidSeats", kind=int(kind), totalSeats=total, requiredSeats=required):
        plan(ledger, drills, security, bad)


def test_invalid_plans(
    ledger: Ledger, drills: DrillsContract, security: Signer, terms: Terms
) -> None:
    now = ledger.clock.now()
    bad = [
        dataclasses.replace(terms, interval=0),
        dataclasses.replace(terms, count=0),
        dataclasses.replace(terms, first_due_at=now),
        dataclasses.replace(terms, first_due_at=now - DAY),
        dataclasses.replace(terms, interval=2**63, count=3),  # the last due time overflows
    ]
    for t in bad:
        with reverts(
            ledger, "InvalidPlan", firstDueAt=t.first_due_at, interval=t.interval, count=t.count
        ):
            plan(ledger, drills, security, t)


def test_last_due_time_may_reach_the_64_bit_limit(
    ledger: Ledger, drills: DrillsContract, security: Signer, terms: Terms
) -> None:
    interval = 2**64 - 1 - terms.first_due_at
    edge = dataclasses.replace(terms, plan_id="drill.edge", interval=interval, count=2)
    plan(ledger, drills, security, edge)
    assert drills.due_at("drill.edge", 1) == 2**64 - 1


def test_plan_id_taken_or_zero(
    ledger: Ledger, drills: DrillsContract, civil: Signer, full: Terms
) -> None:
    with reverts(ledger, "PlanExists", planId="drill.full"):
        plan(ledger, drills, civil, full)
    with reverts(ledger, "PlanExists", planId=ZERO_ID):
        plan(ledger, drills, civil, dataclasses.replace(full, plan_id=ZERO))


def test_only_a_department_plans(
    ledger: Ledger, drills: DrillsContract, stranger: Signer, terms: Terms
) -> None:
    for signer in (stranger, ledger.admin):
        with reverts(ledger, "NotADepartment", account=signer.address):
            plan(ledger, drills, signer, terms)


def test_plan_clause_must_be_in_force(
    ledger: Ledger, drills: DrillsContract, security: Signer, issuer: Signer, terms: Terms
) -> None:
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId="c9"):
        plan(ledger, drills, security, dataclasses.replace(terms, clause_id="c9"))
    with reverts(ledger, "ClauseNotInForce", policyId="p.none", clauseId=CLAUSE):
        plan(ledger, drills, security, dataclasses.replace(terms, policy_id="p.none"))

    ledger.policies.revoke(issuer, POLICY)

    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId=CLAUSE):
        plan(ledger, drills, security, terms)


# -- recordDrill -------------------------------------------------------------------


def test_drill_held_on_time_with_and_without_the_seats(
    ledger: Ledger, drills: DrillsContract, security: Signer, full: Terms
) -> None:
    clock_at(ledger, full.due(0) - DAY)
    receipt = record(drills, security, "drill.full", 0, seats=SEATS, systems=31)

    assert emitted(drills, "DrillHeld", receipt) == [held_event(full, 0, systemsOnline=31)]
    assert event_names(ledger, receipt) == ["DrillHeld"]

    clock_at(ledger, full.due(1) + DAY)
    short = record(drills, security, "drill.full", 1, seats=SEATS - 1, systems=0)

    assert emitted(drills, "DrillHeld", short) == [
        held_event(full, 1, seatsPresent=SEATS - 1, systemsOnline=0, seatsMet=False)
    ]
    assert [drills.drill_status("drill.full", k) for k in range(4)] == [
        DrillStatus.HELD,
        DrillStatus.HELD,
        DrillStatus.OPEN,
        DrillStatus.OPEN,
    ]


def test_half_drill_needs_half_the_seats(
    ledger: Ledger, drills: DrillsContract, security: Signer, terms: Terms
) -> None:
    half = monthly_half(terms)
    plan(ledger, drills, security, half)
    clock_at(ledger, half.due(0))
    met = drills.record_drill(
        security, "drill.half", held(0, HALF_SEATS, 2, digest("drill.half", 0))
    )
    clock_at(ledger, half.due(1))
    unmet = drills.record_drill(
        security, "drill.half", held(1, HALF_SEATS - 1, 2, digest("drill.half", 1))
    )

    assert [e["seatsMet"] for e in emitted(drills, "DrillHeld", met)] == [True]
    assert [e["seatsMet"] for e in emitted(drills, "DrillHeld", unmet)] == [False]


def test_the_window_reaches_seven_days_either_side(
    ledger: Ledger, drills: DrillsContract, security: Signer, full: Terms
) -> None:
    due0, due1, due2 = full.due(0), full.due(1), full.due(2)
    clock_at(ledger, due0 - WINDOW - 1)
    with reverts(ledger, "TooEarly", planId="drill.full", index=0, dueAt=due0):
        record(drills, security, "drill.full", 0)

    clock_at(ledger, due0 - WINDOW)  # the send's check runs at due - 7 days, and passes
    early = record(drills, security, "drill.full", 0)
    assert emitted(drills, "DrillHeld", early) == [held_event(full, 0)]

    clock_at(ledger, due1 + WINDOW - 1)
    last = record(drills, security, "drill.full", 1)
    assert mined_at(ledger, last) == due1 + WINDOW
    assert emitted(drills, "DrillHeld", last) == [held_event(full, 1)]

    clock_at(ledger, due2 + WINDOW)
    late = record(drills, security, "drill.full", 2)
    assert mined_at(ledger, late) == due2 + WINDOW + 1
    assert emitted(drills, "DrillHeld", late) == [held_event(full, 2, withinWindow=False)]


def test_drills_far_ahead_are_too_early(
    ledger: Ledger, drills: DrillsContract, security: Signer, full: Terms
) -> None:
    for k in (0, 3):
        with reverts(ledger, "TooEarly", planId="drill.full", index=k, dueAt=full.due(k)):
            record(drills, security, "drill.full", k)


def test_only_the_owner_records(
    ledger: Ledger, drills: DrillsContract, civil: Signer, stranger: Signer, full: Terms
) -> None:
    clock_at(ledger, full.due(0))
    with reverts(ledger, "NotPlanOwner", planId="drill.full", callerId=CIVIL):
        record(drills, civil, "drill.full", 0)
    with reverts(ledger, "NotADepartment", account=stranger.address):
        record(drills, stranger, "drill.full", 0)
    with reverts(ledger, "PlanUnknown", planId="drill.none"):
        record(drills, civil, "drill.none", 0)
    assert drills.drill_status("drill.full", 0) == DrillStatus.OPEN


def test_record_index_out_of_range(
    ledger: Ledger, drills: DrillsContract, security: Signer, full: Terms
) -> None:
    for index in (4, MAX_INDEX):
        with reverts(ledger, "DrillOutOfRange", planId="drill.full", index=index, count=4):
            record(drills, security, "drill.full", index)


def test_a_closed_drill_takes_no_record(
    ledger: Ledger, drills: DrillsContract, security: Signer, full: Terms
) -> None:
    clock_at(ledger, full.due(0))
    record(drills, security, "drill.full", 0)
    with reverts(ledger, "DrillClosed", planId="drill.full", index=0, status=DrillStatus.HELD):
        record(drills, security, "drill.full", 0)

    clock_at(ledger, full.due(1) + WINDOW + 1)
    drills.mark_drill_missed("drill.full", 1, by=ledger.admin)
    with reverts(ledger, "DrillClosed", planId="drill.full", index=1, status=DrillStatus.MISSED):
        record(drills, security, "drill.full", 1)


def test_seats_and_record_digest_are_checked(
    ledger: Ledger, drills: DrillsContract, security: Signer, full: Terms
) -> None:
    clock_at(ledger, full.due(0))
    with reverts(
        ledger, "SeatsExceedPlan", planId="drill.full", seatsPresent=SEATS + 1, totalSeats=SEATS
    ):
        record(drills, security, "drill.full", 0, seats=SEATS + 1)
    with reverts(ledger, "InvalidRecordDigest", planId="drill.full", index=0):
        drills.record_drill(security, "drill.full", held(0, SEATS, 29, ZERO))


def test_no_drill_is_held_or_missed_once_the_clause_lapses(
    ledger: Ledger,
    drills: DrillsContract,
    security: Signer,
    issuer: Signer,
    stranger: Signer,
    full: Terms,
) -> None:
    ledger.policies.revoke(issuer, POLICY)
    clock_at(ledger, full.due(0))
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId=CLAUSE):
        record(drills, security, "drill.full", 0)

    clock_at(ledger, full.due(0) + WINDOW + 1)
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId=CLAUSE):
        drills.mark_drill_missed("drill.full", 0, by=stranger)
    assert drills.drill_status("drill.full", 0) == DrillStatus.OPEN


def test_a_suspended_department_records_nothing(
    ledger: Ledger, drills: DrillsContract, security: Signer, full: Terms
) -> None:
    ledger.tx.send(
        ledger.admin,
        ledger.directory.contract.functions.revokeRole(role_id("DEPARTMENT"), security.address),
        "Directory",
    )
    clock_at(ledger, full.due(0))
    with reverts(ledger, "NotADepartment", account=security.address):
        record(drills, security, "drill.full", 0)


# -- markDrillMissed -----------------------------------------------------------------


def test_anyone_marks_a_drill_missed_after_the_window(
    ledger: Ledger, drills: DrillsContract, stranger: Signer, full: Terms
) -> None:
    for at in (full.due(0), full.due(0) + WINDOW):
        clock_at(ledger, at)
        with reverts(ledger, "DrillNotOverdue", planId="drill.full", index=0, dueAt=full.due(0)):
            drills.mark_drill_missed("drill.full", 0, by=stranger)

    clock_at(ledger, full.due(0) + WINDOW + 1)
    receipt = drills.mark_drill_missed("drill.full", 0, by=stranger)

    assert emitted(drills, "DrillMissed", receipt) == [
        {
            "planId": "drill.full",
            "policyId": POLICY,
            "ownerId": SECURITY,
            "clauseId": CLAUSE,
            "index": 0,
            "dueAt": full.due(0),
            "markedBy": stranger.address,
        }
    ]
    assert event_names(ledger, receipt) == ["DrillMissed"]  # no DrillHeld
    assert drills.drill_status("drill.full", 0) == DrillStatus.MISSED
    with reverts(ledger, "DrillNotOverdue", planId="drill.full", index=1, dueAt=full.due(1)):
        drills.mark_drill_missed("drill.full", 1, by=stranger)


def test_a_closed_drill_cannot_be_marked_missed(
    ledger: Ledger, drills: DrillsContract, security: Signer, full: Terms
) -> None:
    clock_at(ledger, full.due(0))
    record(drills, security, "drill.full", 0)
    clock_at(ledger, full.due(1) + WINDOW + 1)
    drills.mark_drill_missed("drill.full", 1, by=ledger.admin)

    for k, status in ((0, DrillStatus.HELD), (1, DrillStatus.MISSED)):
        with reverts(ledger, "DrillClosed", planId="drill.full", index=k, status=status):
            drills.mark_drill_missed("drill.full", k, by=ledger.admin)


def test_mark_missed_unknown_plan_or_index(
    ledger: Ledger, drills: DrillsContract, full: Terms
) -> None:
    with reverts(ledger, "PlanUnknown", planId="drill.none"):
        drills.mark_drill_missed("drill.none", 0, by=ledger.admin)
    with reverts(ledger, "DrillOutOfRange", planId="drill.full", index=4, count=4):
        drills.mark_drill_missed("drill.full", 4, by=ledger.admin)


# -- views and the wrapper -----------------------------------------------------------


def test_views_of_unknown_plans_and_drills(
    ledger: Ledger, drills: DrillsContract, full: Terms
) -> None:
    with reverts(ledger, "PlanUnknown", planId="drill.none"):
        drills.due_at("drill.none", 0)
    with reverts(ledger, "PlanUnknown", planId="drill.none"):
        drills.drill_status("drill.none", 0)
    with reverts(ledger, "PlanUnknown", planId="drill.none"):
        drills.plan_of("drill.none")
    for index in (4, MAX_INDEX):
        with reverts(ledger, "DrillOutOfRange", planId="drill.full", index=index, count=4):
            drills.due_at("drill.full", index)
        with reverts(ledger, "DrillOutOfRange", planId="drill.full", index=index, count=4):
            drills.drill_status("drill.full", index)


def test_wrapper_refuses_malformed_input(drills: DrillsContract, security: Signer) -> None:
    assert parse_kind("full") is DrillKind.FULL
    assert parse_kind("HALF") is DrillKind.HALF
    assert parse_kind(2) is DrillKind.HALF
    with pytest.raises(ValueError, match="unknown drill kind 'weekly'; use one of full, half"):
        parse_kind("weekly")
    with pytest.raises(ValueError, match="record_digest"):  # pydantic's ValidationError
        held(0, SEATS, 29, b"\x01" * 31)
    with pytest.raises(ValueError, match="plan id"):
        drills.mark_drill_missed("", 0, by=security)
    p = DrillPlan("p", SECURITY, POLICY, CLAUSE, DrillKind.FULL, 100, 10, 2, SEATS, SEATS)
    assert (p.due_at(0), p.due_at(1)) == (100, 110)
    with pytest.raises(ValueError, match=r"drill index 2 is outside plan 'p' \(0..1\)"):
        p.due_at(2)


# -- the window rule, for every offset -------------------------------------------------

_plan_ids = (f"drill.prop.{n}" for n in itertools.count())

_offsets = st.one_of(
    st.sampled_from([-WINDOW - 1, -WINDOW, 0, WINDOW, WINDOW + 1]),
    st.integers(-WINDOW - 2 * DAY, WINDOW + 2 * DAY),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(offset=_offsets, owner_first=st.booleans())
def test_drill_window_rule(
    ledger: Ledger,
    drills: DrillsContract,
    security: Signer,
    stranger: Signer,
    policy: str,
    offset: int,
    owner_first: bool,
) -> None:
    """With the clock at ``dueAt + offset``: recording reverts TooEarly more than 7 days
    before the due time, and is within the window when it lands no more than 7 days from
    it; marking missed reverts until more than 7 days have passed, and then closes the
    drill, unless its owner records it late first."""
    plan_id = next(_plan_ids)
    t = Terms(plan_id=plan_id, first_due_at=ledger.clock.now() + 10 * DAY, count=1)
    plan(ledger, drills, security, t)
    due = t.due(0)
    clock_at(ledger, due + offset)

    if offset > WINDOW and not owner_first:
        receipt = drills.mark_drill_missed(plan_id, 0, by=stranger)
        assert mined_at(ledger, receipt) > due + WINDOW
        assert emitted(drills, "DrillMissed", receipt) == [
            {
                "planId": plan_id,
                "policyId": POLICY,
                "ownerId": SECURITY,
                "clauseId": CLAUSE,
                "index": 0,
                "dueAt": due,
                "markedBy": stranger.address,
            }
        ]
        assert drills.drill_status(plan_id, 0) == DrillStatus.MISSED
        return
    if offset <= WINDOW:
        with reverts(ledger, "DrillNotOverdue", planId=plan_id, index=0, dueAt=due):
            drills.mark_drill_missed(plan_id, 0, by=stranger)
    if offset < -WINDOW:
        with reverts(ledger, "TooEarly", planId=plan_id, index=0, dueAt=due):
            record(drills, security, plan_id, 0)
        assert drills.drill_status(plan_id, 0) == DrillStatus.OPEN
        return
    receipt = record(drills, security, plan_id, 0)
    landed = mined_at(ledger, receipt)
    assert landed >= due - WINDOW
    assert emitted(drills, "DrillHeld", receipt) == [
        held_event(t, 0, withinWindow=abs(landed - due) <= WINDOW)
    ]
    assert drills.drill_status(plan_id, 0) == DrillStatus.HELD
