"""The API's contract with its clients: one list envelope with paging and a total on
every list route, one set of filter names, lookups by block and transaction, and an
OpenAPI document that says what the routes do (security, statuses, id patterns)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from api.main import create_app
from api.models import DepartmentsPublic, EventsPublic
from api.params import HASH_PATTERN, ID_PATTERN, MAX_LIMIT, MAX_OFFSET, Page, matching
from ledger.knowledge.models import PolicyRecord
from ledger.mechanisms.workorders import OrderEvaluate
from tests.api.conftest import ISSUER, POLICY_ID, SECURITY, Api, assert_problem
from tests.conftest import make_settings

#: Every list route (each answers the envelope).
LISTS = [
    "/policies",
    "/departments",
    "/catalog",
    "/agreements",
    "/events",
    "/orders",
    "/drills/plans",
    "/systems",
    "/statistics",
    "/scores",
    "/findings",
    "/jurisdictions",
]
ENVELOPE = {"data", "count", "total", "limit", "offset"}


def openapi(api: Api) -> dict[str, Any]:
    schema: dict[str, Any] = api.client.get("/openapi.json").json()
    return schema


def test_the_list_routes_are_every_route_answering_a_list(api: Api) -> None:
    schemas = openapi(api)["components"]["schemas"]
    listing = set()
    for path, operations in openapi(api)["paths"].items():
        ok = operations.get("get", {}).get("responses", {}).get("200", {})
        ref = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        if name and "data" in schemas[name].get("properties", {}):
            assert set(schemas[name]["properties"]) == ENVELOPE, path
            listing.add(path)
    assert listing == set(LISTS)


@pytest.mark.parametrize("path", LISTS)
def test_every_list_pages_with_a_total(api: Api, path: str) -> None:
    everything = api.client.get(path, params={"limit": MAX_LIMIT}).json()
    assert set(everything) == ENVELOPE
    assert everything["count"] == len(everything["data"]) == everything["total"]
    assert (everything["limit"], everything["offset"]) == (MAX_LIMIT, 0)

    page = api.client.get(path, params={"limit": 1, "offset": 1}).json()
    assert page["total"] == everything["total"]
    assert page["data"] == everything["data"][1:2]
    assert page["count"] == len(page["data"]) == min(1, max(0, everything["total"] - 1))

    beyond = api.client.get(path, params={"offset": MAX_OFFSET}).json()
    assert (beyond["data"], beyond["count"], beyond["total"]) == ([], 0, everything["total"])


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("params", "detail"),
    [
        (
            {"offset": 2**63},
            f"query parameter offset: Input should be less than or equal to {MAX_OFFSET}",
        ),
        ({"offset": -1}, "query parameter offset: Input should be greater than or equal to 0"),
        ({"limit": 0}, "query parameter limit: Input should be greater than or equal to 1"),
        (
            {"limit": MAX_LIMIT + 1},
            f"query parameter limit: Input should be less than or equal to {MAX_LIMIT}",
        ),
    ],
)
def test_a_page_out_of_bounds_is_422(api: Api, path: str, params: dict, detail: str) -> None:
    assert_problem(api.client.get(path, params=params), 422, detail)


def test_the_default_page_is_100_rows(api: Api) -> None:
    body = api.client.get("/events").json()
    assert (body["limit"], body["offset"]) == (100, 0)
    assert body["count"] == min(100, body["total"])


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/events", None),
        ("/agreements", "policy_id"),
        ("/orders", "policy_id"),
        ("/drills/plans", "policy_id"),
        ("/statistics", "policy_id"),
        ("/findings", "policy_id"),
    ],
)
def test_policy_id_filters_and_policy_is_its_deprecated_alias(
    api: Api, path: str, field: str | None
) -> None:
    mine = api.client.get(path, params={"policy_id": POLICY_ID, "limit": MAX_LIMIT}).json()
    none = api.client.get(path, params={"policy_id": "no.such"}).json()
    assert (none["data"], none["total"]) == ([], 0)
    for row in mine["data"]:
        assert (row["args"]["policyId"] if field is None else row[field]) == POLICY_ID
    old = api.client.get(path, params={"policy": POLICY_ID, "limit": MAX_LIMIT}).json()
    assert old == mine
    both = api.client.get(path, params={"policy_id": POLICY_ID, "policy": "other", "limit": 1000})
    assert both.json() == mine  # the new name wins


def test_department_id_is_the_one_department_filter(api: Api) -> None:
    """Every list with a department filter calls it ``department_id`` (``department`` is
    its deprecated alias), and every filter on an id carries the id pattern."""
    for path, operations in openapi(api)["paths"].items():
        for operation in operations.values():
            params = {p["name"]: p for p in operation.get("parameters", [])}
            for old in ("policy", "department"):
                assert old not in params or params[old].get("deprecated") is True, (path, old)
                assert old not in params or f"{old}_id" in params, (path, old)
            for name in ("policy_id", "department_id"):
                if name in params and params[name]["in"] == "query":
                    schema = params[name]["schema"]
                    patterns = [s.get("pattern") for s in schema.get("anyOf", [schema])]
                    assert ID_PATTERN in patterns, (path, name)
    issued = api.client.get("/policies", params={"department_id": ISSUER}).json()["data"]
    assert POLICY_ID in {p["id"] for p in issued}
    assert {p["issuer"] for p in issued} == {ISSUER}
    assert api.client.get("/policies", params={"department": ISSUER}).json()["data"] == issued
    assert_problem(
        api.client.get("/catalog", params={"department_id": "bad id"}),
        422,
        f"query parameter department_id: String should match pattern '{ID_PATTERN}'",
    )


def test_the_maturity_scope_takes_department_id(api: Api) -> None:
    new = api.client.get("/maturity", params={"department_id": SECURITY}).json()
    old = api.client.get("/maturity", params={"department": SECURITY}).json()
    assert new["scope"] == old["scope"] == SECURITY
    assert new["result_hash"] == old["result_hash"]


# -- lookups by block and transaction -----------------------------------------------------


def test_events_are_looked_up_by_transaction_and_block(api: Api) -> None:
    anchored = next(
        e
        for e in api.client.get("/events", params={"policy_id": POLICY_ID}).json()["data"]
        if e["event"] == "PolicyAnchored"
    )
    by_tx = api.client.get("/events", params={"tx_hash": anchored["tx"]}).json()
    assert anchored in by_tx["data"] and {e["tx"] for e in by_tx["data"]} == {anchored["tx"]}
    assert by_tx["total"] == len(by_tx["data"])
    upper = api.client.get("/events", params={"tx_hash": "0x" + anchored["tx"][2:].upper()})
    assert upper.json()["data"] == by_tx["data"]
    by_block = api.client.get("/events", params={"block": anchored["block"]}).json()
    assert {e["block"] for e in by_block["data"]} == {anchored["block"]}

    block = api.client.get(f"/blocks/{anchored['block']}").json()
    assert block["number"] == anchored["block"]
    assert block["hash"] == anchored["block_hash"]
    assert block["time"] == anchored["block_time"]
    assert block["time_utc"].endswith("Z")
    assert anchored["tx"] in block["transactions"]
    assert block["events"] == by_block["data"]

    tx = api.client.get(f"/transactions/{anchored['tx']}").json()
    assert (tx["tx"], tx["block"], tx["block_hash"]) == (
        anchored["tx"],
        anchored["block"],
        anchored["block_hash"],
    )
    assert tx["succeeded"] is True and tx["gas_used"] > 0
    assert re.fullmatch(r"0x[0-9a-fA-F]{40}", tx["sender"]) and tx["to"]
    assert tx["events"] == by_tx["data"]


def test_unknown_and_malformed_blocks_and_transactions(api: Api) -> None:
    head = api.client.get("/health").json()["block"]
    genesis = api.client.get("/blocks/0").json()
    assert (genesis["number"], genesis["events"]) == (0, [])
    assert_problem(
        api.client.get(f"/blocks/{head + 1000}"), 404, f"block '{head + 1000}' not found"
    )
    unknown = "0x" + "ab" * 32
    assert_problem(
        api.client.get(f"/transactions/{unknown}"), 404, f"transaction '{unknown}' not found"
    )
    assert_problem(api.client.get("/blocks/-1"), 422)
    assert_problem(api.client.get(f"/blocks/{2**63}"), 422)
    bad = assert_problem(api.client.get("/transactions/0x12"), 422)
    assert bad["errors"][0]["loc"] == ["path", "tx_hash"]
    assert_problem(api.client.get("/events", params={"tx_hash": "0x12"}), 422)
    assert_problem(api.client.get("/events", params={"block": 2**63}), 422)


# -- the OpenAPI document --------------------------------------------------------------------


def test_only_routes_that_need_a_key_declare_one(api: Api) -> None:
    for path, operations in openapi(api)["paths"].items():
        for method, operation in operations.items():
            keyed = "security" in operation
            assert keyed == (method != "get"), (method, path)
            if keyed:
                assert "401" in operation["responses"], (method, path)
    # and indeed a read answers without one
    assert api.client.get("/orders").status_code == 200


def test_reads_declare_the_key_when_the_server_requires_keys_for_reads(api: Api) -> None:
    settings = make_settings(api.home).model_copy(update={"read_api_key_required": True})
    schema = create_app(settings).openapi()
    assert schema["paths"]["/orders"]["get"]["security"] == [{"APIKeyHeader": []}]
    assert "401" in schema["paths"]["/orders"]["get"]["responses"]
    assert "security" not in schema["paths"]["/health"]["get"]


def test_every_status_a_route_answers_is_documented_as_a_problem(api: Api) -> None:
    for path, operations in openapi(api)["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path != "/":
                assert "503" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= set(responses), (method, path)
            if operation.get("parameters"):
                assert "422" in responses, (method, path)
            for status, response in responses.items():
                if status[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"]


def test_path_ids_carry_their_patterns(api: Api) -> None:
    for path, operations in openapi(api)["paths"].items():
        for operation in operations.values():
            for param in operation.get("parameters", []):
                if param["in"] == "path" and param["schema"]["type"] == "string":
                    wanted = HASH_PATTERN if param["name"] == "tx_hash" else ID_PATTERN
                    assert param["schema"]["pattern"] == wanted, (path, param["name"])
    assert_problem(api.client.get("/orders/-x"), 422)
    assert_problem(api.client.get("/orders/no.such"), 404, "work order 'no.such' not found")


def test_request_schemas_say_what_validation_refuses(api: Api) -> None:
    schemas = openapi(api)["components"]["schemas"]
    record = next(s for n, s in schemas.items() if n.startswith("PolicyRecord"))
    assert record["properties"]["clauses"]["minItems"] == 1
    assert record["properties"]["title"]["pattern"] == r"\S"  # not blank
    assert record["properties"]["id"]["pattern"] == ID_PATTERN
    blank = api.post("/policies", ISSUER, {"title": " "})
    assert "title: must not be blank" in blank.json()["detail"]
    body = {"id": "p.none", "version": 1, "kind": "rule", "clauses": []}
    refused = api.post("/policies", ISSUER, body)
    assert refused.status_code == 422
    assert "clauses: must list at least one clause" in refused.json()["detail"]


@given(st.integers(min_value=1, max_value=5))
def test_a_whole_number_with_a_fraction_is_that_integer(score: int) -> None:
    assert OrderEvaluate.model_validate({"score": float(score)}).score == score
    assert OrderEvaluate.model_validate_json(f'{{"score": {score}.0}}').score == score


@given(st.one_of(st.floats(allow_nan=False).filter(lambda x: not x.is_integer()), st.text()))
def test_a_fraction_or_a_string_is_no_integer(value: Any) -> None:
    with pytest.raises(ValidationError):
        OrderEvaluate.model_validate({"score": value})


def test_a_policy_record_without_clauses_is_refused() -> None:
    with pytest.raises(ValidationError, match="must list at least one clause"):
        PolicyRecord.model_validate({"clauses": []})


@given(
    st.lists(st.integers(), max_size=40),
    st.integers(min_value=1, max_value=MAX_LIMIT),
    st.integers(min_value=0, max_value=60),
)
def test_a_page_is_the_slice_and_the_total_counts_every_row(
    rows: list[int], limit: int, offset: int
) -> None:
    page = Page(limit, offset)
    body = EventsPublic.of([], page, len(rows))  # the store pages: the envelope keeps the total
    assert (body.count, body.total, body.limit, body.offset) == (0, len(rows), limit, offset)
    picked = page.of(rows)
    assert picked == rows[offset : offset + limit]
    assert len(picked) == max(0, min(limit, len(rows) - offset))
    listed = DepartmentsPublic.of(
        [{"id": f"d.{n}", "name": "n", "account": "0x"} for n in rows], page
    )
    assert [d.id for d in listed.data] == [f"d.{n}" for n in picked]
    assert (listed.count, listed.total) == (len(picked), len(rows))


@given(st.lists(st.fixed_dictionaries({"a": st.sampled_from("xyz"), "b": st.sampled_from("xy")})))
def test_matching_keeps_the_rows_equal_on_every_filter_given(rows: list[dict]) -> None:
    assert matching(rows) == rows == matching(rows, a=None)
    assert matching(rows, a="x", b=None) == [r for r in rows if r["a"] == "x"]
    assert matching(rows, a="x", b="y") == [r for r in rows if (r["a"], r["b"]) == ("x", "y")]
