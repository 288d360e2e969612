"""One app over a real ledger on the embedded chain, shared by the API suites.

The app is built once per session in a temporary home: the departments of
``tests.conftest.DEPARTMENTS`` are registered through the ledger the app holds
(only one object may open the embedded chain), the sample policy is anchored, and
each department gets an API key. Tests share the chain, so each one names its
items and agreements with :func:`fresh_id`.

Every response the client receives is checked for API keys: no body and no
header may ever contain one.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from ledger.apikeys import ApiKeys
from ledger.audit.findings import finding_dir
from ledger.audit.scores import ensure_role
from ledger.core import Ledger
from tests.conftest import DEPARTMENTS, make_settings, sample_policy

ISSUER = "dcity.govoffice"
SECURITY = "dcity.security"
CIVIL = "dcity.civil"
HEALTH = "dcity.health"
#: Has an API key but is not registered on the ledger.
STRANGER = "dcity.stranger"

POLICY_ID = "test.sharing"
DAY = 86_400

_counter = itertools.count(1)


def fresh_id(prefix: str) -> str:
    """An id no other test uses (ids are at most 32 characters)."""
    return f"{prefix}.{next(_counter)}"


@dataclass
class Api:
    """The app, its client, its ledger and one API key per department."""

    app: FastAPI
    client: TestClient
    home: Path
    keys: dict[str, str]

    @property
    def ledger(self) -> Ledger:
        ledger: Ledger = self.app.state.ledger
        return ledger

    def auth(self, department: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[department]}

    def now(self) -> int:
        """The chain's time (the latest block's timestamp)."""
        with self.app.state.ledger_lock:
            return self.ledger.clock.now()

    def post(self, path: str, department: str | None, body: Any) -> httpx.Response:
        headers = self.auth(department) if department else {}
        return self.client.post(path, json=body, headers=headers)


def _no_keys_in(keys: dict[str, str]) -> Any:
    def check(response: httpx.Response) -> None:
        response.read()
        exposed = response.text + "".join(f"{k}: {v}\n" for k, v in response.headers.items())
        for department, key in keys.items():
            assert key not in exposed, f"a response exposed the API key of {department}"

    return check


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    home = tmp_path_factory.mktemp("api-home")
    app = create_app(make_settings(home))
    with TestClient(app) as client:
        ledger: Ledger = app.state.ledger
        with app.state.ledger_lock:
            for dep_id, (name, roles) in DEPARTMENTS.items():
                ledger.departments.register(dep_id, name, roles)
            ledger.policy_book.anchor(sample_policy(POLICY_ID))
        keys = {dep: ApiKeys(home).create(dep, "tests")[0] for dep in [*DEPARTMENTS, STRANGER]}
        client.event_hooks = {"request": [], "response": [_no_keys_in(keys)]}
        yield Api(app, client, home, keys)


@pytest.fixture
def client(api: Api) -> TestClient:
    return api.client


def assert_problem(response: httpx.Response, status: int, detail: str | None = None) -> dict:
    """The response is an RFC 9457 problem with ``status`` (and exactly ``detail``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    if detail is not None:
        assert body["detail"] == detail
    assert "Traceback" not in response.text
    return body


def terms(api: Api, item_id: str, **changes: Any) -> dict[str, Any]:
    """A request to share ``item_id`` from security with civil affairs under clause c2:
    four weekly periods of 100 calls from tomorrow, with ``changes`` on top."""
    body = {
        "agreement_id": fresh_id("api.agr"),
        "item_id": item_id,
        "consumer_id": CIVIL,
        "policy_id": POLICY_ID,
        "clause_id": "c2",
        "permission": "open",
        "first_due_at": api.now() + DAY,
        "period_seconds": 7 * DAY,
        "periods": 4,
        "calls_per_period": 100,
    }
    return body | changes


def raise_finding(api: Api, finding_id: str, score_id: int, *, deadline: int) -> None:
    """Raise a finding on clause c1 against the issuer, as the ledger's auditor, with its
    details stored as the ledger stores them (so the shared ledger keeps auditing clean)."""
    details = json.dumps({"finding_id": finding_id, "raised_by": "tests"}).encode()
    folder = finding_dir(api.home)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{finding_id}.json").write_bytes(details)
    with api.app.state.ledger_lock:
        ensure_role(api.ledger.signers, "AUDITOR")
        api.ledger.findings.raise_finding(
            api.ledger.admin,
            finding_id=finding_id,
            score_id=score_id,
            policy_id=POLICY_ID,
            clause_id="c1",
            metric="D1",
            department_id=ISSUER,
            deadline=deadline,
            detail_digest=hashlib.sha256(details).digest(),
        )
