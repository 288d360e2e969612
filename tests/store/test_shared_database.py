"""Two ledgers (two homes, two embedded chains) given one index database.

On PostgreSQL each ledger indexes into a schema of its own, so both index, neither
loses a row and neither sees the other's blocks as a reorg. On SQLite, where a
file has no schemas, the second ledger is refused with a clear error instead.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ledger.cli.main import main
from ledger.core import Ledger
from ledger.errors import StoreError
from ledger.mechanisms.sharing import CatalogItemCreate
from ledger.store.sql import IndexOwner
from tests.conftest import TEST_PASSWORD, make_settings
from tests.store.backends import drop_schemas, postgres_url

DEPARTMENT = "dcity.security"


def open_ledger(home: Path, url: str) -> Ledger:
    ledger = Ledger.open(make_settings(home, database_url=url))
    ledger.departments.register(DEPARTMENT, "Public Security Bureau")
    return ledger


def register(ledger: Ledger, *item_ids: str) -> None:
    for item_id in item_ids:
        ledger.sharing.register_item(
            DEPARTMENT,
            CatalogItemCreate(
                item_id=item_id, data_type="household", permission="open", disclosure="open"
            ),
        )


def items(ledger: Ledger) -> list[str]:
    return [e.args["itemId"] for e in ledger.store.events(names=["CatalogItemRegistered"])]


@dataclass
class SharedDatabase:
    url: str
    #: The schemas the test's ledgers made, dropped afterwards.
    schemas: list[str] = field(default_factory=list)


@pytest.fixture
def shared() -> Iterator[SharedDatabase]:
    """The test server's database."""
    database = SharedDatabase(postgres_url())
    yield database
    drop_schemas(database.url, database.schemas)


def test_two_ledgers_on_one_postgresql_database_never_touch_each_other(
    shared: SharedDatabase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home_a, home_b = tmp_path / "a", tmp_path / "b"
    shared_url = shared.url
    with open_ledger(home_a, shared_url) as a, open_ledger(home_b, shared_url) as b:
        shared.schemas.extend(str(lg.store.schema) for lg in (a, b))
        register(a, *(f"a.{n}" for n in range(12)))
        first_a = a.indexer.sync()
        count_a = a.store.count()
        register(b, "b.0")
        first_b = b.indexer.sync()
        count_b = b.store.count()

        again_a, again_b = (
            a.indexer.sync(),
            b.indexer.sync(),
        )  # each after the other wrote its index
        register(a, "a.12")
        register(b, "b.1")
        more_b, more_a = b.indexer.sync(), a.indexer.sync()

        assert (first_a.rolled_back, first_b.rolled_back) == (0, 0)
        assert (again_a.added, again_a.rolled_back, again_b.added, again_b.rolled_back) == (
            0,
            0,
            0,
            0,
        )
        assert (more_a.added, more_a.rolled_back, more_b.added, more_b.rolled_back) == (
            1,
            0,
            1,
            0,
        )
        assert (a.store.count(), b.store.count()) == (count_a + 1, count_b + 1)
        assert items(a) == [f"a.{n}" for n in range(13)]
        assert items(b) == ["b.0", "b.1"]
        assert a.store.schema == IndexOwner.of(a.deployment).schema
        assert b.store.schema == IndexOwner.of(b.deployment).schema != a.store.schema
        counts = (a.store.count(), b.store.count())

    # `govledger index` on each home, the other's index beside it, reports no reorg.
    monkeypatch.setenv("GOVLEDGER_DATABASE_URL", shared_url)
    monkeypatch.setenv("GOVLEDGER_KEYSTORE_PASSWORD", TEST_PASSWORD)
    for home, count in zip((home_a, home_b), counts, strict=True):
        monkeypatch.setattr(sys, "argv", ["govledger", "index", "--json", "--home", str(home)])
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 0
        report = json.loads(capsys.readouterr().out)
        assert (report["added"], report["rolledBack"]) == (0, 0)
        with Ledger.open(make_settings(home, database_url=shared_url)) as reopened:
            assert reopened.store.count() == count


def test_a_second_ledger_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    with open_ledger(tmp_path / "a", url) as a:
        register(a, "a.0")
        a.indexer.sync()
        count = a.store.count()
        owner = IndexOwner.of(a.deployment)

    with pytest.raises(StoreError) as raised:
        open_ledger(tmp_path / "b", url)

    assert str(raised.value).startswith(
        f"the index database {url} holds the index of another ledger ({owner.label}), not of"
        " this one (chain "
    )
    with Ledger.open(make_settings(tmp_path / "a", database_url=url)) as a:
        assert (a.indexer.sync().rolled_back, a.store.count()) == (0, count)
        assert items(a) == ["a.0"]
