"""Fixtures that build on each other: settings -> ledger (chain, keys, contracts) -> departments.

A ledger with departments and an anchored policy is built once per session on the
real embedded chain; each test that uses ``ledger`` runs inside an EVM snapshot
that is reverted afterwards, so tests do not see each other's transactions.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ledger.audit.scores import Publication, publish_ledger_score
from ledger.core import Ledger
from ledger.knowledge.models import PolicyRecord
from ledger.mechanisms.sharing import AgreementCreate, CatalogItemCreate
from ledger.policies import AnchorResult
from ledger.settings import Settings

TEST_PASSWORD = "correct horse battery staple"

#: The checkout's root: child processes import ``ledger`` from here.
ROOT = Path(__file__).resolve().parents[1]

#: Departments every session ledger has: id -> (name, roles).
DEPARTMENTS = {
    "dcity.govoffice": ("General Office", ("ISSUER",)),
    "dcity.security": ("Public Security Bureau", ()),
    "dcity.civil": ("Civil Affairs Bureau", ()),
    "dcity.health": ("Health Commission", ()),
}


def publish(
    ledger: Ledger, scope: str | None = None, window_days: int | None = None
) -> Publication:
    """Sync the index and publish a score from it, as ``govledger score publish`` does."""
    ledger.indexer.sync()
    return publish_ledger_score(ledger, scope=scope, window_days=window_days)


def cli_env(home: Path) -> dict[str, str]:
    """The environment of a ``govledger`` child process on ``home``, 200 columns wide."""
    return os.environ | {
        "GOVLEDGER_HOME": str(home),
        "GOVLEDGER_KEYSTORE_PASSWORD": TEST_PASSWORD,
        "COLUMNS": "200",
        "PYTHONPATH": str(ROOT),
    }


def run_cli(
    *args: str, env: Mapping[str, str], cwd: Path | None = None, script: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``govledger *args`` (or ``python -c script *args``) in a child process."""
    command = (
        [sys.executable, "-m", "ledger.cli.main"]
        if script is None
        else [sys.executable, "-c", script]
    )
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(env),
        timeout=300,
        check=False,
    )


def make_settings(home: Path, **overrides: object) -> Settings:
    return Settings(home=home, keystore_password=TEST_PASSWORD, **overrides)  # type: ignore[arg-type]


def sample_policy(
    policy_id: str = "test.sharing", version: int = 1, **changes: object
) -> PolicyRecord:
    data: dict[str, object] = {
        "schema_version": 1,
        "id": policy_id,
        "version": version,
        "kind": "policy",
        "element": "data_governance",
        "title": "Test data sharing measures",
        "issuer": "dcity.govoffice",
        "effective": datetime(2024, 1, 1, tzinfo=UTC),
        "clauses": [
            {
                "id": "c1",
                "text": "Share catalog items.",
                "obligation": {"metric": "D1", "comparator": ">=", "target": 0.95},
            },
            {
                "id": "c2",
                "text": "Deliver on time.",
                "obligation": {"metric": "M3", "comparator": ">=", "target": 0.9},
            },
            {
                "id": "c3",
                "text": "Respect permissions.",
                "obligation": {"metric": "D3", "comparator": ">=", "target": 0.999},
            },
            {"id": "c4", "text": "Keep the catalog complete."},
        ],
    }
    data.update(changes)
    return PolicyRecord.model_validate(data)


def found_city(ledger: Ledger, policy: PolicyRecord | None = None) -> AnchorResult:
    """Register :data:`DEPARTMENTS` on ``ledger`` and anchor ``policy`` (default: the sample)."""
    for dep_id, (name, roles) in DEPARTMENTS.items():
        ledger.departments.register(dep_id, name, roles)
    return ledger.policy_book.anchor(sample_policy() if policy is None else policy)


def share_households(
    ledger: Ledger, clause_id: str, first_due_at: int, period_seconds: int, disclosure: str
) -> None:
    """The security bureau registers its household data ``item.hh`` and commits, as
    ``agr.hh``, to share it with civil affairs under ``test.sharing``'s ``clause_id``:
    three periods of ``period_seconds`` from ``first_due_at``, 100 calls a period."""
    item = CatalogItemCreate(
        item_id="item.hh", data_type="household", permission="restricted", disclosure=disclosure
    )
    ledger.sharing.register_item("dcity.security", item)
    parties = {"agreement_id": "agr.hh", "item_id": "item.hh", "consumer_id": "dcity.civil"}
    terms = {"permission": "conditional", "periods": 3, "calls_per_period": 100}
    agreement = AgreementCreate.model_validate(
        parties
        | terms
        | {"policy_id": "test.sharing", "clause_id": clause_id, "first_due_at": first_due_at}
        | {"period_seconds": period_seconds}
    )
    ledger.sharing.commit_agreement("dcity.security", agreement)


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ledger-home")


@pytest.fixture(scope="session")
def session_ledger(session_home: Path) -> Iterator[Ledger]:
    ledger = Ledger.open(make_settings(session_home))
    found_city(ledger)
    yield ledger
    ledger.close()


@contextmanager
def reverted(ledger: Ledger) -> Iterator[Ledger]:
    """``ledger`` inside an EVM snapshot that is reverted on leaving."""
    provider = ledger.w3.provider
    snapshot = provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        yield ledger
    finally:
        provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
        ledger.indexer.sync()  # the indexer sees the revert as a reorg and rolls back


@pytest.fixture
def ledger(session_ledger: Ledger) -> Iterator[Ledger]:
    """The session ledger inside an EVM snapshot reverted after the test."""
    with reverted(session_ledger) as reverting:
        yield reverting


@pytest.fixture
def bulk(ledger: Ledger) -> Iterator[Ledger]:
    """The ledger in bulk mode (no role pre-check), as a scenario replay runs it: what the
    chain itself refuses."""
    ledger.tx.precheck = False
    try:
        yield ledger
    finally:
        ledger.tx.precheck = True


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"
