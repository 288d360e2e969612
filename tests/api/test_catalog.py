"""Catalog items over HTTP: registering, listing, and the errors on the way."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.api.conftest import SECURITY, STRANGER, Api, assert_problem, fresh_id


def item(item_id: str, **changes: Any) -> dict[str, Any]:
    body = {
        "item_id": item_id,
        "data_type": "population.registry",
        "permission": "restricted",
        "disclosure": "api",
    }
    return body | changes


def test_register_returns_201_and_the_item_is_listed(api: Api) -> None:
    item_id = fresh_id("api.item")

    response = api.post("/catalog/items", SECURITY, item(item_id))

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["item_id"] == item_id
    assert created["provider_id"] == SECURITY
    assert created["tx"].startswith("0x") and created["block"] > 0

    listed = {i["item_id"]: i for i in api.client.get("/catalog").json()["data"]}
    assert listed[item_id] == {
        "item_id": item_id,
        "provider_id": SECURITY,
        "data_type": "population.registry",
        "permission": "restricted",
        "disclosure": "api",
        "block": created["block"],
        "tx": created["tx"],
        "registered_at": listed[item_id]["registered_at"],
    }


def test_registering_the_same_item_twice_is_a_409_item_exists(api: Api) -> None:
    item_id = fresh_id("api.item")
    assert api.post("/catalog/items", SECURITY, item(item_id)).status_code == 201

    response = api.post("/catalog/items", SECURITY, item(item_id))

    body = assert_problem(response, 409)
    assert body["type"] == "urn:govledger:problem:contract-revert"
    assert body["error"] == "ItemExists"
    assert body["arguments"] == {"itemId": item_id}
    assert body["contract"] == "DataSharing"
    assert body["detail"] == (f"catalog item '{item_id}' is already registered (ItemExists)")


def test_registering_without_a_key_is_401(api: Api) -> None:
    response = api.post("/catalog/items", None, item(fresh_id("api.item")))

    assert_problem(response, 401, "an API key is required: send it in the X-API-Key header")


def test_an_unknown_key_is_401(api: Api) -> None:
    response = api.client.post(
        "/catalog/items",
        json=item(fresh_id("api.item")),
        headers={"X-API-Key": "glk_not-a-key-anyone-was-given"},
    )

    assert_problem(response, 401, "unknown API key")
    assert "glk_not-a-key" not in response.text


def test_a_key_of_an_unregistered_department_is_403(api: Api) -> None:
    response = api.post("/catalog/items", STRANGER, item(fresh_id("api.item")))

    assert_problem(response, 403, f"department {STRANGER!r} is not registered on this ledger")


def test_an_unknown_permission_is_422_naming_the_field(api: Api) -> None:
    response = api.post("/catalog/items", SECURITY, item(fresh_id("api.item"), permission="secret"))

    body = assert_problem(response, 422)
    assert body["detail"] == "permission: Input should be 'open', 'conditional' or 'restricted'"
    assert [e["field"] for e in body["errors"]] == ["permission"]


def test_missing_and_unknown_fields_are_422_naming_each(api: Api) -> None:
    body = item(fresh_id("api.item"), provider="someone.else")
    del body["disclosure"]

    problem = assert_problem(api.post("/catalog/items", SECURITY, body), 422)
    assert problem["detail"] == (
        "disclosure: field required; provider: Extra inputs are not permitted"
    )


def test_an_invalid_id_is_422_saying_what_an_id_is(api: Api) -> None:
    response = api.post("/catalog/items", SECURITY, item("has spaces"))

    body = assert_problem(response, 422)
    assert body["detail"] == (
        "item_id: id 'has spaces' must be 1-32 ASCII characters: letters, digits and . _ : - /,"
        " starting with a letter or digit"
    )


def test_a_number_where_text_is_expected_is_422(api: Api) -> None:
    response = api.post("/catalog/items", SECURITY, item(fresh_id("api.item"), data_type=7))

    assert_problem(response, 422, "data_type: Input should be a valid string")


def test_concurrent_writes_are_serialised(api: Api) -> None:
    # Handlers run in a thread pool; the app's lock keeps the (not thread-safe) chain
    # to one request at a time, so every write lands, each in its own transaction.
    ids = [fresh_id("api.par") for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda i: api.post("/catalog/items", SECURITY, item(i)), ids))

    assert [r.status_code for r in responses] == [201] * len(ids)
    assert len({r.json()["tx"] for r in responses}) == len(ids)
    listed = {i["item_id"] for i in api.client.get("/catalog").json()["data"]}
    assert set(ids) <= listed
