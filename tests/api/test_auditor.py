"""The auditor through the API: an auditor's key publishes scores and reviews findings;
a department's key cannot, and an auditor's key cannot act for a department."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger.apikeys import ApiKeys
from ledger.errors import LedgerValueError
from tests.api.conftest import ISSUER, POLICY_ID, SECURITY, Api, assert_problem, raise_finding

AUDITOR_ONLY = (
    "this route is the auditor's: the API key of department '{}' cannot use it"
    " (`govledger apikey create --role auditor` makes an auditor's key)"
)
DIGESTS = {"plan_digest": "0x" + "31" * 32, "evidence_digest": "0x" + "32" * 32}


@pytest.fixture(scope="module")
def auditor(api: Api) -> dict[str, str]:
    key, info = ApiKeys(api.home).create(None, "tests", role="auditor")
    assert (info.role, info.department_id, info.holder) == ("auditor", None, "the auditor")
    api.keys["auditor"] = key  # so the response hook checks no response shows it
    return {"X-API-Key": key}


@pytest.fixture(scope="module")
def published(api: Api, auditor: dict[str, str]) -> dict:
    response = api.client.post(
        "/scores", json={"window_days": 30, "deadline_days": 10}, headers=auditor
    )
    assert response.status_code == 201, response.text
    body: dict = response.json()
    return body


def test_an_auditor_publishes_a_score(api: Api, published: dict) -> None:
    assert published["scope"] == "city"
    assert published["level"] in {"L1", "L2", "L3", "L4", "L5"}
    listed = api.client.get("/scores", params={"limit": 1000}).json()
    ours = {s["score_id"]: s for s in listed["data"]}[published["score_id"]]
    assert ours["result_hash"] == published["result_hash"]
    assert ours["as_of_block"] == published["as_of_block"]
    assert listed["total"] >= published["score_id"]
    verified = api.client.get(f"/scores/{published['score_id']}/verify").json()
    assert verified["ok"] is True
    events = api.client.get("/events", params={"block": published["block"]}).json()["data"]
    assert "ScorePublished" in {e["event"] for e in events}
    for finding in published["findings"]:
        assert set(finding) >= {"finding_id", "department_id", "policy_id", "raised"}
        assert finding["finding_id"].startswith(f"F{published['score_id']}-")


def test_a_department_score_is_published_for_that_department(
    api: Api, auditor: dict[str, str]
) -> None:
    body = {"department_id": SECURITY, "raise_findings": False}
    response = api.client.post("/scores", json=body, headers=auditor)
    assert response.status_code == 201, response.text
    assert (response.json()["scope"], response.json()["findings"]) == (SECURITY, [])
    mine = api.client.get("/scores", params={"department_id": SECURITY}).json()
    assert mine["total"] == len(mine["data"]) >= 1
    assert {s["scope"] for s in mine["data"]} == {SECURITY}


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"department_id": "no.such"}, 404, "department 'no.such' not found"),
        ({"deadline_days": 0}, 422, "deadline_days: Input should be greater than or equal to 1"),
        ({"window_days": 3661}, 422, "window_days: Input should be less than or equal to 3660"),
        ({"scope": "city"}, 422, "scope: Extra inputs are not permitted"),
    ],
)
def test_a_publication_the_ledger_refuses_is_a_problem(
    api: Api, auditor: dict[str, str], body: dict, status: int, detail: str
) -> None:
    assert_problem(api.client.post("/scores", json=body, headers=auditor), status, detail)


def test_a_department_key_cannot_do_the_auditors_work(api: Api, published: dict) -> None:
    assert_problem(api.post("/scores", SECURITY, {}), 403, AUDITOR_ONLY.format(SECURITY))
    review = api.post(f"/findings/F{published['score_id']}-1/review", ISSUER, {"accept": True})
    assert_problem(review, 403, AUDITOR_ONLY.format(ISSUER))
    assert_problem(api.client.post("/scores", json={}), 401)


def test_an_auditor_key_cannot_act_for_a_department(api: Api, auditor: dict[str, str]) -> None:
    body = {"item_id": "item.auditor", "data_type": "licenses", "permission": "open"}
    for path in ("/catalog/items", "/findings/F-x/response"):
        payload = DIGESTS if path.endswith("response") else body
        assert_problem(
            api.client.post(path, json=payload, headers=auditor),
            403,
            "this route acts for a department: use a department's API key, not the auditor's",
        )


def test_the_auditor_reviews_a_response(api: Api, auditor: dict[str, str], published: dict) -> None:
    raise_finding(api, "F-aud-1", published["score_id"], deadline=api.now() + 86_400)
    note = {"accept": False, "note_digest": "0x" + "44" * 32}
    early = assert_problem(
        api.client.post("/findings/F-aud-1/review", json=note, headers=auditor), 409
    )
    assert early["error"] == "WrongStatus"
    assert api.post("/findings/F-aud-1/response", ISSUER, DIGESTS).status_code == 200

    rejected = api.client.post("/findings/F-aud-1/review", json=note, headers=auditor)
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "Open"
    assert api.post("/findings/F-aud-1/response", ISSUER, DIGESTS).status_code == 200
    accepted = api.client.post("/findings/F-aud-1/review", json={"accept": True}, headers=auditor)
    assert accepted.json()["status"] == "Accepted"

    found = api.client.get("/findings/F-aud-1").json()
    assert (found["status"], found["department_id"], found["policy_id"]) == (
        "Accepted",
        ISSUER,
        POLICY_ID,
    )
    assert found["deadline_utc"].endswith("Z")
    history = [(e["event"], e["args"].get("accepted")) for e in found["history"]]
    assert history == [
        ("FindingRaised", None),
        ("FindingResponded", None),
        ("FindingReviewed", False),
        ("FindingResponded", None),
        ("FindingReviewed", True),
    ]
    assert found["history"][2]["args"]["noteDigest"] == note["note_digest"]
    closed = api.client.get("/findings", params={"status": "Accepted", "limit": 1000}).json()
    assert "F-aud-1" in {f["finding_id"] for f in closed["data"]}
    assert {f["status"] for f in closed["data"]} == {"Accepted"}


def test_an_unknown_or_malformed_finding(api: Api, auditor: dict[str, str]) -> None:
    assert_problem(api.client.get("/findings/F-none"), 404, "finding 'F-none' not found")
    review = api.client.post("/findings/F-none/review", json={"accept": True}, headers=auditor)
    assert_problem(review, 404, "finding 'F-none' not found")
    malformed = assert_problem(api.client.get("/findings/-bad"), 422)
    assert malformed["errors"][0]["loc"] == ["path", "finding_id"]
    assert_problem(
        api.client.post("/findings/F-none/review", json={"accept": "yes"}, headers=auditor),
        422,
        "accept: Input should be a valid boolean",
    )


def test_an_auditor_key_marks_a_finding_overdue(
    api: Api, auditor: dict[str, str], published: dict
) -> None:
    raise_finding(api, "F-aud-2", published["score_id"], deadline=api.now() + 60)
    with api.app.state.ledger_lock:
        api.ledger.clock.advance_time(61)
    marked = api.client.post("/findings/F-aud-2/overdue", headers=auditor)
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "Overdue"


def test_key_roles_are_checked_when_keys_are_made(tmp_path: Path) -> None:
    keys = ApiKeys(tmp_path)
    with pytest.raises(LedgerValueError, match="an auditor's key acts for no department"):
        keys.create(ISSUER, role="auditor")
    with pytest.raises(LedgerValueError, match="a department's key names its department"):
        keys.create(None)
    with pytest.raises(LedgerValueError, match="key role 'admin' is not one of"):
        keys.create(ISSUER, role="admin")  # type: ignore[arg-type]
    key, info = keys.create(ISSUER)
    assert keys.authenticate(key) == info and info.role == "department"
    assert info.holder == f"department {ISSUER!r}"


def test_keys_written_before_roles_are_departments(tmp_path: Path) -> None:
    key, info = ApiKeys(tmp_path).create(ISSUER)
    path = tmp_path / "apikeys.json"
    stored = json.loads(path.read_text())
    for record in stored["keys"].values():
        del record["role"]
    path.write_text(json.dumps(stored))
    assert ApiKeys(tmp_path).authenticate(key) == info
