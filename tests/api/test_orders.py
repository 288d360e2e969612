"""The 12345 hotline over HTTP: the six stages, who may take each, and in what order."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import (
    CIVIL,
    HEALTH,
    ISSUER,
    POLICY_ID,
    SECURITY,
    Api,
    assert_problem,
    fresh_id,
)

#: The General Office runs the hotline: the session's issuer also gets the OPERATOR role.
OPERATOR = ISSUER
CASE = "0x" + "c5" * 32
FEEDBACK = "0x" + "fb" * 32
STAGES = ["accepted", "transferred", "handled", "feedback_given", "completed", "evaluated"]


@pytest.fixture(scope="module")
def operator(api: Api) -> str:
    """The hotline operator's department."""
    with api.app.state.ledger_lock:
        api.ledger.departments.register(OPERATOR, "General Office", ("OPERATOR",))
    return OPERATOR


@pytest.fixture(scope="module")
def category(api: Api, operator: str) -> str:
    """A request category with a one-day SLA, set by the hotline operator."""
    name = fresh_id("complaint")
    response = api.post("/orders/categories", OPERATOR, {"category": name, "sla_seconds": 86_400})
    assert response.status_code == 200, response.text
    assert response.json()["sla_seconds"] == 86_400
    return name


def order_body(category: str, **changes: Any) -> dict[str, Any]:
    """A new order's acceptance: a fresh id, under ``c1`` of the session policy."""
    return {
        "order_id": fresh_id("api.order"),
        "category": category,
        "policy_id": POLICY_ID,
        "clause_id": "c1",
        "case_digest": CASE,
    } | changes


def accept(api: Api, category: str, **changes: Any) -> str:
    body = order_body(category, **changes)
    response = api.post("/orders", OPERATOR, body)
    assert response.status_code == 201, response.text
    return str(body["order_id"])


def step(api: Api, order_id: str, action: str, department: str, body: Any = None) -> Any:
    response = api.post(f"/orders/{order_id}/{action}", department, body)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_six_stage_loop_and_the_order_it_leaves(api: Api, category: str) -> None:
    order_id = fresh_id("api.order")
    body = {
        "order_id": order_id,
        "category": category,
        "policy_id": POLICY_ID,
        "clause_id": "c1",
        "case_digest": CASE,
    }
    accepted = api.post("/orders", OPERATOR, body)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["stage"] == "accepted"
    assert accepted.json()["handler_id"] is None

    moved = [
        step(api, order_id, "transfer", OPERATOR, {"handler_id": CIVIL}),
        step(api, order_id, "transfer", OPERATOR, {"handler_id": SECURITY}),
        step(api, order_id, "handle", SECURITY),
        step(api, order_id, "feedback", SECURITY, {"feedback_digest": FEEDBACK}),
        step(api, order_id, "complete", OPERATOR),
        step(api, order_id, "evaluate", OPERATOR, {"score": 4}),
    ]

    assert [m["stage"] for m in moved] == ["transferred", *STAGES[1:]]
    assert moved[-1]["score"] == 4 and moved[-1]["late"] is False
    order = api.client.get(f"/orders/{order_id}").json()
    assert order["stage"] == "evaluated"
    assert order["score"] == 4
    assert order["handler_id"] == SECURITY
    assert order["operator_id"] == OPERATOR
    assert order["case_digest"] == CASE
    assert order["feedback_digest"] == FEEDBACK
    assert (order["late"], order["overdue"], order["overdue_at"]) == (False, False, None)
    assert order["sla_deadline"] == accepted.json()["sla_deadline"]
    assert order["sla_deadline"] - order["accepted_at"] == 86_400
    times = [order[f"{s}_at"] for s in ("accepted", "transferred", "handled", "feedback")]
    times += [order["completed_at"], order["evaluated_at"]]
    assert times == sorted(times) and None not in times
    assert [(t["handler_id"], t["previous_handler_id"]) for t in order["transfers"]] == [
        (CIVIL, None),
        (SECURITY, CIVIL),
    ]
    assert order["transferred_at"] == order["transfers"][0]["at"]
    mine = api.client.get("/orders", params={"department_id": SECURITY}).json()
    assert order_id in [o["order_id"] for o in mine["data"]]
    assert mine["count"] == len(mine["data"])
    others = api.client.get("/orders", params={"department_id": HEALTH}).json()["data"]
    assert order_id not in [o["order_id"] for o in others]


def test_an_out_of_order_step_is_a_409_stage_out_of_order(api: Api, category: str) -> None:
    order_id = accept(api, category)

    response = api.post(f"/orders/{order_id}/complete", OPERATOR, None)

    body = assert_problem(
        response,
        409,
        (
            f"work order '{order_id}' is at stage accepted: it cannot move to completed now"
            " (StageOutOfOrder)"
        ),
    )
    assert body["error"] == "StageOutOfOrder"
    assert body["arguments"] == {"orderId": order_id, "current": 1, "attempted": 5}
    assert body["contract"] == "WorkOrders"
    assert api.client.get(f"/orders/{order_id}").json()["stage"] == "accepted"


def test_handling_by_another_department_is_a_403_wrong_handler(api: Api, category: str) -> None:
    order_id = accept(api, category)
    step(api, order_id, "transfer", OPERATOR, {"handler_id": SECURITY})

    response = api.post(f"/orders/{order_id}/handle", CIVIL, None)

    body = assert_problem(
        response,
        403,
        f"order {order_id} is with {SECURITY}, not {CIVIL}",
    )
    assert body["error"] == "WrongHandler"
    assert body["arguments"] == {"orderId": order_id, "expected": SECURITY, "caller": CIVIL}


def test_accepting_without_the_operator_role_is_403(api: Api, category: str) -> None:
    body = order_body(category)

    response = api.post("/orders", SECURITY, body)

    assert_problem(response, 403, f"department {SECURITY!r} does not hold the OPERATOR role")
    assert_problem(api.client.get(f"/orders/{body['order_id']}"), 404)


def test_setting_a_category_needs_the_operator_role(api: Api, operator: str) -> None:
    response = api.post("/orders/categories", CIVIL, {"category": "noise", "sla_seconds": 60})

    assert_problem(response, 403, f"department {CIVIL!r} does not hold the OPERATOR role")


def test_a_score_of_6_is_422_naming_the_field(api: Api, category: str) -> None:
    order_id = accept(api, category)

    response = api.post(f"/orders/{order_id}/evaluate", OPERATOR, {"score": 6})

    body = assert_problem(response, 422, "score: Input should be less than or equal to 5")
    assert [e["field"] for e in body["errors"]] == ["score"]


def test_the_case_file_itself_is_refused(api: Api, category: str) -> None:
    body = order_body(category, case_file="Zhang San, 138 0000 0000, noise at night")

    response = api.post("/orders", OPERATOR, body)

    assert_problem(response, 422, "case_file: Extra inputs are not permitted")


def test_steps_need_a_key(api: Api, category: str) -> None:
    order_id = accept(api, category)

    assert_problem(api.post(f"/orders/{order_id}/complete", None, None), 401)


def test_unknown_orders_are_404(api: Api) -> None:
    assert_problem(
        api.client.get("/orders/no.such.order"), 404, "work order 'no.such.order' not found"
    )
    assert_problem(
        api.post("/orders/no.such.order/transfer", OPERATOR, {"handler_id": SECURITY}),
        404,
        "work order 'no.such.order' not found",
    )


def test_an_order_past_its_sla_is_marked_overdue_and_completed_late(
    api: Api, operator: str
) -> None:
    quick = fresh_id("quick")
    sla = {"category": quick, "sla_seconds": 60}
    assert api.post("/orders/categories", OPERATOR, sla).status_code == 200
    order_id = accept(api, quick)
    early = api.post(f"/orders/{order_id}/overdue", CIVIL, None)
    assert assert_problem(early, 409)["error"] == "NotYetOverdue"

    with api.app.state.ledger_lock:
        api.ledger.clock.advance_time(120)
    marked = step(api, order_id, "overdue", CIVIL)  # any department's key will do
    step(api, order_id, "transfer", OPERATOR, {"handler_id": HEALTH})
    step(api, order_id, "handle", HEALTH)
    step(api, order_id, "feedback", HEALTH, {"feedback_digest": FEEDBACK})
    completed = step(api, order_id, "complete", OPERATOR)

    assert (marked["overdue"], marked["stage"]) == (True, "accepted")
    assert (completed["late"], completed["overdue"]) == (True, True)
    order = api.client.get(f"/orders/{order_id}").json()
    assert (order["stage"], order["late"], order["overdue"]) == ("completed", True, True)
    assert order["overdue_at"] > order["sla_deadline"]
    again = assert_problem(api.post(f"/orders/{order_id}/overdue", CIVIL, None), 409)
    assert (again["error"], again["arguments"]) == ("AlreadyCompleted", {"orderId": order_id})
