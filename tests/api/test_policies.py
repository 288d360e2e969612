"""Policies over HTTP: anchoring, reading, verifying, and who may anchor."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ISSUER, POLICY_ID, SECURITY, Api, assert_problem, fresh_id
from tests.conftest import sample_policy


def record(policy_id: str, version: int = 1, **changes: object) -> dict[str, Any]:
    return sample_policy(policy_id, version, **changes).model_dump(mode="json")


def test_anchor_returns_201_then_the_policy_is_listed_and_readable(api: Api) -> None:
    policy_id = fresh_id("api.pol")
    body = record(policy_id, title="Open data measures")

    response = api.post("/policies", ISSUER, body)

    assert response.status_code == 201, response.text
    anchored = response.json()
    assert anchored["policy"] == policy_id
    assert anchored["version"] == 1
    assert anchored["digest"].startswith("0x") and len(anchored["digest"]) == 66
    assert anchored["tx"].startswith("0x") and anchored["block"] > 0

    listed = {p["id"]: p for p in api.client.get("/policies").json()["data"]}
    assert listed[policy_id]["digest"] == anchored["digest"]
    assert listed[policy_id]["title"] == "Open data measures"
    assert listed[policy_id]["record_stored"] is True

    detail = api.client.get(f"/policies/{policy_id}").json()
    assert detail["version"] == 1
    assert detail["tx"] == anchored["tx"]
    assert detail["clauses"] == ["c1", "c2", "c3", "c4"]
    assert detail["record"] == body


def test_anchoring_the_same_version_again_returns_200_and_no_transaction(api: Api) -> None:
    policy_id = fresh_id("api.pol")
    first = api.post("/policies", ISSUER, record(policy_id))
    again = api.post("/policies", ISSUER, record(policy_id))

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {
        "policy": policy_id,
        "version": 1,
        "digest": first.json()["digest"],
        "tx": None,
        "block": None,
    }


def test_a_new_version_supersedes_the_latest(api: Api) -> None:
    policy_id = fresh_id("api.pol")
    assert api.post("/policies", ISSUER, record(policy_id)).status_code == 201
    response = api.post("/policies", ISSUER, record(policy_id, 2, title="Amended"))

    assert response.status_code == 201
    detail = api.client.get(f"/policies/{policy_id}").json()
    assert (detail["version"], detail["title"]) == (2, "Amended")
    assert detail["record"]["version"] == 2


def test_editing_an_anchored_version_is_422(api: Api) -> None:
    policy_id = fresh_id("api.pol")
    assert api.post("/policies", ISSUER, record(policy_id)).status_code == 201

    response = api.post("/policies", ISSUER, record(policy_id, title="Edited in place"))

    body = assert_problem(response, 422)
    assert body["detail"].startswith(f"{policy_id} version 1 is already anchored with digest")
    assert "anchor it as a new version" in body["detail"]


def test_skipping_a_version_is_a_409_revert(api: Api) -> None:
    policy_id = fresh_id("api.pol")
    response = api.post("/policies", ISSUER, record(policy_id, 3))

    body = assert_problem(response, 409)
    assert body["error"] == "VersionOutOfOrder"
    assert body["arguments"] == {"policyId": policy_id, "expected": 1, "given": 3}
    assert body["detail"] == (
        f"policy '{policy_id}' expects version 1 next, not 3 (VersionOutOfOrder)"
    )


def test_anchoring_without_a_key_is_401(api: Api) -> None:
    response = api.post("/policies", None, record(fresh_id("api.pol")))

    assert_problem(response, 401, "an API key is required: send it in the X-API-Key header")
    assert response.headers["www-authenticate"] == 'ApiKey header="X-API-Key"'


def test_anchoring_a_record_issued_by_another_department_is_403(api: Api) -> None:
    response = api.post("/policies", SECURITY, record(fresh_id("api.pol")))

    assert_problem(
        response, 403, f"department {SECURITY!r} cannot anchor a record issued by {ISSUER!r}"
    )


def test_anchoring_by_a_department_without_the_issuer_role_is_403(api: Api) -> None:
    response = api.post("/policies", SECURITY, record(fresh_id("api.pol"), issuer=SECURITY))

    assert_problem(response, 403, f"department {SECURITY!r} does not hold the ISSUER role")


def test_a_record_missing_a_field_is_422_naming_it(api: Api) -> None:
    body = record(fresh_id("api.pol"))
    del body["clauses"]

    problem = assert_problem(api.post("/policies", ISSUER, body), 422, "clauses: field required")
    assert problem["errors"] == [
        {
            "loc": ["body", "clauses"],
            "field": "clauses",
            "message": "field required",
            "type": "missing",
        }
    ]


def test_a_record_with_duplicate_clause_ids_is_422_pointing_at_the_duplicate(api: Api) -> None:
    body = record(fresh_id("api.pol"))
    body["clauses"][1]["id"] = "c1"

    problem = assert_problem(api.post("/policies", ISSUER, body), 422)
    assert problem["detail"] == "clauses[1].id: duplicate clause id 'c1' (first used by clauses[0])"


def test_a_record_with_an_invalid_id_is_422_saying_why(api: Api) -> None:
    body = record("x")
    body["id"] = "not an id!"

    problem = assert_problem(api.post("/policies", ISSUER, body), 422)
    assert problem["detail"].startswith("id: policy id 'not an id!' must be 1-32 ASCII characters")


def test_unknown_policy_is_404(api: Api) -> None:
    assert_problem(
        api.client.get("/policies/no.such.policy"), 404, "policy 'no.such.policy' not found"
    )
    assert_problem(
        api.client.get("/policies/no.such.policy/verify"), 404, "policy 'no.such.policy' not found"
    )


def test_verify_reports_each_version(api: Api) -> None:
    response = api.client.get(f"/policies/{POLICY_ID}/verify")

    assert response.status_code == 200
    body = response.json()
    assert body["policy_id"] == POLICY_ID
    assert body["verified"] is True
    [check] = body["checks"]
    assert check["version"] == 1
    assert check["ok"] is True and check["problem"] is None
    assert check["stored"] == check["anchored"]
