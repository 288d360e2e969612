"""Events for the jurisdiction-scope tests: a tree of jurisdictions, departments placed
and moved in it, and each department's year of activity (policies, agreements and
deliveries, drills, work orders, systems), with every event on its own block in time
order as the chain gives them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from ledger.knowledge.models import PolicyRecord
from ledger.maturity.indicators import Evidence
from ledger.maturity.spec import load_spec
from ledger.store.records import EventRecord
from tests.maturity import test_indicators as sharing
from tests.maturity import test_indicators_mechanisms as mech

DAY = mech.DAY
HOUR = mech.HOUR
T0 = mech.T0
#: The judging window: [T0, T0 + 60 days].
END = T0 + 60 * DAY
ZERO = "0x" + "00" * 32
#: When the tree is built and departments first placed: before any activity.
FOUNDED = T0 - 300 * DAY


def tree_event(event: str, time: int, **args: object) -> EventRecord:
    return EventRecord(0, "", time, "", 0, "Directory", event, dict(args))


def created(jurisdiction: str, parent: str | None, tier: int, time: int = FOUNDED) -> EventRecord:
    return tree_event(
        "JurisdictionCreated",
        time,
        jurisdictionId=jurisdiction,
        parentId=parent or ZERO,
        tier=tier,
        name=f"{jurisdiction} name",
    )


def placed(department: str, to: str, time: int = FOUNDED, from_: str | None = None) -> EventRecord:
    return tree_event(
        "DepartmentPlaced",
        time,
        departmentId=department,
        fromJurisdictionId=from_ or ZERO,
        toJurisdictionId=to,
    )


def moved(jurisdiction: str, from_: str | None, to: str | None, time: int) -> EventRecord:
    return tree_event(
        "JurisdictionMoved",
        time,
        jurisdictionId=jurisdiction,
        fromParentId=from_ or ZERO,
        toParentId=to or ZERO,
    )


def activity(dept: str, i: int) -> list[EventRecord]:
    """One department's activity around the window, varied by ``i``."""
    policy = f"pol.{dept}"
    out: list[EventRecord] = [mech.anchored(policy=policy, time=T0 - 50 * DAY)]
    # Data sharing: an item and an agreement due weekly from day 1; some periods missed.
    aid, item = f"agr.{dept}", f"item.{dept}"
    out.append(
        mech.ev("CatalogItemRegistered", T0 - 40 * DAY, itemId=item, providerId=dept, dataType="x")
    )
    out.append(sharing.committed(aid, item=item, provider=dept, periods=8, time=T0 - 30 * DAY))
    for k in range(8):
        due = T0 + DAY + k * 7 * DAY
        if (k + i) % 3 == 0:
            out.append(mech.ev("DeliveryMissed", due + DAY, agreementId=aid, period=k))
        else:
            out.append(sharing.delivered(aid, k, (k + i) % 4 != 1, due - HOUR))
    # Drills every 10 days, the odd ones missed.
    pid = f"plan.{dept}"
    out.append(mech.plan(pid, T0 + 2 * DAY, 6, owner=dept, policy=policy))
    for k in range(6):
        due = T0 + 2 * DAY + k * 10 * DAY
        if (k + i) % 2:
            out.append(mech.drill_missed(pid, k, due + 8 * DAY, owner=dept, policy=policy))
        else:
            out.append(mech.held(pid, k, due + DAY, owner=dept, policy=policy))
    # Work orders: one every four days, every third late, a few left unevaluated.
    for k in range(14):
        start = T0 + k * 4 * DAY + i * HOUR
        oid = f"o.{dept}.{k}"
        if k % 3 == 2:
            out.extend(
                mech.order(
                    oid,
                    start,
                    start + DAY,
                    transfers=[(start + HOUR, dept)],
                    handled=start + 30 * HOUR,
                    feedback=start + 31 * HOUR,
                    completed=start + 32 * HOUR,
                    late=True,
                    evaluated=(start + 33 * HOUR, 2),
                    policy=policy,
                )
            )
        else:
            out.extend(mech.loop(oid, start, None if k % 5 == 4 else 4, dept, policy=policy))
    # Systems: two registered, one connected mid-window.
    for s in range(2):
        out.append(mech.system(f"sys.{dept}.{s}", owner=dept))
    out.append(mech.connection("SystemConnected", f"sys.{dept}.0", T0 + (10 + i) * DAY, dept))
    return out


def chain(events: Iterable[EventRecord]) -> list[EventRecord]:
    """The events in time order, each on its own block (numbered from 1)."""
    ordered = sorted(events, key=lambda e: e.block_time)
    return [
        replace(e, block_number=n, block_hash=f"0x{n:064x}", tx_hash=f"0x{n:064x}", log_index=0)
        for n, e in enumerate(ordered, start=1)
    ]


def records(departments: Sequence[str]) -> dict[str, PolicyRecord]:
    return {f"pol.{d}": mech.ops_policy(f"pol.{d}", issuer=d) for d in departments}


def evidence(
    events: Sequence[EventRecord], scope: object, departments: Sequence[str], **kw: object
) -> Evidence:
    by_id = records(departments)
    return Evidence(
        events,
        T0,
        END,
        scope,  # type: ignore[arg-type]
        lambda p, _v, _d: by_id.get(p),
        spec=load_spec(),
        **kw,  # type: ignore[arg-type]
    )
