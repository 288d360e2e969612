"""Fixtures that build on each other: settings -> ledger (chain, keys, contracts) -> departments.

A ledger with departments and an anchored policy is built once per session on the
real embedded chain; each test that uses ``ledger`` runs inside an EVM snapshot
that is reverted afterwards, so tests do not see each other's transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ledger.audit.findings import DEFAULT_DEADLINE_DAYS, RaisedFinding, finding_dir, raise_findings
from ledger.audit.scores import Publication, ScoreArchive, publish_score
from ledger.core import Ledger
from ledger.knowledge.models import PolicyRecord
from ledger.settings import Settings

TEST_PASSWORD = "correct horse battery staple"

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
    archive = ScoreArchive(ledger.home)
    return publish_score(
        ledger.score,
        ledger.scoreboard,
        ledger.signers,
        archive,
        scope=scope,
        window_days=window_days,
    )


def raise_for(
    ledger: Ledger, score_id: int, deadline_days: int = DEFAULT_DEADLINE_DAYS
) -> list[RaisedFinding]:
    """Raise the findings score ``score_id`` shows, with the ledger's parts."""
    return raise_findings(
        ledger.scorer.evidence,
        ledger.scoreboard,
        ledger.findings,
        ledger.signers,
        ledger.clock,
        finding_dir(ledger.home),
        score_id,
        deadline_days,
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


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ledger-home")


@pytest.fixture(scope="session")
def session_ledger(session_home: Path) -> Iterator[Ledger]:
    ledger = Ledger.open(make_settings(session_home))
    for dep_id, (name, roles) in DEPARTMENTS.items():
        ledger.departments.register(dep_id, name, roles)
    ledger.policy_book.anchor(sample_policy())
    yield ledger
    ledger.close()


@pytest.fixture
def ledger(session_ledger: Ledger) -> Iterator[Ledger]:
    """The session ledger inside an EVM snapshot reverted after the test."""
    provider = session_ledger.w3.provider
    snapshot = provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        yield session_ledger
    finally:
        provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
        session_ledger.indexer.sync()  # the indexer sees the revert as a reorg and rolls back


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"
