"""Every write route answers 403 when a department's key acts on another department's object.

The contracts refuse it on chain (``NotOwner`` and the older ``WrongHandler``,
``NotPlanOwner``, ``NotSystemOwner``, ``NotResponsible``; see ``ledger.errors.NOT_YOURS``);
the API turns each into a 403 that says whose the object is, in one place
(``api/errors.py``). A few routes check the owner before the chain (agreements, the
effect log) and answer the same 403. The table below covers every write route that acts
on an existing object; :data:`NOT_OWNED` lists the rest and why, and a test checks that
the two together are every write route the API has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
    raise_finding,
    terms,
)
from tests.conftest import publish

DAY = 86_400
DIGEST = "0x" + "0d" * 32
#: The General Office runs a hotline and attests statistics; the Health Commission too.
OWNER, OTHER = ISSUER, HEALTH


@pytest.fixture(scope="module")
def roles(api: Api) -> None:
    with api.app.state.ledger_lock:
        api.ledger.departments.register(OWNER, "General Office", ("OPERATOR", "STATISTICIAN"))
        api.ledger.departments.register(OTHER, "Health Commission", ("OPERATOR", "STATISTICIAN"))


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


@dataclass(frozen=True)
class Attempt:
    """Another department's request, the error the contract gives and the message sent."""

    path: str
    department: str
    body: Any
    error: str | None  # None: refused by the route before the chain
    detail: str


# -- the objects, each made by its owner ----------------------------------------------


def _category(api: Api) -> str:
    name = fresh_id("own.cat")
    ok(api.post("/orders/categories", OWNER, {"category": name, "sla_seconds": DAY}))
    return name


def _order(api: Api, handler: str | None = None, *, handled: bool = False) -> str:
    order_id = fresh_id("own.order")
    body = {
        "order_id": order_id,
        "category": _category(api),
        "policy_id": POLICY_ID,
        "clause_id": "c1",
        "case_digest": DIGEST,
    }
    ok(api.post("/orders", OWNER, body))
    if handler is not None:
        ok(api.post(f"/orders/{order_id}/transfer", OWNER, {"handler_id": handler}))
    if handled:
        ok(api.post(f"/orders/{order_id}/handle", handler, None))
    return order_id


def _not_owner(subject: str, ident: str) -> str:
    return f"{subject} {ident} belongs to {OWNER}, not {OTHER}"


def category_set(api: Api) -> Attempt:
    name = _category(api)
    body = {"category": name, "sla_seconds": 1}
    return Attempt("/orders/categories", OTHER, body, "NotOwner", _not_owner("category", name))


def order_step(step: str, body: Any = None) -> Callable[[Api], Attempt]:
    def attempt(api: Api) -> Attempt:
        order_id = _order(api)
        path = f"/orders/{order_id}/{step}"
        return Attempt(path, OTHER, body, "NotOwner", _not_owner("order", order_id))

    return attempt


def handle(api: Api) -> Attempt:
    order_id = _order(api, SECURITY)
    detail = f"order {order_id} is with {SECURITY}, not {CIVIL}"
    return Attempt(f"/orders/{order_id}/handle", CIVIL, None, "WrongHandler", detail)


def feedback(api: Api) -> Attempt:
    order_id = _order(api, SECURITY, handled=True)
    detail = f"order {order_id} is with {SECURITY}, not {CIVIL}"
    body = {"feedback_digest": DIGEST}
    return Attempt(f"/orders/{order_id}/feedback", CIVIL, body, "WrongHandler", detail)


def statistic(api: Api) -> Attempt:
    def body(value: float) -> dict[str, Any]:
        return {
            "key": key,
            "value": value,
            "period": "2025",
            "source_digest": DIGEST,
            "policy_id": POLICY_ID,
            "clause_id": "c1",
        }

    key = fresh_id("own.stat")
    ok(api.post("/statistics", OWNER, body(0.5)))
    return Attempt("/statistics", OTHER, body(0.9), "NotOwner", _not_owner("statistic", key))


def _item(api: Api) -> str:
    item_id = fresh_id("own.item")
    body = {"item_id": item_id, "data_type": "x", "permission": "open", "disclosure": "api"}
    ok(api.post("/catalog/items", SECURITY, body))
    return item_id


def _terms(api: Api, item_id: str) -> dict[str, Any]:
    changes = {"period_seconds": DAY, "periods": 2, "calls_per_period": 10}
    return terms(api, item_id, agreement_id=fresh_id("own.agr"), **changes)


def agreement(api: Api) -> Attempt:
    item_id = _item(api)
    detail = f"department {CIVIL!r} does not provide item {item_id!r}"
    return Attempt("/agreements", CIVIL, _terms(api, item_id), None, detail)


def delivery(api: Api) -> Attempt:
    agreed = _terms(api, _item(api))
    ok(api.post("/agreements", SECURITY, agreed))
    agreement_id = agreed["agreement_id"]
    detail = f"department {CIVIL!r} does not provide agreement {agreement_id!r}"
    body = {"period": 0, "record_count": 1, "payload_digest": DIGEST}
    return Attempt(f"/agreements/{agreement_id}/deliveries", CIVIL, body, None, detail)


def drill(api: Api) -> Attempt:
    plan_id = fresh_id("own.plan")
    plan = {
        "plan_id": plan_id,
        "policy_id": POLICY_ID,
        "clause_id": "c2",
        "kind": "full",
        "first_due_at": api.now() + 60,
        "interval_seconds": 60,
        "count": 2,
        "total_seats": 69,
    }
    ok(api.post("/drills/plans", SECURITY, plan))
    held = {"index": 0, "seats_present": 69, "systems_online": 0, "record_digest": DIGEST}
    detail = f"drill plan {plan_id} belongs to another department, not {CIVIL}"
    return Attempt(f"/drills/plans/{plan_id}/drills", CIVIL, held, "NotPlanOwner", detail)


def system_step(step: str, *, reserved: bool = False) -> Callable[[Api], Attempt]:
    def attempt(api: Api) -> Attempt:
        system_id = fresh_id("own.sys")
        body = {
            "system_id": system_id,
            "kind": "customs",
            "heartbeat_seconds": 60,
            "feeds_data_center": True,
            "reserved": reserved,
        }
        ok(api.post("/systems", SECURITY, body))
        clause = {"policy_id": POLICY_ID, "clause_id": "c3"}
        if step == "disconnect":
            ok(api.post(f"/systems/{system_id}/connect", SECURITY, clause))
        detail = f"system {system_id} belongs to another department, not {CIVIL}"
        sent = None if step == "fill" else clause
        return Attempt(f"/systems/{system_id}/{step}", CIVIL, sent, "NotSystemOwner", detail)

    return attempt


def finding(api: Api) -> Attempt:
    finding_id = fresh_id("own.F")
    deadline = api.now() + DAY
    with api.app.state.ledger_lock:
        score_id = publish(api.ledger).score_id
    raise_finding(api, finding_id, score_id, deadline=deadline)
    with api.app.state.ledger_lock:
        civil = api.ledger.signers.department(CIVIL).address
    body = {"plan_digest": DIGEST, "evidence_digest": DIGEST}
    detail = f"finding {finding_id} is for {ISSUER}, not the department of {civil}"
    return Attempt(f"/findings/{finding_id}/response", CIVIL, body, "NotResponsible", detail)


def _effect_log(api: Api) -> str:
    with api.app.state.ledger_lock:
        if api.ledger.effects.config is None:
            api.ledger.effects.open("api.calls", SECURITY, POLICY_ID, "c3")
        return api.ledger.effects.require_config().owner


def effects_entries(api: Api) -> Attempt:
    owner = _effect_log(api)
    detail = f"only {owner!r}, the log's owner, appends to the effect log"
    entry = {
        "kind": "call",
        "agreement": "agr.api",
        "system": "sys.x",
        "at": api.now() - 10,
        "records": 1,
        "permission": "open",
        "latency_ms": 3,
        "request_id": fresh_id("own.call"),
    }
    return Attempt("/effects/entries", CIVIL, {"entries": [entry]}, None, detail)


def effects_seal(api: Api) -> Attempt:
    owner = _effect_log(api)
    detail = f"only {owner!r}, the log's owner, appends to the effect log"
    return Attempt("/effects/seal", CIVIL, None, None, detail)


#: Each write route on an existing object, and how another department tries it.
ATTEMPTS: dict[str, Callable[[Api], Attempt]] = {
    "/orders/categories": category_set,
    "/orders/{order_id}/transfer": order_step("transfer", {"handler_id": CIVIL}),
    "/orders/{order_id}/handle": handle,
    "/orders/{order_id}/feedback": feedback,
    "/orders/{order_id}/complete": order_step("complete"),
    "/orders/{order_id}/evaluate": order_step("evaluate", {"score": 1}),
    "/statistics": statistic,
    "/agreements": agreement,
    "/agreements/{agreement_id}/deliveries": delivery,
    "/drills/plans/{plan_id}/drills": drill,
    "/systems/{system_id}/fill": system_step("fill", reserved=True),
    "/systems/{system_id}/connect": system_step("connect"),
    "/systems/{system_id}/disconnect": system_step("disconnect"),
    "/findings/{finding_id}/response": finding,
    "/effects/entries": effects_entries,
    "/effects/seal": effects_seal,
}

#: Write routes with no other department's object to act on, and why.
NOT_OWNED = {
    "/policies": "anchors a policy version (ISSUER); policies are not a department's",
    "/policies/{policy_id}/approvals": "a leader's approval (LEADER)",
    "/catalog/items": "registers a new item, owned by the caller",
    "/orders": "accepts a new order, owned by the caller",
    "/drills/plans": "plans new drills, owned by the caller",
    "/systems": "registers a new system, owned by the caller",
    "/orders/{order_id}/overdue": "anyone marks an order overdue once its SLA passed",
    "/drills/plans/{plan_id}/drills/{index}/missed": "anyone marks a drill missed",
    "/findings/{finding_id}/overdue": "anyone marks a finding overdue",
    "/jurisdictions": "creates a jurisdiction (REGISTRAR); the tree is no department's",
    "/jurisdictions/{jurisdiction_id}/rename": "the tree is no department's (REGISTRAR)",
    "/jurisdictions/{jurisdiction_id}/move": "the tree is no department's (REGISTRAR)",
    "/jurisdictions/{jurisdiction_id}/departments": "places a department (REGISTRAR)",
    "/jurisdictions/{jurisdiction_id}/milestones": "a jurisdiction's targets (REGISTRAR)",
}


def test_the_table_covers_every_write_route(api: Api) -> None:
    writes = {
        path
        for path, operations in api.app.openapi()["paths"].items()
        if set(operations) - {"get", "head", "options"}
    }
    assert set(ATTEMPTS) | set(NOT_OWNED) == writes
    assert not set(ATTEMPTS) & set(NOT_OWNED)


@pytest.mark.usefixtures("roles")
@pytest.mark.parametrize("route", list(ATTEMPTS))
def test_another_departments_object_is_403(api: Api, route: str) -> None:
    attempt = ATTEMPTS[route](api)

    response = api.post(attempt.path, attempt.department, attempt.body)

    problem = assert_problem(response, 403, attempt.detail)
    assert problem["title"] == "Forbidden"
    if attempt.error is not None:
        assert problem["type"] == "urn:govledger:problem:not-yours"
        assert problem["error"] == attempt.error
        assert problem["arguments"]  # the custom error's arguments, by name


@pytest.mark.usefixtures("roles")
def test_the_owner_still_acts(api: Api) -> None:
    """The same objects, acted on by their owners, go through."""
    order_id = _order(api, SECURITY, handled=True)
    ok(api.post(f"/orders/{order_id}/feedback", SECURITY, {"feedback_digest": DIGEST}))
    ok(api.post(f"/orders/{order_id}/complete", OWNER, None))
    assert ok(api.post(f"/orders/{order_id}/evaluate", OWNER, {"score": 5}))["score"] == 5
    name = _category(api)
    changed = ok(api.post("/orders/categories", OWNER, {"category": name, "sla_seconds": 60}))
    assert changed["sla_seconds"] == 60
    attempt = statistic(api)
    assert attempt.body is not None
    assert ok(api.post("/statistics", OWNER, attempt.body))["version"] == 2
