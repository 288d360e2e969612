"""Agreements and deliveries over HTTP: committing, delivering, and who may do either."""

from __future__ import annotations

import pytest

from tests.api.conftest import CIVIL, POLICY_ID, SECURITY, Api, assert_problem, fresh_id, terms

DAY = 86_400
DIGEST = "0x" + "ab" * 32


@pytest.fixture
def item_id(api: Api) -> str:
    """A fresh catalog item provided by the Public Security Bureau."""
    item_id = fresh_id("api.item")
    body = {
        "item_id": item_id,
        "data_type": "vehicle.records",
        "permission": "conditional",
        "disclosure": "api",
    }
    assert api.post("/catalog/items", SECURITY, body).status_code == 201
    return item_id


@pytest.fixture
def agreement_id(api: Api, item_id: str) -> str:
    body = terms(api, item_id)
    assert api.post("/agreements", SECURITY, body).status_code == 201
    return str(body["agreement_id"])


def test_commit_returns_201_and_the_agreement_is_readable(api: Api, item_id: str) -> None:
    body = terms(api, item_id)

    response = api.post("/agreements", SECURITY, body)

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["agreement_id"] == body["agreement_id"]
    assert created["provider_id"] == SECURITY
    agreement = api.client.get(f"/agreements/{body['agreement_id']}").json()
    assert agreement == {
        "agreement_id": body["agreement_id"],
        "policy_id": POLICY_ID,
        "clause_id": "c2",
        "provider_id": SECURITY,
        "consumer_id": CIVIL,
        "item_id": item_id,
        "permission": "open",
        "first_due_at": body["first_due_at"],
        "period_seconds": 7 * DAY,
        "periods": 4,
        "calls_per_period": 100,
        "block": created["block"],
        "tx": created["tx"],
        "committed_at": agreement["committed_at"],
        "on_time": 0,
        "late": 0,
        "missed": 0,
        "revoked": False,
        "revoked_at": None,
        "deliveries": [],
    }
    listed = [a["agreement_id"] for a in api.client.get("/agreements").json()["data"]]
    assert body["agreement_id"] in listed


def test_a_clause_not_in_force_is_a_409_revert_with_its_arguments(api: Api, item_id: str) -> None:
    response = api.post("/agreements", SECURITY, terms(api, item_id, clause_id="c9"))

    body = assert_problem(response, 409)
    assert body["error"] == "ClauseNotInForce"
    assert body["arguments"] == {"policyId": POLICY_ID, "clauseId": "c9"}
    assert body["detail"] == (
        f"clause 'c9' of policy '{POLICY_ID}' is not in force (no such clause, or the policy"
        " is revoked or superseded) (ClauseNotInForce)"
    )


def test_granting_more_than_the_item_allows_is_a_409_revert(api: Api, item_id: str) -> None:
    response = api.post("/agreements", SECURITY, terms(api, item_id, permission="restricted"))

    body = assert_problem(response, 409)
    assert body["error"] == "PermissionExceedsItem"
    assert body["arguments"] == {"itemId": item_id, "granted": 3, "allowed": 2}


def test_committing_an_item_of_another_department_is_403(api: Api, item_id: str) -> None:
    response = api.post("/agreements", CIVIL, terms(api, item_id))

    assert_problem(response, 403, f"department {CIVIL!r} does not provide item {item_id!r}")


def test_committing_an_unknown_item_is_404(api: Api) -> None:
    response = api.post("/agreements", SECURITY, terms(api, "no.such.item"))

    assert_problem(response, 404, "catalog item 'no.such.item' not found")


def test_committing_without_a_key_is_401(api: Api, item_id: str) -> None:
    assert_problem(api.post("/agreements", None, terms(api, item_id)), 401)


def test_a_zero_period_is_422_naming_the_field(api: Api, item_id: str) -> None:
    response = api.post("/agreements", SECURITY, terms(api, item_id, period_seconds=0))

    assert_problem(response, 422, "period_seconds: Input should be greater than or equal to 1")


def test_unknown_agreement_is_404(api: Api) -> None:
    assert_problem(
        api.client.get("/agreements/no.such.agr"), 404, "agreement 'no.such.agr' not found"
    )


def test_delivery_returns_201_and_shows_on_the_agreement(api: Api, agreement_id: str) -> None:
    delivery = {"period": 0, "record_count": 1200, "payload_digest": DIGEST}

    response = api.post(f"/agreements/{agreement_id}/deliveries", SECURITY, delivery)

    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["agreement_id"], created["period"]) == (agreement_id, 0)
    agreement = api.client.get(f"/agreements/{agreement_id}").json()
    assert agreement["on_time"] == 1
    [recorded] = agreement["deliveries"]
    assert recorded["status"] == "delivered"
    assert recorded["on_time"] is True
    assert recorded["record_count"] == 1200
    assert recorded["payload_digest"] == DIGEST
    assert recorded["tx"] == created["tx"]


def test_delivering_a_period_twice_is_a_409_period_closed(api: Api, agreement_id: str) -> None:
    delivery = {"period": 1, "record_count": 5, "payload_digest": DIGEST}
    path = f"/agreements/{agreement_id}/deliveries"
    assert api.post(path, SECURITY, delivery).status_code == 201

    body = assert_problem(api.post(path, SECURITY, delivery), 409)
    assert body["error"] == "PeriodClosed"
    assert body["arguments"] == {"agreementId": agreement_id, "period": 1, "status": 1}


def test_delivering_on_another_departments_agreement_is_403(api: Api, agreement_id: str) -> None:
    delivery = {"period": 0, "record_count": 5, "payload_digest": DIGEST}

    response = api.post(f"/agreements/{agreement_id}/deliveries", CIVIL, delivery)

    assert_problem(
        response, 403, f"department {CIVIL!r} does not provide agreement {agreement_id!r}"
    )


def test_delivering_on_an_unknown_agreement_is_404(api: Api) -> None:
    delivery = {"period": 0, "record_count": 5, "payload_digest": DIGEST}

    response = api.post("/agreements/no.such.agr/deliveries", SECURITY, delivery)

    assert_problem(response, 404, "agreement 'no.such.agr' not found")


def test_a_malformed_digest_is_422(api: Api, agreement_id: str) -> None:
    delivery = {"period": 0, "record_count": 5, "payload_digest": "0x1234"}

    response = api.post(f"/agreements/{agreement_id}/deliveries", SECURITY, delivery)

    body = assert_problem(response, 422)
    assert body["detail"].startswith("payload_digest: String should match pattern")
