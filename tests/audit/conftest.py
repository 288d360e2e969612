"""One small, complete ledger built once per session, and a fresh copy of it per test.

The ledger is the ``dcity-sharing`` scenario, then an effect log opened on chain for
``dcity.sharing#c3`` and owned by the Public Security Bureau, holding 330 entries (calls
under ``agr.household-civil`` and heartbeats) of which the first 150 and 300 are sealed in
two checkpoints; then score 1 published with the findings it shows raised, and the index
synced to the head. Its home is closed once built and never opened again: each test
tampers with its own copy, by hand, as an outside auditor would.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from ledger.core import Ledger
from ledger.scenario.runner import file_digest, load_scenario, run_scenario
from tests.conftest import make_settings, publish, raise_for

DAY = 86_400
POLICY = "dcity.sharing"
ISSUER = "dcity.govoffice"  # issues dcity.sharing: every finding is addressed to it
OWNER = "dcity.security"  # owns the effect log and provides item.household
OUTSIDER = "dcity.civil"  # a registered department no finding is addressed to
AGREEMENT = "agr.household-civil"  # grants the conditional level (2)
LOG_ID = "sec.calls"
LOG_CLAUSE = "c3"
#: The tree sizes of the two anchored checkpoints, and the entries stored in all.
CHECKPOINTS = (150, 300)
ENTRIES = 330
SCORE_ID = 1
#: The one finding score 1 shows: clause c2 wants M3 >= 0.9 and its agreements reach 0.875.
FINDING = "F1-1"
#: Calls numbered ``i`` with ``i % 50 == 0`` in the second batch use the restricted level (3).
OVER_PERMISSION_CALLS = (100, 150)


def call(start: int, i: int) -> dict[str, Any]:
    """Call number ``i``: one a minute from ``start``, conditional but for every 50th from 100."""
    return {
        "kind": "call",
        "agreement": AGREEMENT,
        "system": "sys.civil",
        "at": start + 60 * i,
        "records": i % 7,
        "permission": "restricted" if i in OVER_PERMISSION_CALLS else "conditional",
        "latency_ms": 12,
        "request_id": f"r{i}",
    }


def heartbeat(start: int, i: int) -> dict[str, Any]:
    return {"kind": "heartbeat", "system": "sys.civil", "at": start + 60 * i + 30}


def seq_of_call(i: int) -> int:
    """Where call ``i`` sits in the log: each batch is its calls, then its heartbeats."""
    return i if i < 100 else (i + 50 if i < 200 else i + 100)


def build(home: Path) -> None:
    """Play the scenario, fill and seal the effect log, publish score 1, raise its findings."""
    with resources.as_file(resources.files("ledger.scenarios")) as folder:
        file = Path(folder) / "dcity-sharing.yaml"
        scenario = load_scenario(file)
        with Ledger.open(make_settings(home)) as ledger:
            run_scenario(ledger, scenario, file.parent, file_digest(file))
            effects = ledger.effects
            effects.seal_size = 10**9  # seal only when told to
            effects.seal_age = 10**9
            effects.open(LOG_ID, OWNER, POLICY, LOG_CLAUSE)
            start = ledger.clock.now() - 10 * DAY
            batches = [
                [call(start, i) for i in range(0, 100)] + [heartbeat(start, i) for i in range(50)],
                [call(start, i) for i in range(100, 200)]
                + [heartbeat(start, i) for i in range(50, 100)],
                [call(start, i) for i in range(200, 230)],
            ]
            sizes = []
            for batch in batches[:2]:
                report = effects.ingest_entries(batch)
                assert (report["added"], report["rejected"]) == (len(batch), [])
                sealed = effects.seal()
                assert sealed is not None
                sizes.append(sealed.tree_size)
            assert effects.ingest_entries(batches[2])["added"] == 30
            assert (tuple(sizes), effects.store.size) == (CHECKPOINTS, ENTRIES)
            publication = publish(ledger)
            assert publication.score_id == SCORE_ID
            raised = raise_for(ledger, SCORE_ID)
            assert [(f.finding_id, f.detail["clause_id"]) for f in raised] == [(FINDING, "c2")]
            ledger.indexer.sync()


def shared_home(factory: pytest.TempPathFactory) -> Path:
    """The built home under the session's temporary directory: the first caller builds it."""
    folder = factory.getbasetemp() / "audit-ledger"
    home = folder / "home"
    if not (folder / "built").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        build(home)
        (folder / "built").touch()
    return home


@pytest.fixture(scope="session")
def audit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built home; never opened by a test (copy it with ``tampered_home``)."""
    return shared_home(tmp_path_factory)


@pytest.fixture
def tampered_home(audit_home: Path, tmp_path: Path) -> Path:
    """This test's own copy of the built home, to tamper with."""
    return Path(shutil.copytree(audit_home, tmp_path / "home"))


@contextmanager
def opened(home: Path) -> Iterator[Ledger]:
    with Ledger.open(make_settings(home)) as ledger:
        yield ledger


# -- reading a home by hand -------------------------------------------------------------


@contextmanager
def connected(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain ``sqlite3`` connection, committed and closed on leaving."""
    db = sqlite3.connect(path)
    try:
        with db:
            yield db
    finally:
        db.close()


def record_file(home: Path) -> Path:
    """The stored record of dcity.sharing v1 (the only one)."""
    [path] = [p for p in (home / "records").glob("*.json") if p.name != "index.json"]
    return path


def score_file(home: Path) -> Path:
    """The stored result of score 1 (the only one)."""
    [path] = (home / "scores").glob("*.json")
    return path


def score_subject(home: Path) -> str:
    """How the audit names score 1: by its scope and ``as_of`` block."""
    as_of = json.loads(score_file(home).read_bytes())["as_of"]["block"]
    return f"score {SCORE_ID} (city, as of block {as_of})"


def finding_file(home: Path, finding_id: str = FINDING) -> Path:
    return home / "findings" / f"{finding_id}.json"


def sha256_hex(data: bytes) -> str:
    return "0x" + hashlib.sha256(data).hexdigest()
