"""Version 1 stays computable byte for byte: a small scenario scored under v1 gives the
``result_hash`` it gave before version 2 existed (pinned from the code as it was then)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from ledger.effects.store import PermissionCounts
from ledger.maturity.engine import compute_result
from ledger.maturity.indicators import EffectView, Evidence, measure_all
from ledger.maturity.spec import Spec, load_spec
from ledger.store.records import EventRecord
from tests.maturity import test_indicators_mechanisms as builders
from tests.maturity.test_indicators_mechanisms import (
    DAY,
    END,
    HOUR,
    T0,
    anchored,
    attested,
    connection,
    delivery,
    held,
    loop,
    ops_policy,
    order,
    plan,
    system,
)

#: ``result_hash`` of :func:`scenario` under v1, computed before version 2 was added.
PINNED_V1 = "07abd7e63dc82506031854fd0b64b3ca6e9acbd070249e3faf3ca4d3300bd378"


class Counts:
    """A fixed effect log: calls per agreement and heartbeats per system."""

    def calls_within_permission(self, *_range: Any, **_times: Any) -> Mapping[str, Any]:
        return {"agr.c1": PermissionCounts(95, 100)}

    def heartbeats_per_system(self, *_range: Any, **_times: Any) -> Mapping[str, int]:
        return {"sys.a": 1000, "sys.b": 500}

    def first_call_per_agreement(self, last_seq: int) -> Mapping[str, int]:
        raise AssertionError("version 1 reads no effect-log citations")

    def first_heartbeat(self, system: str, last_seq: int, *, since: int, until: int) -> int | None:
        raise AssertionError("version 1 reads no effect-log citations")


def scenario(spec: Spec) -> Evidence:
    # The builders number events from a module counter: start it afresh, as on the
    # fresh import the hash was pinned on, so other tests cannot shift the numbers.
    builders._log = itertools.count(1)
    events: list[EventRecord] = [anchored(time=T0 - 90 * DAY)]
    events += [delivery(T0 - 80 * DAY, "c1"), held("plan.x", 0, T0 + 5 * DAY, clause="c2")]
    events.append(plan("plan.x", T0 + 5 * DAY, 4))
    events += [held("plan.x", k, T0 + 5 * DAY + k * 10 * DAY) for k in range(1, 4)]
    for i in range(35):
        events += loop(f"o{i}", T0 + i * DAY, score=1 + i % 5)
    events += order(
        "late",
        T0 + DAY,
        T0 + 2 * DAY,
        transfers=[(T0 + DAY + HOUR, "dept.b")],
        handled=T0 + 3 * DAY,
        completed=T0 + 4 * DAY,
        late=True,
    )
    events += [system(s) for s in ("sys.a", "sys.b", "sys.c", "sys.d")]
    events += [
        connection("SystemConnected", "sys.a", T0 - 10 * DAY),
        connection("SystemConnected", "sys.b", T0 + 20 * DAY + 7),
        connection("SystemConnected", "sys.c", T0 + 10 * DAY),
        connection("SystemDisconnected", "sys.c", T0 + 30 * DAY),
    ]
    events += [attested("uptake", 0.8, T0 + DAY), attested("coverage", 0.95, T0 + 2 * DAY)]
    events.append(
        EventRecord(
            9999,
            "0x" + "ab" * 32,
            T0,
            "0x" + "cd" * 32,
            0,
            "X",
            "AgreementCommitted",
            {
                "agreementId": "agr.c1",
                "itemId": "item.a",
                "policyId": "test.ops",
                "clauseId": "c6",
                "providerId": "dept.p",
                "consumerId": "dept.c",
                "permission": 2,
                "firstDueAt": T0 + DAY,
                "period": 7 * DAY,
                "periods": 8,
                "callsPerPeriod": 10,
            },
        )
    )
    chain = sorted(events, key=lambda e: e.block_time)
    cp = EventRecord(
        10_000,
        "0x" + "ef" * 32,
        END,
        "0x" + "01" * 32,
        0,
        "X",
        "CheckpointAnchored",
        {"logId": "log", "index": 0, "treeSize": 5000},
    )
    policy = ops_policy()
    return Evidence(
        chain,
        T0,
        END,
        None,
        lambda p, _v, _d: policy if p == policy.id else None,
        EffectView("log", 5000, cp, Counts()),
        spec,
    )


def v1_result() -> dict[str, Any]:
    ev = scenario(load_spec(1))
    return compute_result(
        load_spec(1),
        measure_all(ev),
        scope=None,
        window_start=ev.window_start,
        window_end=ev.window_end,
        as_of_block=10_000,
        as_of_hash="0x" + "ef" * 32,
        as_of_time=END,
        chain_id=1337,
    )


def test_v1_result_hash_unchanged() -> None:
    assert v1_result()["result_hash"] == PINNED_V1
