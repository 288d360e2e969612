"""Read models built from indexed events.

- the catalog, agreements and their deliveries (data sharing);
- work orders of the 12345 hotline, with the time each stage was reached;
- drill plans, with each drill's due time and outcome;
- business systems, reserved slots included, and their connection state;
- attested statistics, the version in force with its history.

Rows keep the contracts' camelCase argument names; times are block times (Unix
seconds). Addresses that belong to a registered department are also given as the
department's id.
"""

from __future__ import annotations

from typing import Any

from ledger.mechanisms.attestations import PPM
from ledger.mechanisms.drills import DrillKind
from ledger.store.records import EventRecord
from ledger.store.sql import EventStore

#: How a zero ``bytes32`` id (say, no previous handler) comes out of the indexer.
_ZERO_ID = "0x" + "00" * 32

#: At most this many drills of one plan are listed one by one; the tallies count all.
MAX_LISTED_DRILLS = 1_000


def _args(rec: EventRecord, *names: str) -> dict[str, Any]:
    """The event's arguments ``names``, under their own names."""
    return {name: rec.args[name] for name in names}


def catalog(store: EventStore, department_id: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for rec in store.events(contract="DataSharing", names=["CatalogItemRegistered"]):
        if department_id is not None and rec.args["providerId"] != department_id:
            continue
        rows.append(
            {
                **rec.args,
                "block": rec.block_number,
                "tx": rec.tx_hash,
                "registeredAt": rec.block_time,
            }
        )
    return rows


def agreements(store: EventStore, department_id: str | None = None) -> list[dict[str, Any]]:
    """Agreements with their delivery tallies, in commitment order."""
    found: dict[str, dict[str, Any]] = {}
    names = ["AgreementCommitted", "DeliveryRecorded", "DeliveryMissed", "AgreementRevoked"]
    for rec in store.events(contract="DataSharing", names=names):
        aid = rec.args["agreementId"]
        if rec.event == "AgreementCommitted":
            found[aid] = {
                **rec.args,
                "block": rec.block_number,
                "tx": rec.tx_hash,
                "committedAt": rec.block_time,
                "onTime": 0,
                "late": 0,
                "missed": 0,
                "revoked": False,
                "deliveries": [],
            }
            continue
        row = found.get(aid)
        if row is None:
            continue
        if rec.event == "DeliveryRecorded":
            row["onTime" if rec.args["onTime"] else "late"] += 1
            row["deliveries"].append(
                {
                    **_args(rec, "period", "dueAt"),
                    "status": "delivered",
                    **_args(rec, "onTime", "recordCount", "payloadDigest"),
                    "at": rec.block_time,
                    "tx": rec.tx_hash,
                }
            )
        elif rec.event == "DeliveryMissed":
            row["missed"] += 1
            row["deliveries"].append(
                {
                    **_args(rec, "period", "dueAt"),
                    "status": "missed",
                    "at": rec.block_time,
                    "tx": rec.tx_hash,
                }
            )
        elif rec.event == "AgreementRevoked":
            row["revoked"] = True
            row["revokedAt"] = rec.args["revokedAt"]
    rows = list(found.values())
    if department_id is not None:
        rows = [r for r in rows if department_id in (r["providerId"], r["consumerId"])]
    return rows


# -- departments by account -------------------------------------------------------


def _department_accounts(store: EventStore) -> dict[str, str]:
    """Department ids by their (checksummed) account, from the directory's events."""
    return {
        rec.args["account"]: rec.args["departmentId"]
        for rec in store.events(contract="Directory", names=["DepartmentRegistered"])
    }


def _id_or_none(value: str) -> str | None:
    return None if value == _ZERO_ID else value


# -- the 12345 hotline's work orders ---------------------------------------------------

#: Each event of a work order, the stage it reaches and the field that keeps its time.
_ORDER_STAGES = {
    "OrderAccepted": ("accepted", "acceptedAt"),
    "OrderTransferred": ("transferred", "transferredAt"),
    "OrderHandled": ("handled", "handledAt"),
    "OrderFeedbackGiven": ("feedback_given", "feedbackAt"),
    "OrderCompleted": ("completed", "completedAt"),
    "OrderEvaluated": ("evaluated", "evaluatedAt"),
}


def work_orders(store: EventStore, department_id: str | None = None) -> list[dict[str, Any]]:
    """One row per work order, in acceptance order.

    ``stage`` is the last stage reached (``accepted`` ... ``evaluated``) and each
    ``<stage>At`` the block time it was first reached (``transferredAt`` is the first
    transfer; ``transfers`` lists them all). ``late`` is the contract's: completed
    after ``slaDeadline``. ``overdue`` means the order was marked overdue. With
    ``department_id``, only orders that department accepted or was transferred.
    """
    accounts = _department_accounts(store)
    found: dict[str, dict[str, Any]] = {}
    names = [*_ORDER_STAGES, "OrderOverdue"]
    for rec in store.events(contract="WorkOrders", names=names):
        oid = rec.args["orderId"]
        if rec.event == "OrderAccepted":
            found[oid] = {
                "orderId": oid,
                **_args(
                    rec, "policyId", "clauseId", "category", "caseDigest", "slaDeadline", "operator"
                ),
                "operatorId": accounts.get(rec.args["operator"]),
                "handlerId": None,
                "stage": "accepted",
                **{at: None for _stage, at in _ORDER_STAGES.values()},
                "acceptedAt": rec.block_time,
                "late": False,
                "overdue": False,
                "overdueAt": None,
                "score": None,
                "feedbackDigest": None,
                "transfers": [],
                "block": rec.block_number,
                "tx": rec.tx_hash,
            }
            continue
        row = found.get(oid)
        if row is None:
            continue
        if rec.event == "OrderOverdue":
            row["overdue"] = True
            row["overdueAt"] = rec.block_time
            continue
        stage, at = _ORDER_STAGES[rec.event]
        row["stage"] = stage
        if row[at] is None:
            row[at] = rec.block_time
        if rec.event == "OrderTransferred":
            row["handlerId"] = rec.args["handlerId"]
            row["transfers"].append(
                {
                    "handlerId": rec.args["handlerId"],
                    "previousHandlerId": _id_or_none(rec.args["previousHandlerId"]),
                    "at": rec.block_time,
                    "tx": rec.tx_hash,
                }
            )
        elif rec.event == "OrderFeedbackGiven":
            row["feedbackDigest"] = rec.args["feedbackDigest"]
        elif rec.event == "OrderCompleted":
            row["late"] = rec.args["late"]
        elif rec.event == "OrderEvaluated":
            row["score"] = rec.args["score"]
    rows = list(found.values())
    if department_id is not None:
        rows = [r for r in rows if _order_involves(r, department_id)]
    return rows


def _order_involves(row: dict[str, Any], department_id: str) -> bool:
    return row["operatorId"] == department_id or any(
        t["handlerId"] == department_id for t in row["transfers"]
    )


# -- drills ------------------------------------------------------------------------


def drill_plans(store: EventStore, department_id: str | None = None) -> list[dict[str, Any]]:
    """Drill plans in planning order, each with its drills and their outcomes.

    Every drill of a plan is listed (up to :data:`MAX_LISTED_DRILLS`, and every one
    recorded) with its due time and ``status``: ``held`` (with ``withinWindow`` and
    ``seatsMet``), ``missed`` or ``open``. The tallies ``held``, ``onTime`` (held
    within the window), ``seatsMet``, ``missed`` and ``open`` count every drill.
    """
    plans: dict[str, dict[str, Any]] = {}
    recorded: dict[str, dict[int, dict[str, Any]]] = {}
    names = ["DrillsPlanned", "DrillHeld", "DrillMissed"]
    for rec in store.events(contract="Drills", names=names):
        pid = rec.args["planId"]
        if rec.event == "DrillsPlanned":
            plans[pid] = {
                "planId": pid,
                **_args(rec, "ownerId", "policyId", "clauseId"),
                "kind": _drill_kind(rec.args["kind"]),
                **_args(rec, "firstDueAt", "interval", "count", "totalSeats", "requiredSeats"),
                "plannedAt": rec.block_time,
                "block": rec.block_number,
                "tx": rec.tx_hash,
            }
            recorded[pid] = {}
        elif pid in plans:
            recorded[pid][int(rec.args["index"])] = _drill_outcome(rec)
    rows = []
    for pid, plan in plans.items():
        if department_id is not None and plan["ownerId"] != department_id:
            continue
        outcomes = recorded[pid]
        held = [d for d in outcomes.values() if d["status"] == "held"]
        listed = sorted(set(range(min(plan["count"], MAX_LISTED_DRILLS))) | set(outcomes))
        rows.append(
            {
                **plan,
                "held": len(held),
                "onTime": sum(1 for d in held if d["withinWindow"]),
                "seatsMet": sum(1 for d in held if d["seatsMet"]),
                "missed": len(outcomes) - len(held),
                "open": plan["count"] - len(outcomes),
                "drills": [outcomes.get(index) or _open_drill(plan, index) for index in listed],
            }
        )
    return rows


def _drill_kind(kind: int) -> str:
    try:
        return DrillKind(kind).name.lower()
    except ValueError:
        return str(kind)


def _drill_outcome(rec: EventRecord) -> dict[str, Any]:
    held = rec.event == "DrillHeld"
    return {
        "index": int(rec.args["index"]),
        "dueAt": rec.args["dueAt"],
        "status": "held" if held else "missed",
        "withinWindow": rec.args["withinWindow"] if held else None,
        "seatsMet": rec.args["seatsMet"] if held else None,
        "seatsPresent": rec.args["seatsPresent"] if held else None,
        "systemsOnline": rec.args["systemsOnline"] if held else None,
        "recordDigest": rec.args["recordDigest"] if held else None,
        "at": rec.block_time,
        "tx": rec.tx_hash,
    }


def _open_drill(plan: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        "index": index,
        "dueAt": plan["firstDueAt"] + index * plan["interval"],
        "status": "open",
        "withinWindow": None,
        "seatsMet": None,
        "seatsPresent": None,
        "systemsOnline": None,
        "recordDigest": None,
        "at": None,
        "tx": None,
    }


# -- business systems -----------------------------------------------------------------


def systems(store: EventStore, department_id: str | None = None) -> list[dict[str, Any]]:
    """Registered systems in registration order, reserved slots included.

    ``slot`` says the system was registered as a reserved slot and ``reserved`` that
    the slot is still unfilled (it cannot connect). ``connected`` is the state now;
    ``policyId``/``clauseId`` cite the last connection or disconnection and
    ``history`` lists every fill, connection and disconnection.
    """
    found: dict[str, dict[str, Any]] = {}
    names = ["SystemRegistered", "SlotFilled", "SystemConnected", "SystemDisconnected"]
    for rec in store.events(contract="Systems", names=names):
        sid = rec.args["systemId"]
        if rec.event == "SystemRegistered":
            found[sid] = {
                "systemId": sid,
                **_args(rec, "ownerId", "kind", "heartbeatInterval", "feedsDataCenter"),
                "slot": rec.args["reserved"],
                "reserved": rec.args["reserved"],
                "filledAt": None,
                "connected": False,
                "policyId": None,
                "clauseId": None,
                "registeredAt": rec.block_time,
                "block": rec.block_number,
                "tx": rec.tx_hash,
                "history": [],
            }
            continue
        row = found.get(sid)
        if row is None:
            continue
        change = {"SlotFilled": "filled", "SystemConnected": "connected"}.get(
            rec.event, "disconnected"
        )
        if change == "filled":
            row["reserved"] = False
            row["filledAt"] = rec.block_time
        else:
            row["connected"] = change == "connected"
            row["policyId"] = rec.args["policyId"]
            row["clauseId"] = rec.args["clauseId"]
        row["history"].append(
            {
                "change": change,
                "policyId": rec.args.get("policyId"),
                "clauseId": rec.args.get("clauseId"),
                "at": rec.block_time,
                "tx": rec.tx_hash,
            }
        )
    rows = list(found.values())
    if department_id is not None:
        rows = [r for r in rows if r["ownerId"] == department_id]
    return rows


# -- attested statistics ----------------------------------------------------------------


def statistics(store: EventStore) -> list[dict[str, Any]]:
    """Each statistic's attestation in force (its latest version), by key.

    ``value`` is the share in [0, 1] (``valuePpm`` parts per million); ``history``
    lists every version, oldest first, the one in force last.
    """
    accounts = _department_accounts(store)
    history: dict[str, list[dict[str, Any]]] = {}
    for rec in store.events(contract="Attestations", names=["StatisticAttested"]):
        a = rec.args
        history.setdefault(a["key"], []).append(
            {
                "version": a["version"],
                "supersedesVersion": a["supersedesVersion"],
                "value": a["valuePpm"] / PPM,
                "valuePpm": a["valuePpm"],
                "period": a["period"],
                "sourceDigest": a["sourceDigest"],
                "policyId": a["policyId"],
                "clauseId": a["clauseId"],
                "attester": a["attester"],
                "attesterId": accounts.get(a["attester"]),
                "attestedAt": rec.block_time,
                "block": rec.block_number,
                "tx": rec.tx_hash,
            }
        )
    rows = []
    for key in sorted(history):
        versions = sorted(history[key], key=lambda v: int(v["version"]))
        rows.append({"key": key, **versions[-1], "history": versions})
    return rows
