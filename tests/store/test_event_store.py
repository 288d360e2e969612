"""One suite for the index store, run on SQLite and on PostgreSQL.

:class:`EventStoreSuite` holds every test of the store's interface; each backend
subclasses it and supplies ``open_store`` (as eth-tester's ``BaseTestBackendDirect``
is subclassed per backend), adding the tests only its backend has.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url

from ledger.errors import StoreError
from ledger.store.records import EventRecord
from ledger.store.sql import OWNER_KEY, EventStore, IndexOwner, StoredRow, events, meta
from tests.store.backends import drop_schemas, fresh_owner, postgres_url, schema_exists

OpenStore = Callable[[IndexOwner | None], EventStore]


def block_hash(number: int) -> str:
    return "0x" + hashlib.sha256(f"block {number}".encode()).hexdigest()


def tx_hash(number: int, n: int = 0) -> str:
    return "0x" + hashlib.sha256(f"tx {number}.{n}".encode()).hexdigest()


def record(
    number: int,
    log_index: int,
    event: str = "CatalogItemRegistered",
    contract: str = "DataSharing",
    tx: int = 0,
    **args: Any,
) -> EventRecord:
    return EventRecord(
        block_number=number,
        block_hash=block_hash(number),
        block_time=1_700_000_000 + number,
        tx_hash=tx_hash(number, tx),
        log_index=log_index,
        contract=contract,
        event=event,
        args=args,
    )


def hashes(*numbers: int) -> dict[int, str]:
    return {n: block_hash(n) for n in numbers}


#: A small trail over blocks 5..8, written in one batch by :func:`filled`.
TRAIL = [
    record(5, 0, itemId="item.a", providerId="dcity.security", policyId="p.sharing"),
    record(5, 1, "AgreementCommitted", agreementId="ag.1", providerId="dcity.civil"),
    record(6, 0, "OrderTransferred", "WorkOrders", handlerId="dcity.health", policyId="p.loop"),
    record(7, 3, "PolicyAnchored", "PolicyRegistry", policyId="p.loop", clauseIds=["c1", "c2"]),
    record(7, 1, "DepartmentRegistered", "Directory", departmentId="dcity.civil", ok=True),
    record(8, 0, itemId="item.b", providerId="dcity.security", big=2**70, name="数据目录"),
]


def filled(store: EventStore) -> EventStore:
    assert store.write_batch(TRAIL, hashes(5, 6, 7, 8), 8) == len(TRAIL)
    return store


def in_order(records: list[EventRecord]) -> list[EventRecord]:
    return sorted(records, key=lambda r: (r.block_number, r.log_index))


class EventStoreSuite:
    """What every index backend does. Subclasses supply ``open_store``."""

    @pytest.fixture
    def open_store(self) -> OpenStore:
        raise NotImplementedError

    @pytest.fixture
    def owner(self) -> IndexOwner:
        return fresh_owner()

    @pytest.fixture
    def store(self, open_store: OpenStore, owner: IndexOwner) -> EventStore:
        return open_store(owner)

    def test_a_new_index_is_empty(self, store: EventStore) -> None:
        assert (store.cursor(), store.count(), store.events(), store.indexed_blocks()) == (
            None,
            0,
            [],
            [],
        )

    def test_a_batch_stores_its_events_block_hashes_and_cursor(self, store: EventStore) -> None:
        filled(store)

        assert store.cursor() == 8
        assert store.count() == len(TRAIL)
        assert store.block_hash(6) == block_hash(6)
        assert store.block_hash(9) is None
        assert store.indexed_blocks() == [(n, block_hash(n)) for n in (5, 6, 7, 8)]
        assert store.indexed_blocks(above=6) == [(7, block_hash(7)), (8, block_hash(8))]

    def test_events_come_back_exactly_as_written_in_chain_order(self, store: EventStore) -> None:
        filled(store)

        assert store.events() == in_order(TRAIL)
        [big] = store.events(to_block=8, offset=5)
        assert big.args == {
            "itemId": "item.b",
            "providerId": "dcity.security",
            "big": 2**70,
            "name": "数据目录",
        }

    def test_writing_the_same_events_again_adds_nothing(self, store: EventStore) -> None:
        filled(store)

        assert store.write_batch(TRAIL, hashes(5, 6, 7, 8), 8) == 0
        new = record(9, 0, itemId="item.c")
        assert store.write_batch([TRAIL[0], new, new], hashes(9), 9) == 1
        assert (store.count(), store.cursor()) == (len(TRAIL) + 1, 9)

    def test_a_later_cursor_and_block_hash_replace_the_earlier(self, store: EventStore) -> None:
        store.write_batch([], {4: "0x" + "11" * 32}, 4)
        store.write_batch([], {4: block_hash(4)}, 5)

        assert (store.cursor(), store.indexed_blocks()) == (5, [(4, block_hash(4))])

    def test_events_are_filtered_by_contract_name_policy_department_and_block(
        self, store: EventStore
    ) -> None:
        filled(store)

        def keys(got: list[EventRecord]) -> list[tuple[int, int]]:
            return [(e.block_number, e.log_index) for e in got]

        assert keys(store.events(contract="DataSharing")) == [(5, 0), (5, 1), (8, 0)]
        assert keys(store.events(names=["PolicyAnchored", "OrderTransferred"])) == [(6, 0), (7, 3)]
        assert keys(store.events(names=[])) == []
        assert keys(store.events(policy_id="p.loop")) == [(6, 0), (7, 3)]
        assert keys(store.events(department_id="dcity.security")) == [(5, 0), (8, 0)]
        assert keys(store.events(department_id="dcity.civil")) == [(5, 1), (7, 1)]
        assert keys(store.events(to_block=6)) == [(5, 0), (5, 1), (6, 0)]
        assert keys(store.events(contract="DataSharing", department_id="dcity.civil")) == [(5, 1)]
        assert keys(store.events(limit=2, offset=1)) == [(5, 1), (6, 0)]
        assert keys(store.events(contract="Nothing")) == []

    def test_events_are_looked_up_by_transaction_and_block_and_counted(
        self, store: EventStore
    ) -> None:
        filled(store)
        later = [record(9, 0, tx=1, policyId="p.loop"), record(9, 1, tx=1), record(9, 2, tx=2)]
        store.write_batch(later, hashes(9), 9)

        def keys(got: list[EventRecord]) -> list[tuple[int, int]]:
            return [(e.block_number, e.log_index) for e in got]

        assert keys(store.events(tx_hash=tx_hash(9, 1))) == [(9, 0), (9, 1)]
        assert keys(store.events(tx_hash=tx_hash(9, 1).upper().replace("0X", "0x"))) == [
            (9, 0),
            (9, 1),
        ]
        assert keys(store.events(block=9)) == [(9, 0), (9, 1), (9, 2)]
        assert keys(store.events(block=7)) == [(7, 1), (7, 3)]
        assert keys(store.events(block=9, tx_hash=tx_hash(9, 2))) == [(9, 2)]
        assert keys(store.events(block=4)) == [] and keys(store.events(tx_hash="0x00")) == []
        assert keys(store.events(block=9, policy_id="p.loop")) == [(9, 0)]
        # the count is over every page, with the same filters
        assert store.count_events() == len(TRAIL) + 3 == store.count()
        assert store.count_events(block=9) == 3
        assert store.count_events(tx_hash=tx_hash(9, 1)) == 2
        assert store.count_events(policy_id="p.loop") == 3
        assert store.count_events(contract="DataSharing", department_id="dcity.security") == 2
        assert store.count_events(names=[]) == 0
        assert store.count_events(to_block=6) == 3

    def test_rows_carry_the_derived_policy_and_department(self, store: EventStore) -> None:
        filled(store)

        derived = [(r.event.event, r.policy_id, r.department_id) for r in store.rows()]

        assert derived == [
            ("CatalogItemRegistered", "p.sharing", "dcity.security"),
            ("AgreementCommitted", None, "dcity.civil"),
            ("OrderTransferred", "p.loop", "dcity.health"),
            ("DepartmentRegistered", None, "dcity.civil"),
            ("PolicyAnchored", "p.loop", None),
            ("CatalogItemRegistered", None, "dcity.security"),
        ]
        assert [r.event for r in store.rows(to_block=5)] == in_order(TRAIL)[:2]

    def test_rows_keep_an_unreadable_row_instead_of_failing(self, store: EventStore) -> None:
        filled(store)
        with store.engine.begin() as conn:
            conn.execute(update(events).where(events.c.block_number == 6).values(args="[1, 2"))
            conn.execute(update(events).where(events.c.block_number == 8).values(args="[1]"))

        rows = {(r.event.block_number, r.event.log_index): r for r in store.rows()}

        assert rows[6, 0].event.args == {"<unreadable>": "[1, 2"}
        assert rows[8, 0].event.args == {"<unreadable>": "[1]"}
        assert rows[6, 0] == StoredRow(rows[6, 0].event, "p.loop", "dcity.health")
        assert rows[5, 0].event == TRAIL[0]

    def test_a_rollback_forgets_everything_above_the_block(self, store: EventStore) -> None:
        filled(store)

        removed = store.rollback_to(6)

        assert removed == 3
        assert store.cursor() == 6
        assert store.indexed_blocks() == [(5, block_hash(5)), (6, block_hash(6))]
        assert store.events() == in_order(TRAIL)[:3]
        assert store.rollback_to(6) == 0

    def test_a_snapshot_reads_the_index_as_it_stood_at_its_block(self, store: EventStore) -> None:
        filled(store)
        at6 = store.at(6)
        store.write_batch([record(9, 0, itemId="item.c", providerId="dcity.civil")], hashes(9), 9)

        assert at6.events() == in_order(TRAIL)[:3]
        assert at6.events(to_block=8) == in_order(TRAIL)[:3]
        assert at6.events(to_block=5) == in_order(TRAIL)[:2]
        assert [r.event for r in at6.rows()] == in_order(TRAIL)[:3]
        assert at6.count() == 3
        assert (at6.block_of(6), at6.block_of(7)) == ((1_700_000_006, block_hash(6)), None)
        assert at6.at(8).events() == at6.events()  # a snapshot never widens
        assert store.count() == len(TRAIL) + 1
        assert store.last_indexed_block() == (9, block_hash(9))
        at6.close()  # closes nothing: the store still reads
        assert store.events(to_block=5) == in_order(TRAIL)[:2]

    def test_a_batch_that_fails_half_way_leaves_nothing_behind(
        self, store: EventStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        filled(store)

        def power_cut(*_args: Any, **_kwargs: Any) -> None:
            raise RuntimeError("power cut")

        monkeypatch.setattr(EventStore, "_put", power_cut)  # after the events were inserted
        with pytest.raises(RuntimeError, match="power cut"):
            store.write_batch([record(9, 0), record(9, 1)], hashes(9), 9)
        monkeypatch.undo()

        assert (store.count(), store.cursor(), store.block_hash(9)) == (len(TRAIL), 8, None)
        assert store.write_batch([record(9, 0), record(9, 1)], hashes(9), 9) == 2

    def test_the_index_is_still_there_when_reopened(
        self, store: EventStore, open_store: OpenStore, owner: IndexOwner
    ) -> None:
        filled(store)
        store.close()

        again = open_store(owner)

        assert (again.cursor(), again.events()) == (8, in_order(TRAIL))

    def test_the_index_records_its_ledger(self, store: EventStore, owner: IndexOwner) -> None:
        with store.engine.connect() as conn:
            rows = conn.execute(meta.select().where(meta.c.key == OWNER_KEY)).all()

        assert [tuple(r) for r in rows] == [(OWNER_KEY, owner.label)]
        assert owner.label == (
            f"chain {owner.chain_id} genesis {owner.genesis_hash} directory {owner.directory}"
        )

    def test_an_index_another_ledger_wrote_is_refused(
        self, store: EventStore, open_store: OpenStore, owner: IndexOwner
    ) -> None:
        filled(store)
        stranger = "chain 1 genesis 0x00 directory 0x0000000000000000000000000000000000000001"
        with store.engine.begin() as conn:
            conn.execute(update(meta).where(meta.c.key == OWNER_KEY).values(value=stranger))
        store.close()

        with pytest.raises(StoreError) as raised:
            open_store(owner)

        assert str(raised.value) == (
            f"the index database {store.where} holds the index of another ledger ({stranger}),"
            f" not of this one ({owner.label}); give each ledger its own database"
            " (GOVLEDGER_DATABASE_URL), or move the old index away"
        )

    def test_a_database_error_is_a_store_error_naming_the_database(self, store: EventStore) -> None:
        filled(store)
        with store.engine.begin() as conn:
            events.drop(conn)

        for read in (store.count, store.events, store.rows):
            with pytest.raises(StoreError) as raised:
                read()
            failure = f"the index database {store.where} cannot be read: "
            assert str(raised.value).startswith(failure)
        with pytest.raises(StoreError, match="cannot be written: "):
            store.write_batch([record(9, 0)], hashes(9), 9)
        with pytest.raises(StoreError, match="cannot be written: "):
            store.rollback_to(5)


class TestSQLiteEventStore(EventStoreSuite):
    @pytest.fixture
    def database(self, tmp_path: Path) -> Path:
        return tmp_path / "index.sqlite"

    @pytest.fixture
    def open_store(self, database: Path) -> Iterator[OpenStore]:
        opened: list[EventStore] = []

        def open_(owner: IndexOwner | None) -> EventStore:
            opened.append(EventStore(f"sqlite:///{database}", owner))
            return opened[-1]

        yield open_
        for store in opened:
            store.close()

    def test_the_tables_stay_in_the_file_itself(self, store: EventStore, database: Path) -> None:
        assert (store.schema, store.where) == (None, f"sqlite:///{database}")

    def test_a_second_ledger_on_the_same_file_is_refused(
        self, store: EventStore, open_store: OpenStore, owner: IndexOwner
    ) -> None:
        filled(store)
        other = fresh_owner()

        with pytest.raises(StoreError, match="holds the index of another ledger") as raised:
            open_store(other)

        assert f"({owner.label}), not of this one ({other.label})" in str(raised.value)
        assert store.count() == len(TRAIL)

    def test_an_index_written_before_owners_were_recorded_is_adopted(
        self, open_store: OpenStore, owner: IndexOwner
    ) -> None:
        filled(open_store(None))

        adopted = open_store(owner)

        assert adopted.count() == len(TRAIL)
        with pytest.raises(StoreError, match="holds the index of another ledger"):
            open_store(fresh_owner())


class TestPostgresEventStore(EventStoreSuite):
    @pytest.fixture
    def url(self) -> str:
        return postgres_url()

    @pytest.fixture
    def open_store(self, url: str) -> Iterator[OpenStore]:
        opened: list[EventStore] = []
        schemas: list[str] = []

        def open_(owner: IndexOwner | None) -> EventStore:
            assert owner is not None, "the suite keeps PostgreSQL tests in schemas of their own"
            schemas.append(owner.schema)
            opened.append(EventStore(url, owner))
            return opened[-1]

        yield open_
        for store in opened:
            store.close()
        drop_schemas(url, schemas)

    def test_each_ledger_keeps_its_tables_in_a_schema_of_its_own(
        self, store: EventStore, open_store: OpenStore, owner: IndexOwner, url: str
    ) -> None:
        filled(store)
        other = open_store(fresh_owner())
        other.write_batch([record(5, 0, itemId="other")], {5: "0x" + "22" * 32}, 5)
        store.rollback_to(4)  # a rollback in one ledger...

        assert other.count() == 1  # ...leaves the other alone
        assert other.indexed_blocks() == [(5, "0x" + "22" * 32)]
        assert (store.count(), store.cursor()) == (0, 4)
        assert store.schema == owner.schema != other.schema
        assert store.schema is not None and schema_exists(url, store.schema)
        hidden = make_url(url).set(drivername="postgresql+psycopg")
        assert store.where == (
            f"{hidden.render_as_string(hide_password=True)} (schema {owner.schema})"
        )

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            ({}, "password authentication failed"),
            ({"host": "127.0.0.1", "port": 1}, "Connection refused"),
        ],
        ids=["wrong-password", "unreachable-host"],
    )
    def test_a_connection_error_never_shows_the_password(
        self, url: str, owner: IndexOwner, change: dict[str, Any], reason: str
    ) -> None:
        password = "wrong-" + secrets.token_hex(8)
        bad = make_url(url).set(password=password, **change)

        with pytest.raises(StoreError) as raised:
            EventStore(bad.render_as_string(hide_password=False), owner)

        message = str(raised.value)
        shown = bad.set(drivername="postgresql+psycopg").render_as_string(hide_password=True)
        assert message.startswith(
            f"the index database {shown} (schema {owner.schema}) cannot be opened: "
        )
        assert reason in message
        assert password not in message and ":***@" in message

    def test_workers_opening_a_new_index_at_once_all_get_it(
        self, open_store: OpenStore, owner: IndexOwner
    ) -> None:
        with ThreadPoolExecutor(4) as pool:
            stores = list(pool.map(lambda _: open_store(owner), range(4)))

        stores[0].write_batch([record(5, 0)], hashes(5), 5)
        assert [s.count() for s in stores] == [1, 1, 1, 1]
