"""City-level policies through the API: proposed by the issuer, anchored by two leaders."""

from __future__ import annotations

from typing import Any

from ledger.apikeys import ApiKeys
from tests.api.conftest import ISSUER, Api, assert_problem, fresh_id
from tests.conftest import sample_policy


def city_record(policy_id: str) -> dict[str, Any]:
    return sample_policy(policy_id, level="city").model_dump(mode="json")


def leaders(api: Api) -> tuple[dict[str, str], dict[str, str]]:
    keys = []
    for name in ("secretary", "mayor"):
        dep = fresh_id(f"lead.{name}")
        with api.app.state.ledger_lock:
            api.ledger.departments.register(dep, name, ("LEADER",))
        keys.append({"X-API-Key": ApiKeys(api.home).create(dep)[0]})
    return keys[0], keys[1]


def test_two_leaders_anchor_a_city_policy(api: Api) -> None:
    policy_id = fresh_id("city.api")
    proposed = api.post("/policies", ISSUER, city_record(policy_id))
    assert proposed.status_code == 201, proposed.text
    assert proposed.json()["tx"] is not None
    secretary, mayor = leaders(api)

    first = api.client.post(
        f"/policies/{policy_id}/approvals", json={"version": 1}, headers=secretary
    )
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "approved"
    again = api.client.post(
        f"/policies/{policy_id}/approvals", json={"version": 1}, headers=secretary
    )
    body = assert_problem(again, 409)
    assert body["error"] == "AlreadyApproved"
    assert body["arguments"]["policyId"] == policy_id

    second = api.client.post(f"/policies/{policy_id}/approvals", json={"version": 1}, headers=mayor)
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "anchored"
    shown = api.client.get(f"/policies/{policy_id}")
    assert shown.status_code == 200 and shown.json()["version"] == 1


def test_only_leaders_approve(api: Api) -> None:
    policy_id = fresh_id("city.api")
    api.post("/policies", ISSUER, city_record(policy_id))
    response = api.post(f"/policies/{policy_id}/approvals", ISSUER, {"version": 1})
    assert_problem(response, 403, f"department {ISSUER!r} does not hold the LEADER role")
    missing = api.post(f"/policies/{policy_id}/approvals", ISSUER, {})
    assert_problem(missing, 422)
