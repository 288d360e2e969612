"""Read endpoints: departments, events, maturity, health, the dashboard and OpenAPI."""

from __future__ import annotations

import re

import pytest

from ledger.maturity.engine import verify_result_hash
from ledger.settings import get_settings
from tests.api.conftest import ISSUER, POLICY_ID, SECURITY, Api, assert_problem
from tests.conftest import DEPARTMENTS, make_settings


def test_departments_lists_the_directory(api: Api) -> None:
    body = api.client.get("/departments").json()

    # The session's ledger is shared: other suites register more departments.
    by_id = {d["id"]: d for d in body["data"]}
    assert body["count"] == len(by_id) >= len(DEPARTMENTS)
    assert set(DEPARTMENTS) <= set(by_id)
    assert by_id[ISSUER]["name"] == "General Office"
    assert re.fullmatch(r"0x[0-9a-fA-F]{40}", by_id[ISSUER]["account"])


def test_events_filter_by_policy_and_page(api: Api) -> None:
    body = api.client.get("/events", params={"policy_id": POLICY_ID}).json()

    assert body["limit"] == 100 and body["offset"] == 0
    assert body["count"] == len(body["data"]) >= 1
    assert all(e["args"].get("policyId") == POLICY_ID for e in body["data"])
    anchored = next(e for e in body["data"] if e["event"] == "PolicyAnchored")
    assert anchored["contract"] == "PolicyRegistry"
    assert anchored["args"]["version"] == 1

    everything = api.client.get("/events", params={"limit": 1000}).json()["data"]
    page = api.client.get("/events", params={"limit": 2, "offset": 1}).json()
    assert page["count"] == 2
    assert [(e["block"], e["log_index"]) for e in page["data"]] == [
        (e["block"], e["log_index"]) for e in everything[1:3]
    ]


def test_events_filter_by_department(api: Api) -> None:
    data = api.client.get("/events", params={"department_id": SECURITY}).json()["data"]

    assert all(SECURITY in e["args"].values() for e in data)


@pytest.mark.parametrize(
    ("limit", "bound"), [(0, "greater than or equal to 1"), (1001, "less than or equal to 1000")]
)
def test_events_limit_out_of_range_is_422(api: Api, limit: int, bound: str) -> None:
    response = api.client.get("/events", params={"limit": limit})

    assert_problem(response, 422, f"query parameter limit: Input should be {bound}")


def test_maturity_returns_the_engine_result(api: Api) -> None:
    response = api.client.get("/maturity", params={"window_days": 30})

    assert response.status_code == 200
    result = response.json()
    assert re.fullmatch(r"[0-9a-f]{64}", result["result_hash"])
    assert result["scope"] == "city"
    assert result["window"]["end"] - result["window"]["start"] == 30 * 86_400
    assert [e["id"] for e in result["elements"]] == [
        "institutional_advantage",
        "operating_mechanism",
        "technical_support",
        "data_governance",
    ]
    assert result["level"] in {"L1", "L2", "L3", "L4", "L5"}
    # the typed response keeps the result as the engine wrote it: its hash recomputes
    assert verify_result_hash(result)
    assert set(result) >= {"indicators", "M", "arithmetic_mean", "evidence_root", "as_of"}


def test_maturity_of_one_department(api: Api) -> None:
    result = api.client.get("/maturity", params={"department": SECURITY}).json()

    assert result["scope"] == SECURITY


def test_maturity_of_an_unknown_department_is_404(api: Api) -> None:
    response = api.client.get("/maturity", params={"department": "no.such.dept"})

    assert_problem(response, 404, "department 'no.such.dept' not found")


def test_maturity_under_a_spec_version(api: Api) -> None:
    v1 = api.client.get("/maturity", params={"spec": 1}).json()
    latest = api.client.get("/maturity").json()

    assert v1["spec_version"] == 1
    assert latest["spec_version"] == 2
    assert_problem(
        api.client.get("/maturity", params={"spec": 9}),
        422,
        "maturity spec v9: no such spec version",
    )


def test_maturity_clauses_and_series(api: Api) -> None:
    clauses = api.client.get("/maturity/clauses", params={"spec": 1})
    series = api.client.get("/maturity/series", params={"windows": 3, "window_days": 20})

    assert clauses.status_code == 200
    assert clauses.json()["spec_version"] == 1
    assert all(r["status"] in {"executed", "not executed"} for r in clauses.json()["clauses"])
    assert series.status_code == 200
    points = series.json()["points"]
    assert len(points) == 3
    assert all(re.fullmatch(r"[0-9a-f]{64}", p["result_hash"]) for p in points)
    assert_problem(
        api.client.get("/maturity/series", params={"windows": 0}),
        422,
        "query parameter windows: Input should be greater than or equal to 1",
    )


def test_maturity_window_must_be_positive(api: Api) -> None:
    assert_problem(
        api.client.get("/maturity", params={"window_days": 0}),
        422,
        "query parameter window_days: Input should be greater than or equal to 1",
    )


def test_health(api: Api) -> None:
    body = api.client.get("/health").json()

    assert body["status"] == "ok"
    assert body["chain"] == "embedded"
    assert isinstance(body["block"], int) and body["block"] > 0


def test_health_does_not_wait_behind_a_long_request(api: Api) -> None:
    seen = api.client.get("/health").json()["block"]
    with api.app.state.ledger_lock:  # as an audit or a write in flight holds it
        busy = api.client.get("/health")
    assert busy.status_code == 200
    assert busy.json() == {"status": "busy", "chain": "embedded", "block": seen}
    assert api.client.get("/health").json()["status"] == "ok"


def test_dashboard_overview_is_an_html_page_of_this_server_only(api: Api) -> None:
    response = api.client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    # What the one-page dashboard showed, now server-rendered: the level, the radar's
    # data, the published scores, findings, policies, agreements and departments.
    for panel in ("maturity", "scores", "findings", "policies", "agreements", "departments"):
        assert f'id="{panel}"' in page
    assert 'id="radar-data"' in page and 'data-chart="radar"' in page
    assert f'href="/policies/{POLICY_ID}/1"' in page
    assert 'href="/scope/dcity.civil"' in page
    # Everything it loads comes from this server: no CDN, no external font.
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith(("/", "#")) for s in sources), sources
    assert not re.findall(r"https?://", page)


def test_openapi_lists_every_route(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()

    assert spec["info"]["title"] == "govledger"
    assert spec["info"]["description"]
    paths = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert {
        ("/policies", "get"),
        ("/policies", "post"),
        ("/policies/{policy_id}", "get"),
        ("/policies/{policy_id}/verify", "get"),
        ("/departments", "get"),
        ("/catalog", "get"),
        ("/catalog/items", "post"),
        ("/agreements", "get"),
        ("/agreements", "post"),
        ("/agreements/{agreement_id}", "get"),
        ("/agreements/{agreement_id}/deliveries", "post"),
        ("/events", "get"),
        ("/maturity", "get"),
        ("/health", "get"),
    } <= paths
    assert "/" not in spec["paths"]  # the dashboard's pages are not part of the API
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    conflict = spec["paths"]["/agreements"]["post"]["responses"]["409"]
    assert "application/problem+json" in conflict["content"]
    assert api.client.get("/docs").status_code == 200


def test_reads_can_require_a_key(api: Api) -> None:
    original = api.app.dependency_overrides[get_settings]
    api.app.dependency_overrides[get_settings] = lambda: make_settings(
        api.home, read_api_key_required=True
    )
    try:
        assert_problem(
            api.client.get("/policies"),
            401,
            "an API key is required: send it in the X-API-Key header",
        )
        assert api.client.get("/policies", headers=api.auth(SECURITY)).status_code == 200
    finally:
        api.app.dependency_overrides[get_settings] = original
    assert api.client.get("/policies").status_code == 200
