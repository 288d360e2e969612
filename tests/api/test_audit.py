"""Audit through the API: verify, published scores recomputed, findings answered."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from tests.api.conftest import CIVIL, ISSUER, POLICY_ID, Api, assert_problem, raise_finding
from tests.conftest import publish


@pytest.fixture(scope="module")
def score_id(api: Api) -> int:
    with api.app.state.ledger_lock:
        return publish(api.ledger).score_id


def test_an_untouched_ledger_verifies(api: Api, score_id: int) -> None:
    body = api.client.get("/audit/verify").json()
    assert body["ok"] is True, [c for c in body["checks"] if not c["ok"]]
    areas = {c["area"] for c in body["checks"]}
    assert {"records", "index", "scores"} <= areas
    assert body["verdict"] == f"all {len(body['checks'])} checks passed"
    trail = api.client.get("/audit/verify", params={"policy": POLICY_ID}).json()
    assert trail["ok"] is True
    assert [c["subject"] for c in trail["checks"] if c["area"] == "records"] == [
        f"record {POLICY_ID} v1"
    ]


def test_an_unknown_policy_is_a_404(api: Api) -> None:
    assert_problem(
        api.client.get("/audit/verify", params={"policy": "no.such"}),
        404,
        "policy 'no.such' not found",
    )


@pytest.fixture
def forged_row(api: Api) -> Iterator[str]:
    """An index row the chain never emitted, removed again afterwards."""
    db = sqlite3.connect(api.home / "index.sqlite")
    fake = "0x" + "de" * 32
    with db:
        db.execute(
            "INSERT INTO events SELECT ?, log_index, block_number, block_hash, block_time,"
            " contract, event, policy_id, department_id, args FROM events"
            " WHERE event = 'PolicyAnchored' LIMIT 1",
            (fake,),
        )
    try:
        yield fake
    finally:
        with db:
            db.execute("DELETE FROM events WHERE tx_hash = ?", (fake,))
        db.close()


def test_a_forged_index_row_is_found_and_located(api: Api, forged_row: str) -> None:
    response = api.client.get("/audit/verify")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    failed = [c for c in body["checks"] if not c["ok"]]
    located = [c for c in failed if c["where"] and forged_row in c["where"]]
    assert len(located) == 1
    assert located[0]["area"] == "index"
    assert "never emitted" in located[0]["detail"]
    assert "PolicyRegistry.PolicyAnchored" in located[0]["where"]


def test_published_scores_are_listed_and_recompute(api: Api, score_id: int) -> None:
    body = api.client.get("/scores").json()
    listed = {s["score_id"]: s for s in body["data"]}
    assert listed[score_id]["scope"] == "city"
    assert listed[score_id]["provisional"] is False  # the embedded chain is final at once
    verified = api.client.get(f"/scores/{score_id}/verify").json()
    assert verified["ok"] is True
    assert verified["score"]["result_hash"] == listed[score_id]["result_hash"]
    assert [c["ok"] for c in verified["checks"]] == [True, True]


def test_an_unknown_score_is_a_404(api: Api) -> None:
    assert_problem(api.client.get("/scores/999/verify"), 404, "published score '999' not found")


def test_a_department_answers_its_finding(api: Api, score_id: int) -> None:
    raise_finding(api, "F-api-1", score_id, deadline=api.now() + 86_400)
    listed = api.client.get("/findings", params={"department": ISSUER}).json()
    # the session's API ledger is shared: other files may have raised findings too
    assert {f["department_id"] for f in listed["data"]} == {ISSUER}
    ours = [f for f in listed["data"] if f["finding_id"].startswith("F-api")]
    assert [(f["finding_id"], f["status"]) for f in ours] == [("F-api-1", "Open")]
    body = {"plan_digest": "0x" + "11" * 32, "evidence_digest": "0x" + "22" * 32}
    wrong = assert_problem(api.post("/findings/F-api-1/response", CIVIL, body), 403)
    assert wrong["error"] == "NotResponsible"
    assert wrong["detail"].startswith(f"finding F-api-1 is for {ISSUER}, not the department of ")
    assert_problem(
        api.post("/findings/F-none/response", ISSUER, body), 404, "finding 'F-none' not found"
    )
    assert (
        api.post("/findings/F-api-1/response", ISSUER, {**body, "plan_digest": "0x12"}).status_code
        == 422
    )
    answered = api.post("/findings/F-api-1/response", ISSUER, body)
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "Responded"
    events = api.client.get("/events", params={"contract": "Findings"}).json()
    responded = [e for e in events["data"] if e["event"] == "FindingResponded"]
    assert responded[-1]["args"]["planDigest"] == body["plan_digest"]
    assert responded[-1]["args"]["evidenceDigest"] == body["evidence_digest"]


def test_anyone_with_a_key_marks_an_overdue_finding(api: Api, score_id: int) -> None:
    raise_finding(api, "F-api-2", score_id, deadline=api.now() + 3_600)
    early = assert_problem(api.post("/findings/F-api-2/overdue", CIVIL, None), 409)
    assert "NotOverdue" in early["detail"]
    assert api.client.post("/findings/F-api-2/overdue").status_code == 401
    with api.app.state.ledger_lock:
        api.ledger.clock.advance_time(3_601)
    marked = api.post("/findings/F-api-2/overdue", CIVIL, None)
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "Overdue"
    listed = api.client.get("/findings", params={"policy": POLICY_ID}).json()
    assert {f["finding_id"]: f["was_overdue"] for f in listed["data"]}["F-api-2"] is True
