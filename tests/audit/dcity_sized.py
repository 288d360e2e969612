"""Report data the size of the D-city year's busiest policy trail, made up but shaped as
the chain's: 1,846 events over twelve months, six clauses and events naming none, eight
departments. Shared by the report's document tests and its browser tests."""

from __future__ import annotations

import copy
import random
from typing import Any

from tests.audit.test_report import DAY, POLICY_ID, T0, report_data

EVENT_COUNT = 1_846
CLAUSES = ("c1", "c2", "c3", "c10", "drills", "loop")
DEPARTMENTS = tuple(
    f"dcity.{d}"
    for d in ("bigdata", "civil", "health", "hotline", "market", "security", "transport", "water")
)
#: (contract, event, the argument naming the department or None)
KINDS = (
    ("DataSharing", "DeliveryRecorded", "providerId"),
    ("DataSharing", "AgreementCommitted", "providerId"),
    ("WorkOrders", "OrderAccepted", None),
    ("WorkOrders", "OrderTransferred", "handlerId"),
    ("WorkOrders", "OrderCompleted", "handlerId"),
    ("Drills", "DrillHeld", "ownerId"),
    ("Systems", "SystemConnected", "ownerId"),
    ("Findings", "FindingRaised", "departmentId"),
)


def tx_hash(n: int) -> str:
    return "0x" + f"{n:064x}"


def dcity_sized_data(seed: int = 7) -> dict[str, Any]:
    """The sample report data with :data:`EVENT_COUNT` events in place of its own."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    for n in range(EVENT_COUNT):
        contract, name, dept_arg = KINDS[rng.randrange(len(KINDS))]
        args: dict[str, Any] = {
            "policyId": POLICY_ID,
            "subjectId": f"s.{n}",
            "payloadDigest": "0x" + f"{n * 7919:064x}",
        }
        if n % 23:  # one in 23 names no clause
            args["clauseId"] = CLAUSES[rng.randrange(len(CLAUSES))]
        if dept_arg is not None:
            args[dept_arg] = DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
        events.append(
            {
                "block_number": 100 + n,
                "block_hash": "0x" + f"{n + 1:02x}" * 32,
                "block_time": T0 + n * 365 * DAY // EVENT_COUNT,
                "tx_hash": tx_hash(n + 1),
                "log_index": n % 3,
                "contract": contract,
                "event": name,
                "args": args,
            }
        )
    return report_data(events=copy.deepcopy(events))
