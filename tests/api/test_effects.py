"""The effect log through the API: batches, checkpoints and proofs an outside verifier checks."""

from __future__ import annotations

from ledger.effects import merkle
from tests.api.conftest import CIVIL, SECURITY, Api, assert_problem


def test_before_a_log_is_opened_the_api_says_so(api: Api) -> None:
    # Runs before the test below, the only one that opens the session's effect log.
    assert not (api.home / "effects" / "log.json").exists()
    body = assert_problem(api.client.get("/effects"), 409)
    assert "no effect log yet" in body["detail"]


def test_batches_checkpoints_and_proofs(api: Api) -> None:
    with api.app.state.ledger_lock:
        if api.ledger.effects.config is None:
            api.ledger.effects.open("api.calls", SECURITY, "test.sharing", "c3")
    now = api.now()
    entries = [
        {
            "kind": "call",
            "agreement": "agr.api",
            "system": "sys.x",
            "at": now - 100 + i,
            "records": i,
            "permission": "open",
            "latency_ms": 3,
            "request_id": f"api{i}",
        }
        for i in range(20)
    ]
    bad = {**entries[1], "request_id": "api-bad", "phone": "13800000000"}  # personal data
    response = api.post("/effects/entries", SECURITY, {"entries": [*entries, bad, entries[0]]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["added"], body["duplicates"]) == (20, 1)
    assert [r["index"] for r in body["rejected"]] == [20]
    assert "phone" in body["rejected"][0]["reason"]

    assert_problem(api.post("/effects/entries", CIVIL, {"entries": entries}), 403)
    assert_problem(api.post("/effects/entries", None, {"entries": entries}), 401)
    assert_problem(api.post("/effects/entries", SECURITY, {"entries": []}), 422)

    sealed = api.post("/effects/seal", SECURITY, None)
    assert sealed.status_code == 200, sealed.text
    status = sealed.json()
    assert status["pending"] == 0 and status["anchored_size"] == status["size"]

    proof = api.client.get("/effects/entries/7").json()
    leaf = merkle.leaf_hash(proof["entry"].encode())
    assert merkle.verify_inclusion(
        leaf,
        7,
        proof["tree_size"],
        [bytes.fromhex(p) for p in proof["proof"]],
        bytes.fromhex(proof["root"]),
    )
    assert proof["checkpoint"]["tx"].startswith("0x")
    assert_problem(api.client.get("/effects/entries/999999"), 404)
