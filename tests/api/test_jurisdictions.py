"""``/jurisdictions``: the tree read openly, written by a REGISTRAR department's key.

The session app's chain is shared, so every jurisdiction here has a fresh id; the
health commission is granted REGISTRAR for this module, the security bureau is not.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import (
    CIVIL,
    HEALTH,
    SECURITY,
    Api,
    assert_problem,
    fresh_id,
)

REGISTRAR = HEALTH


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture(scope="module")
def tree(api: Api) -> dict[str, str]:
    """A fresh province > city > district, created through the API; their ids by tier."""
    with api.app.state.ledger_lock:
        account = api.ledger.directory.account_of(REGISTRAR)
        if not api.ledger.directory.has_role("REGISTRAR", account):
            api.ledger.directory.grant_role("REGISTRAR", account)
    ids = {"province": fresh_id("api.l"), "city": fresh_id("api.d"), "district": fresh_id("api.e")}
    parent = None
    for tier, ident in ids.items():
        body = {"jurisdiction_id": ident, "parent_id": parent, "tier": tier, "name": tier.title()}
        ok(api.post("/jurisdictions", REGISTRAR, body), 201)
        parent = ident
    return ids


def test_create_answers_201_with_the_jurisdiction_and_its_tx(
    api: Api, tree: dict[str, str]
) -> None:
    ident = fresh_id("api.s")
    body = {"jurisdiction_id": ident, "parent_id": tree["district"], "tier": 4, "name": "Street"}
    created = ok(api.post("/jurisdictions", REGISTRAR, body), 201)
    assert created["tx"].startswith("0x") and created["block"] > 0
    assert {k: created[k] for k in ("id", "parent_id", "tier", "tier_name", "name")} == {
        "id": ident,
        "parent_id": tree["district"],
        "tier": 4,
        "tier_name": "street",
        "name": "Street",
    }
    assert created["path"] == [tree["province"], tree["city"], tree["district"]]
    assert (created["children"], created["departments"]) == ([], [])
    assert [m["level"] for m in created["milestones"]] == [4, 5]


def test_show_and_list(api: Api, tree: dict[str, str]) -> None:
    city = ok(api.client.get(f"/jurisdictions/{tree['city']}"))
    assert city["parent_id"] == tree["province"] and city["tier_name"] == "city"
    assert city["path"] == [tree["province"]]
    assert tree["district"] in city["children"]
    assert city["milestones"] == [
        {"at": 1767225599, "time": "2025-12-31T23:59:59Z", "level": 4},
        {"at": 2082758399, "time": "2035-12-31T23:59:59Z", "level": 5},
    ]

    listed = ok(api.client.get("/jurisdictions", params={"limit": 1000}))
    assert listed["count"] == len(listed["data"]) and listed["limit"] == 1000
    position = {row["id"]: i for i, row in enumerate(listed["data"])}
    assert position[tree["province"]] < position[tree["city"]] < position[tree["district"]]
    row = listed["data"][position[tree["city"]]]
    assert (row["depth"], row["parent_id"]) == (1, tree["province"])

    second = ok(api.client.get("/jurisdictions", params={"limit": 1, "offset": 1}))
    assert second["data"] == listed["data"][1:2]
    assert (second["count"], second["offset"]) == (1, 1)


def test_a_department_without_registrar_is_403_on_every_write(
    api: Api, tree: dict[str, str]
) -> None:
    city = tree["city"]
    writes = [
        ("post", "/jurisdictions", {"jurisdiction_id": "api.x", "tier": 1, "name": "X"}),
        ("post", f"/jurisdictions/{city}/rename", {"name": "X"}),
        ("post", f"/jurisdictions/{city}/move", {"parent_id": None}),
        ("post", f"/jurisdictions/{city}/departments", {"department_id": CIVIL}),
        ("put", f"/jurisdictions/{city}/milestones", {"milestones": []}),
    ]
    for method, path, body in writes:
        response = api.client.request(method, path, json=body, headers=api.auth(SECURITY))
        assert_problem(
            response, 403, "department 'dcity.security' does not hold the REGISTRAR role"
        )
        assert_problem(api.client.request(method, path, json=body), 401)
    assert ok(api.client.get(f"/jurisdictions/{city}"))["name"] == "City"


def test_a_cycle_is_409_with_the_decoded_error(api: Api, tree: dict[str, str]) -> None:
    province, district = tree["province"], tree["district"]
    response = api.post(f"/jurisdictions/{province}/move", REGISTRAR, {"parent_id": district})
    problem = assert_problem(
        response, 409, f"JurisdictionCycle(jurisdictionId='{province}', newParentId='{district}')"
    )
    assert problem["error"] == "JurisdictionCycle"
    assert problem["arguments"] == {"jurisdictionId": province, "newParentId": district}
    assert problem["contract"] == "Directory"
    assert ok(api.client.get(f"/jurisdictions/{province}"))["parent_id"] is None


def test_rename_and_move(api: Api, tree: dict[str, str]) -> None:
    other = fresh_id("api.k")
    ok(
        api.post("/jurisdictions", REGISTRAR, {"jurisdiction_id": other, "tier": 1, "name": "K"}),
        201,
    )
    district = tree["district"]
    renamed = ok(api.post(f"/jurisdictions/{district}/rename", REGISTRAR, {"name": "East"}))
    assert renamed["name"] == "East"
    moved = ok(api.post(f"/jurisdictions/{district}/move", REGISTRAR, {"parent_id": other}))
    assert (moved["parent_id"], moved["path"]) == (other, [other])
    back = ok(api.post(f"/jurisdictions/{district}/move", REGISTRAR, {"parent_id": tree["city"]}))
    assert back["path"] == [tree["province"], tree["city"]]
    wrong_tier = api.post(f"/jurisdictions/{other}/move", REGISTRAR, {"parent_id": district})
    assert assert_problem(wrong_tier, 409)["arguments"] == {
        "jurisdictionId": other,
        "tier": 1,
        "parentTier": 3,
    }


def test_unknown_ids(api: Api, tree: dict[str, str]) -> None:
    response = api.client.get("/jurisdictions/api.nowhere")
    problem = assert_problem(response, 404, "jurisdiction 'api.nowhere' not found")
    assert (problem["kind"], problem["id"]) == ("jurisdiction", "api.nowhere")
    assert_problem(
        api.post("/jurisdictions/api.nowhere/rename", REGISTRAR, {"name": "X"}),
        404,
        "jurisdiction 'api.nowhere' not found",
    )
    # an unknown parent in the body is the contract's refusal, not a missing resource
    body = {
        "jurisdiction_id": fresh_id("api.y"),
        "parent_id": "api.nowhere",
        "tier": 2,
        "name": "Y",
    }
    problem = assert_problem(api.post("/jurisdictions", REGISTRAR, body), 409)
    assert (problem["error"], problem["arguments"]) == (
        "JurisdictionUnknown",
        {"jurisdictionId": "api.nowhere"},
    )
    again = {"jurisdiction_id": tree["city"], "parent_id": tree["province"], "tier": 2, "name": "C"}
    problem = assert_problem(api.post("/jurisdictions", REGISTRAR, again), 409)
    assert (problem["error"], problem["arguments"]) == (
        "JurisdictionExists",
        {"jurisdictionId": tree["city"]},
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tier": 7}, "tier"),
        ({"tier": 0}, "tier"),
        ({"tier": "planet"}, "tier"),
        ({"tier": "3"}, "tier"),
        ({"name": ""}, "name"),
        ({"name": "  "}, "name"),
        ({"jurisdiction_id": "bad id"}, "jurisdiction_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_is_422(api: Api, changes: dict[str, Any], field: str) -> None:
    body = {"jurisdiction_id": fresh_id("api.z"), "tier": 2, "name": "Z"} | changes
    problem = assert_problem(api.post("/jurisdictions", REGISTRAR, body), 422)
    assert any(e["field"] is not None and e["field"].startswith(field) for e in problem["errors"])


def test_place_a_department_then_move_it(api: Api, tree: dict[str, str]) -> None:
    city, district = tree["city"], tree["district"]
    # the shared chain may have placed civil affairs already: start from a known place
    first = ok(api.post(f"/jurisdictions/{city}/departments", REGISTRAR, {"department_id": CIVIL}))
    assert (first["department_id"], first["jurisdiction_id"]) == (CIVIL, city)
    moved = ok(
        api.post(f"/jurisdictions/{district}/departments", REGISTRAR, {"department_id": CIVIL})
    )
    assert moved["from_jurisdiction_id"] == city
    assert ok(api.client.get(f"/jurisdictions/{district}"))["departments"] == [CIVIL]
    assert CIVIL not in ok(api.client.get(f"/jurisdictions/{city}"))["departments"]

    twice = api.post(f"/jurisdictions/{district}/departments", REGISTRAR, {"department_id": CIVIL})
    problem = assert_problem(twice, 409)
    assert (problem["error"], problem["arguments"]) == (
        "DepartmentAlreadyPlaced",
        {"departmentId": CIVIL, "jurisdictionId": district},
    )
    unknown = api.post(f"/jurisdictions/{city}/departments", REGISTRAR, {"department_id": "x.no"})
    assert assert_problem(unknown, 409)["error"] == "DepartmentUnknown"


def test_milestones_set_refused_and_restored(api: Api, tree: dict[str, str]) -> None:
    path = f"/jurisdictions/{tree['district']}/milestones"
    staged = {"milestones": [{"at": 1735689599, "level": 3}, {"at": 1767225599, "level": 4}]}
    put = ok(api.client.put(path, json=staged, headers=api.auth(REGISTRAR)))
    assert put["milestones"] == [
        {"at": 1735689599, "time": "2024-12-31T23:59:59Z", "level": 3},
        {"at": 1767225599, "time": "2025-12-31T23:59:59Z", "level": 4},
    ]
    backwards = {"milestones": [{"at": 1767225599, "level": 4}, {"at": 1735689599, "level": 5}]}
    response = api.client.put(path, json=backwards, headers=api.auth(REGISTRAR))
    problem = assert_problem(response, 409)
    assert (problem["error"], problem["arguments"]) == (
        "InvalidMilestones",
        {"jurisdictionId": tree["district"]},
    )
    too_high = {"milestones": [{"at": 1767225599, "level": 6}]}
    assert_problem(api.client.put(path, json=too_high, headers=api.auth(REGISTRAR)), 422)
    restored = ok(api.client.put(path, json={"milestones": []}, headers=api.auth(REGISTRAR)))
    assert [m["time"] for m in restored["milestones"]] == [
        "2025-12-31T23:59:59Z",
        "2035-12-31T23:59:59Z",
    ]
