"""The index backends the store suites run on: SQLite always, PostgreSQL when there is one.

PostgreSQL tests need a server. They find it through ``GOVLEDGER_TEST_POSTGRES_URL``
(say ``postgresql://govledger:secret@127.0.0.1/govledger_test``); when it is unset
they are skipped with that reason. ``.ci/run`` starts a server and sets it, so in
CI they always run.

Every PostgreSQL test works in schemas of its own (a fresh ledger owner each time)
and drops them afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import create_engine, text

from ledger.dburl import index_database
from ledger.store.sql import IndexOwner

POSTGRES_URL_ENV = "GOVLEDGER_TEST_POSTGRES_URL"

#: The backends, as the ids of parametrized fixtures.
BACKENDS = ["sqlite", "postgresql"]


def postgres_url() -> str:
    """The test server's URL; skips the calling test when none is configured, and fails
    it instead where the run requires PostgreSQL (``.ci/run`` sets
    ``GOVLEDGER_REQUIRE_POSTGRES=1``), so CI can never pass these tests by skipping."""
    url = os.environ.get(POSTGRES_URL_ENV, "")
    if not url and os.environ.get("GOVLEDGER_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{POSTGRES_URL_ENV} is not set, but this run requires PostgreSQL")
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set, so there is no PostgreSQL server to test on")
    return url


def fresh_owner(chain_id: int = 131277322940537) -> IndexOwner:
    """A ledger owner no other test uses (a random Directory address)."""
    return IndexOwner(chain_id, "0x" + "ab" * 32, "0x" + secrets.token_hex(20))


def drop_schemas(url: str, schemas: list[str]) -> None:
    """Drop the test's schemas, with everything in them."""
    engine = create_engine(index_database(url))
    try:
        with engine.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


def schema_exists(url: str, schema: str) -> bool:
    engine = create_engine(index_database(url))
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                {"s": schema},
            ).first()
    finally:
        engine.dispose()
    return found is not None
