"""Drills, business systems and attested statistics over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import CIVIL, ISSUER, POLICY_ID, SECURITY, Api, assert_problem, fresh_id

DAY = 86_400
DIGEST = "0x" + "d1" * 32
#: The General Office also attests the city's statistics in these tests.
STATISTICIAN = ISSUER


def listed(api: Api, path: str, key: str, ident: str) -> dict[str, Any]:
    body = api.client.get(path).json()
    assert body["count"] == len(body["data"])
    row: dict[str, Any] = next(r for r in body["data"] if r[key] == ident)
    return row


# -- drills ------------------------------------------------------------------------


def plan(api: Api, **changes: Any) -> dict[str, Any]:
    body = {
        "plan_id": fresh_id("api.plan"),
        "policy_id": POLICY_ID,
        "clause_id": "c2",
        "kind": "full",
        "first_due_at": api.now() + 60,
        "interval_seconds": 60,
        "count": 3,
        "total_seats": 69,
    } | changes
    return body


def test_a_plan_lists_each_drill_with_its_due_time(api: Api) -> None:
    body = plan(api)

    response = api.post("/drills/plans", SECURITY, body)

    assert response.status_code == 201, response.text
    assert response.json()["owner_id"] == SECURITY
    row = listed(api, "/drills/plans", "plan_id", body["plan_id"])
    assert (row["kind"], row["total_seats"], row["required_seats"]) == ("full", 69, 69)
    assert (row["held"], row["missed"], row["open"]) == (0, 0, 3)
    assert [(d["index"], d["due_at"], d["status"]) for d in row["drills"]] == [
        (i, body["first_due_at"] + 60 * i, "open") for i in range(3)
    ]


def test_a_half_drill_requires_half_the_seats_rounded_up(api: Api) -> None:
    body = plan(api, kind="half")
    assert api.post("/drills/plans", SECURITY, body).status_code == 201

    row = listed(api, "/drills/plans", "plan_id", body["plan_id"])

    assert (row["kind"], row["required_seats"]) == ("half", 35)


def test_drills_held_and_missed_show_their_outcome(api: Api) -> None:
    body = plan(api)
    plan_id = body["plan_id"]
    assert api.post("/drills/plans", SECURITY, body).status_code == 201
    held = {"index": 0, "seats_present": 60, "systems_online": 29, "record_digest": DIGEST}

    recorded = api.post(f"/drills/plans/{plan_id}/drills", SECURITY, held)
    early = api.post(f"/drills/plans/{plan_id}/drills/1/missed", CIVIL, None)
    with api.app.state.ledger_lock:
        api.ledger.clock.advance_time(8 * DAY)
    missed = api.post(f"/drills/plans/{plan_id}/drills/1/missed", CIVIL, None)

    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["status"] == "held"
    assert assert_problem(early, 409)["error"] == "DrillNotOverdue"
    assert missed.status_code == 200, missed.text
    assert missed.json()["status"] == "missed"
    row = listed(api, "/drills/plans", "plan_id", plan_id)
    assert (row["held"], row["on_time"], row["seats_met"]) == (1, 1, 0)
    assert (row["missed"], row["open"]) == (1, 1)
    first, second, third = row["drills"]
    assert first["status"] == "held"
    assert (first["within_window"], first["seats_met"]) == (True, False)  # 60 of 69 seats
    assert (first["seats_present"], first["systems_online"]) == (60, 29)
    assert first["record_digest"] == DIGEST and first["tx"] == recorded.json()["tx"]
    assert (second["status"], second["tx"]) == ("missed", missed.json()["tx"])
    assert third["status"] == "open"


def test_only_the_owner_records_its_drills(api: Api) -> None:
    body = plan(api)
    assert api.post("/drills/plans", SECURITY, body).status_code == 201
    held = {"index": 0, "seats_present": 69, "systems_online": 0, "record_digest": DIGEST}

    response = api.post(f"/drills/plans/{body['plan_id']}/drills", CIVIL, held)

    detail = f"drill plan {body['plan_id']} belongs to another department, not {CIVIL}"
    problem = assert_problem(response, 403, detail)
    assert problem["error"] == "NotPlanOwner"
    assert problem["arguments"] == {"planId": body["plan_id"], "callerId": CIVIL}


def test_drill_requests_are_checked(api: Api) -> None:
    held = {"index": 0, "seats_present": 1, "systems_online": 0, "record_digest": DIGEST}

    unknown = api.post("/drills/plans/no.such.plan/drills", SECURITY, held)
    kind = api.post("/drills/plans", SECURITY, plan(api, kind="quarterly"))

    assert_problem(unknown, 404, "drill plan 'no.such.plan' not found")
    assert assert_problem(kind, 422)["errors"][0]["field"] == "kind"


# -- systems -------------------------------------------------------------------------


def register(api: Api, **changes: Any) -> str:
    body = {
        "system_id": fresh_id("api.sys"),
        "kind": "customs",
        "heartbeat_seconds": 60,
        "feeds_data_center": True,
    } | changes
    response = api.post("/systems", SECURITY, body)
    assert response.status_code == 201, response.text
    assert response.json()["reserved"] is body.get("reserved", False)
    return str(body["system_id"])


CLAUSE = {"policy_id": POLICY_ID, "clause_id": "c3"}


def test_a_reserved_slot_is_listed_and_cannot_connect_until_filled(api: Api) -> None:
    system_id = register(api, reserved=True)

    slot = listed(api, "/systems", "system_id", system_id)
    refused = api.post(f"/systems/{system_id}/connect", SECURITY, CLAUSE)

    assert (slot["slot"], slot["reserved"], slot["connected"]) == (True, True, False)
    assert (slot["owner_id"], slot["kind"], slot["heartbeat_seconds"]) == (SECURITY, "customs", 60)
    problem = assert_problem(
        refused,
        409,
        (f"system '{system_id}' is a reserved slot: fill it before it connects (SlotReserved)"),
    )
    assert (problem["error"], problem["arguments"]) == ("SlotReserved", {"systemId": system_id})

    filled = api.post(f"/systems/{system_id}/fill", SECURITY, None)
    connected = api.post(f"/systems/{system_id}/connect", SECURITY, CLAUSE)

    assert filled.status_code == 200 and filled.json()["reserved"] is False
    assert connected.status_code == 200 and connected.json()["connected"] is True
    row = listed(api, "/systems", "system_id", system_id)
    assert (row["slot"], row["reserved"], row["connected"]) == (True, False, True)
    assert (row["policy_id"], row["clause_id"]) == (POLICY_ID, "c3")
    assert [h["change"] for h in row["history"]] == ["filled", "connected"]


def test_a_system_connects_and_disconnects_under_a_clause(api: Api) -> None:
    system_id = register(api, kind="video")

    on = api.post(f"/systems/{system_id}/connect", SECURITY, CLAUSE)
    off = api.post(f"/systems/{system_id}/disconnect", SECURITY, CLAUSE)

    assert (on.status_code, on.json()["connected"]) == (200, True)
    assert (off.status_code, off.json()["connected"]) == (200, False)
    row = listed(api, "/systems", "system_id", system_id)
    assert (row["slot"], row["connected"]) == (False, False)
    assert [h["change"] for h in row["history"]] == ["connected", "disconnected"]


def test_only_the_owner_connects_its_system(api: Api) -> None:
    system_id = register(api)

    response = api.post(f"/systems/{system_id}/connect", CIVIL, CLAUSE)

    detail = f"system {system_id} belongs to another department, not {CIVIL}"
    problem = assert_problem(response, 403, detail)
    assert problem["error"] == "NotSystemOwner"
    assert problem["arguments"] == {"systemId": system_id, "callerId": CIVIL}


def test_an_unknown_system_is_404(api: Api) -> None:
    response = api.post("/systems/no.such.sys/fill", SECURITY, None)

    assert_problem(response, 404, "system 'no.such.sys' not found")


# -- statistics -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def statistician(api: Api) -> str:
    with api.app.state.ledger_lock:
        api.ledger.departments.register(STATISTICIAN, "General Office", ("STATISTICIAN",))
    return STATISTICIAN


def statistic(key: str, value: float, period: str = "2025") -> dict[str, Any]:
    return {
        "key": key,
        "value": value,
        "period": period,
        "source_digest": DIGEST,
        "policy_id": POLICY_ID,
        "clause_id": "c1",
    }


def test_attestations_are_versioned_and_listed_with_their_history(
    api: Api, statistician: str
) -> None:
    key = fresh_id("fibre.home")

    first = api.post("/statistics", statistician, statistic(key, 0.9, "2024"))
    second = api.post("/statistics", statistician, statistic(key, 0.915))

    assert first.status_code == 201, first.text
    assert (first.json()["version"], first.json()["value_ppm"]) == (1, 900_000)
    assert (second.json()["version"], second.json()["value"]) == (2, 0.915)
    row = listed(api, "/statistics", "key", key)
    assert (row["version"], row["value"], row["period"]) == (2, 0.915, "2025")
    assert (row["supersedes_version"], row["attester_id"]) == (1, statistician)
    assert [(v["version"], v["value"], v["period"]) for v in row["history"]] == [
        (1, 0.9, "2024"),
        (2, 0.915, "2025"),
    ]


def test_a_value_above_one_is_422(api: Api, statistician: str) -> None:
    response = api.post("/statistics", statistician, statistic("bad.share", 1.5))

    assert_problem(response, 422, "value: Input should be less than or equal to 1")


def test_attesting_without_the_statistician_role_is_403(api: Api) -> None:
    response = api.post("/statistics", SECURITY, statistic("fibre.home", 0.9))

    assert_problem(response, 403, f"department {SECURITY!r} does not hold the STATISTICIAN role")
