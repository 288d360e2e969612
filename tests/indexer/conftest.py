"""The indexer suite runs on every index backend: SQLite, and PostgreSQL when there is one.

``ledger`` is the session ledger of ``tests/conftest.py`` on SQLite, or a second
session ledger on the embedded chain whose index is in PostgreSQL
(``GOVLEDGER_TEST_POSTGRES_URL``; skipped with that reason when unset). Each test
runs inside an EVM snapshot reverted afterwards, as in the main conftest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.core import Ledger
from tests.conftest import DEPARTMENTS, make_settings, reverted, sample_policy
from tests.store.backends import BACKENDS, drop_schemas, postgres_url


@pytest.fixture(scope="session")
def postgres_session_ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    url = postgres_url()
    home: Path = tmp_path_factory.mktemp("ledger-home-postgres")
    ledger = Ledger.open(make_settings(home, database_url=url))
    try:
        for dep_id, (name, roles) in DEPARTMENTS.items():
            ledger.departments.register(dep_id, name, roles)
        ledger.policy_book.anchor(sample_policy())
        yield ledger
    finally:
        schema = ledger.store.schema
        ledger.close()
        if schema is not None:
            drop_schemas(url, [schema])


@pytest.fixture(params=BACKENDS)
def ledger(request: pytest.FixtureRequest) -> Iterator[Ledger]:
    """A session ledger indexing into the backend, inside an EVM snapshot."""
    name = "session_ledger" if request.param == "sqlite" else "postgres_session_ledger"
    session_ledger: Ledger = request.getfixturevalue(name)
    with reverted(session_ledger) as reverting:
        yield reverting
