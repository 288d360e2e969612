"""The index store: decoded chain events in SQL (SQLite or PostgreSQL) through SQLAlchemy.

Events are keyed by ``(tx_hash, log_index)``, so writing the same event twice
changes nothing. The cursor (last indexed block) and the hashes of indexed
blocks are written in the same transaction as the events, so a crash leaves
either all of a batch or none of it, and a reorg can be found and rolled back.

An index belongs to one ledger (:class:`IndexOwner`: chain id, genesis hash and
Directory address). On PostgreSQL each ledger keeps its tables in a schema of its
own (:attr:`IndexOwner.schema`), so any number of ledgers share one database
without touching each other. Either backend records the owner in the ``meta``
table and refuses to open an index that another ledger wrote (say, two data
directories given one SQLite file). Every database error comes out as a
:class:`StoreError` whose text shows the URL without its password.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypedDict, Unpack

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Connection, Engine, RowMapping
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.schema import CreateSchema

from ledger.dburl import index_database, masked, scrub
from ledger.errors import StoreError
from ledger.store.records import EventRecord

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("tx_hash", String(66), primary_key=True),
    Column("log_index", Integer, primary_key=True),
    Column("block_number", BigInteger, nullable=False, index=True),
    Column("block_hash", String(66), nullable=False),
    Column("block_time", BigInteger, nullable=False),
    Column("contract", String(64), nullable=False),
    Column("event", String(64), nullable=False, index=True),
    Column("policy_id", String(80), index=True),
    Column("department_id", String(80), index=True),
    Column("args", Text, nullable=False),
)

blocks = Table(
    "blocks",
    metadata,
    Column("number", BigInteger, primary_key=True),
    Column("hash", String(66), nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


class EventFilters(TypedDict, total=False):
    """What :meth:`EventStore.events` and :meth:`EventStore.count_events` filter on; a
    filter that is absent or None matches every event."""

    contract: str | None
    #: Event names (an empty list matches nothing).
    names: Iterable[str] | None
    policy_id: str | None
    #: The department an event concerns (:func:`department_of`).
    department_id: str | None
    #: One transaction's events (any case).
    tx_hash: str | None
    #: One block's events.
    block: int | None
    #: The events up to this block.
    to_block: int | None


class StoredRow(NamedTuple):
    """An index row: the event and the columns derived from it."""

    event: EventRecord
    policy_id: str | None
    department_id: str | None


#: Argument names that identify the department responsible for an event (scope).
_DEPARTMENT_ARGS = ("providerId", "departmentId", "handlerId", "ownerId")


def department_of(args: dict[str, Any]) -> str | None:
    """The department an event concerns (its scope), from its arguments."""
    for name in _DEPARTMENT_ARGS:
        if isinstance(args.get(name), str):
            return str(args[name])
    return None


class Deployed(Protocol):
    """What a deployment tells about the ledger it belongs to."""

    @property
    def chain_id(self) -> int: ...

    @property
    def genesis_hash(self) -> str: ...

    def address(self, name: str) -> str: ...


@dataclass(frozen=True)
class IndexOwner:
    """The ledger an index belongs to: its chain and its Directory contract."""

    chain_id: int
    genesis_hash: str
    directory: str

    @classmethod
    def of(cls, deployment: Deployed) -> IndexOwner:
        return cls(deployment.chain_id, deployment.genesis_hash, deployment.address("Directory"))

    @property
    def label(self) -> str:
        """How the owner is written in the index's ``meta`` table."""
        return f"chain {self.chain_id} genesis {self.genesis_hash} directory {self.directory}"

    @property
    def schema(self) -> str:
        """The PostgreSQL schema of this ledger's tables: ``govledger_`` and 20 hex digits."""
        return "govledger_" + hashlib.sha256(self.label.lower().encode()).hexdigest()[:20]


#: The ``meta`` key under which an index records its owner.
OWNER_KEY = "ledger"

#: The PostgreSQL advisory lock held while an index's schema and tables are created.
_CREATE_LOCK = int.from_bytes(hashlib.sha256(b"govledger index").digest()[:8], "big") >> 1


class EventStore:
    """Decoded events, indexed blocks and the cursor of one ledger.

    ``url`` is a SQLAlchemy URL (``sqlite:///…`` or ``postgresql://…``); ``owner``
    the ledger whose index this is (``None`` for a scratch index of no ledger, such
    as the audit's re-index in memory).
    """

    def __init__(self, url: str, owner: IndexOwner | None = None) -> None:
        self.url: URL = index_database(url)
        self.owner = owner
        postgres = self.url.get_backend_name() == "postgresql"
        #: The PostgreSQL schema of the tables (``None``: the default schema).
        self.schema = owner.schema if owner is not None and postgres else None
        #: Where the index lives, fit to show: the URL without its password, the schema.
        self.where = masked(self.url) + (f" (schema {self.schema})" if self.schema else "")
        self._base: Engine | None = None
        #: The last block every read sees (a reader's snapshot, :meth:`at`); None: all.
        self.ceiling: int | None = None
        with self._guard("cannot be opened"):
            # A server that does not answer fails the open in seconds, not minutes.
            waits = {"connect_timeout": 10} if postgres else {}
            if "connect_timeout" in self.url.query:
                waits = {}
            self._base = create_engine(
                self.url, pool_pre_ping=postgres, connect_args=waits, **_pool_size(self.url)
            )
            if self._base.dialect.name == "sqlite":
                event.listen(self._base, "connect", _sqlite_pragmas)
            self.engine: Engine = self._base
            if self.schema is not None:
                self.engine = self._base.execution_options(schema_translate_map={None: self.schema})
            with self._base.begin() as conn:
                if postgres:  # API workers starting at once create the tables once
                    conn.execute(select(func.pg_advisory_xact_lock(_CREATE_LOCK)))
                if self.schema is not None:
                    conn.execute(CreateSchema(self.schema, if_not_exists=True))
                    conn = conn.execution_options(schema_translate_map={None: self.schema})
                metadata.create_all(conn)
            if owner is not None:
                self._claim(owner)

    @classmethod
    def for_ledger(cls, url: str, deployment: Deployed) -> EventStore:
        """The index of the ledger ``deployment`` belongs to."""
        return cls(url, IndexOwner.of(deployment))

    def close(self) -> None:
        if self._base is not None and self.ceiling is None:
            self._base.dispose()

    def at(self, block: int) -> EventStore:
        """This index as it stood at ``block``: every read of the copy stops there.

        The copy shares the connection pool (each thread that reads checks out a
        connection of its own; SQLite runs in WAL, so readers never wait for the
        writer), and closing it closes nothing. A reader holding the copy sees the
        same rows however far the indexer has gone since.
        """
        view = copy.copy(self)
        view.ceiling = block if self.ceiling is None else min(block, self.ceiling)
        return view

    def _bounded(self, to_block: int | None) -> int | None:
        """``to_block`` capped at the ceiling."""
        if self.ceiling is None:
            return to_block
        return self.ceiling if to_block is None else min(to_block, self.ceiling)

    def _capped(self, filters: EventFilters) -> EventFilters:
        """``filters`` with their ``to_block`` capped at the ceiling."""
        to_block = self._bounded(filters.get("to_block"))
        return filters if to_block is None else {**filters, "to_block": to_block}

    def _claim(self, owner: IndexOwner) -> None:
        """Record ``owner`` in a new index; refuse an index another ledger wrote."""
        with self.engine.begin() as conn:
            found = conn.execute(select(meta.c.value).where(meta.c.key == OWNER_KEY)).scalar()
            if found is None:
                self._put(conn, meta, {"key": OWNER_KEY, "value": owner.label}, ["key"])
                return
        if found != owner.label:
            self.close()
            raise StoreError(
                f"the index database {self.where} holds the index of another ledger"
                f" ({found}), not of this one ({owner.label}); give each ledger its own"
                " database (GOVLEDGER_DATABASE_URL), or move the old index away"
            )

    @contextmanager
    def _guard(self, failure: str) -> Iterator[None]:
        """Turn a database error into a :class:`StoreError` that shows no password."""
        try:
            yield
        except SQLAlchemyError as err:
            if self._base is not None and failure == "cannot be opened":
                self._base.dispose()
            cause = err.orig if isinstance(err, DBAPIError) and err.orig is not None else err
            reason = scrub(" ".join(str(cause).split()), self.url)
            raise StoreError(f"the index database {self.where} {failure}: {reason}") from err

    # -- writing -------------------------------------------------------------

    def write_batch(
        self,
        records: Sequence[EventRecord],
        block_hashes: dict[int, str],
        cursor: int,
    ) -> int:
        """Store events, block hashes and the new cursor in one transaction.

        Returns how many events were new.
        """
        with self._guard("cannot be written"), self.engine.begin() as conn:
            added = self._upsert(conn, records)
            for number, block_hash in block_hashes.items():
                self._put(conn, blocks, {"number": number, "hash": block_hash}, ["number"])
            self._put(conn, meta, {"key": "cursor", "value": str(cursor)}, ["key"])
        return added

    def _upsert(self, conn: Connection, records: Sequence[EventRecord]) -> int:
        added = 0
        for rec in records:
            row = {
                "tx_hash": rec.tx_hash,
                "log_index": rec.log_index,
                "block_number": rec.block_number,
                "block_hash": rec.block_hash,
                "block_time": rec.block_time,
                "contract": rec.contract,
                "event": rec.event,
                "policy_id": rec.args.get("policyId"),
                "department_id": department_of(rec.args),
                "args": json.dumps(rec.args, sort_keys=True),
            }
            stmt = self._insert(events).values(**row).on_conflict_do_nothing()
            # RETURNING, not rowcount: psycopg reports no count for an upsert.
            added += len(conn.execute(stmt.returning(events.c.log_index)).all())
        return added

    def _insert(self, table: Table) -> Any:
        """The dialect's ``INSERT`` (both know ``ON CONFLICT``)."""
        return (pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert)(table)

    def _put(self, conn: Connection, table: Table, row: dict[str, Any], keys: list[str]) -> None:
        stmt = self._insert(table).values(**row)
        update = {k: v for k, v in row.items() if k not in keys}
        conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=update))

    def rollback_to(self, block_number: int) -> int:
        """Forget everything above ``block_number`` (after a reorg). Returns events removed."""
        with self._guard("cannot be written"), self.engine.begin() as conn:
            removed = conn.execute(delete(events).where(events.c.block_number > block_number))
            conn.execute(delete(blocks).where(blocks.c.number > block_number))
            self._put(conn, meta, {"key": "cursor", "value": str(block_number)}, ["key"])
        return int(removed.rowcount or 0)

    # -- reading -------------------------------------------------------------

    def cursor(self) -> int | None:
        with self._guard("cannot be read"), self.engine.connect() as conn:
            value = conn.execute(select(meta.c.value).where(meta.c.key == "cursor")).scalar()
        return None if value is None else int(value)

    def block_hash(self, number: int) -> str | None:
        with self._guard("cannot be read"), self.engine.connect() as conn:
            value = conn.execute(select(blocks.c.hash).where(blocks.c.number == number)).scalar()
        return None if value is None else str(value)

    def last_indexed_block(self) -> tuple[int, str] | None:
        """The newest indexed block's number and hash (None before the first batch)."""
        query = select(blocks.c.number, blocks.c.hash).order_by(blocks.c.number.desc()).limit(1)
        with self._guard("cannot be read"), self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def indexed_blocks(self, above: int = -1) -> list[tuple[int, str]]:
        with self._guard("cannot be read"), self.engine.connect() as conn:
            rows = conn.execute(
                select(blocks.c.number, blocks.c.hash)
                .where(blocks.c.number > above)
                .order_by(blocks.c.number)
            ).all()
        return [(int(n), str(h)) for n, h in rows]

    def events(
        self, *, limit: int | None = None, offset: int = 0, **filters: Unpack[EventFilters]
    ) -> list[EventRecord]:
        """The stored events that match every filter given (:class:`EventFilters`), in
        chain order (block, then log index), ``limit`` of them from ``offset``; never
        above the ceiling."""
        query = _where(select(events), self._capped(filters))
        query = query.order_by(events.c.block_number, events.c.log_index).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._guard("cannot be read"), self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_event_record(r, json.loads(r["args"]), int) for r in rows]

    def count_events(self, **filters: Unpack[EventFilters]) -> int:
        """How many stored events :meth:`events` with the same filters finds, over every page."""
        query = _where(select(func.count()).select_from(events), self._capped(filters))
        with self._guard("cannot be read"), self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def rows(self, *, to_block: int | None = None) -> list[StoredRow]:
        """Every stored row as it is, derived columns included (for auditing).

        Unlike :meth:`events`, a row whose ``args`` are no JSON object is returned with
        empty args and its raw text, rather than failing the whole read.
        """
        query = select(events)
        to_block = self._bounded(to_block)
        if to_block is not None:
            query = query.where(events.c.block_number <= to_block)
        with self._guard("cannot be read"), self.engine.connect() as conn:
            rows = conn.execute(query.order_by(events.c.block_number, events.c.log_index))
            out = []
            for r in rows.mappings():
                try:
                    args = json.loads(r["args"])
                except (TypeError, ValueError):
                    args = {"<unreadable>": str(r["args"])}
                if not isinstance(args, dict):
                    args = {"<unreadable>": str(r["args"])}
                record = _event_record(r, args, _int_or_minus_one)
                out.append(StoredRow(record, r["policy_id"], r["department_id"]))
        return out

    def count(self) -> int:
        query = select(func.count()).select_from(events)
        if self.ceiling is not None:
            query = query.where(events.c.block_number <= self.ceiling)
        with self._guard("cannot be read"), self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def block_of(self, number: int) -> tuple[int, str] | None:
        """Block ``number``'s time and hash, as its indexed events recorded them (None
        when no indexed event is in it)."""
        query = (
            select(events.c.block_time, events.c.block_hash)
            .where(events.c.block_number == number)
            .limit(1)
        )
        if self.ceiling is not None and number > self.ceiling:
            return None
        with self._guard("cannot be read"), self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (int(row[0]), str(row[1]))


def _where(query: Select[Any], filters: EventFilters) -> Select[Any]:
    """``query`` narrowed to the events that match every filter given."""
    if (contract := filters.get("contract")) is not None:
        query = query.where(events.c.contract == contract)
    if (names := filters.get("names")) is not None:
        query = query.where(events.c.event.in_(list(names)))
    if (policy_id := filters.get("policy_id")) is not None:
        query = query.where(events.c.policy_id == policy_id)
    if (department_id := filters.get("department_id")) is not None:
        query = query.where(events.c.department_id == department_id)
    if (tx_hash := filters.get("tx_hash")) is not None:
        query = query.where(events.c.tx_hash == tx_hash.lower())  # stored in lower case
    if (block := filters.get("block")) is not None:
        query = query.where(events.c.block_number == block)
    if (to_block := filters.get("to_block")) is not None:
        query = query.where(events.c.block_number <= to_block)
    return query


def _event_record(r: RowMapping, args: dict[str, Any], number: Callable[[Any], int]) -> EventRecord:
    """The event in row ``r`` with ``args``, its block number, time and log index read
    by ``number``."""
    return EventRecord(
        block_number=number(r["block_number"]),
        block_hash=str(r["block_hash"]),
        block_time=number(r["block_time"]),
        tx_hash=str(r["tx_hash"]),
        log_index=number(r["log_index"]),
        contract=str(r["contract"]),
        event=str(r["event"]),
        args=args,
    )


def _int_or_minus_one(value: Any) -> int:
    """A stored integer; -1 when a hand edit left something else (the audit reports it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


#: Connections kept open, and how many more readers may open at once (an API server reads
#: from a thread pool of 40 while the writer indexes).
_POOL = {"pool_size": 10, "max_overflow": 40}


def _pool_size(url: URL) -> dict[str, int]:
    """The pool's size for a database on disk or a server; an in-memory SQLite database
    keeps SQLAlchemy's own one-connection-per-thread pool."""
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return {}
    return _POOL


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()
