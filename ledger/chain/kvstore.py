"""A persistent key-value database for py-evm, kept in one SQLite file.

py-evm keeps every header, block, receipt and trie node in a key-value store
behind :class:`eth.db.backends.base.BaseDB`. eth-tester gives it a dict that
dies with the process; this store keeps it on disk. Writes go into one open
SQLite transaction and become durable at :meth:`SqliteKV.commit`, which the
embedded backend calls after every mined block, so a crash loses at most the
block being built and never leaves a half-written one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from eth.db.backends.base import BaseDB


class SqliteKV(BaseDB):
    """py-evm ``BaseDB`` over a single SQLite table."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID"
        )
        self._in_tx = False

    def _begin(self) -> None:
        if not self._in_tx:
            self._conn.execute("BEGIN")
            self._in_tx = True

    def __getitem__(self, key: bytes) -> bytes:
        row = self._conn.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._begin()
        self._conn.execute("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", (key, value))

    def __delitem__(self, key: bytes) -> None:
        self._begin()
        cursor = self._conn.execute("DELETE FROM kv WHERE k = ?", (key,))
        if cursor.rowcount == 0:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        return self._conn.execute("SELECT 1 FROM kv WHERE k = ?", (key,)).fetchone() is not None

    def __iter__(self) -> Iterator[bytes]:
        for (key,) in self._conn.execute("SELECT k FROM kv"):
            yield bytes(key)

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM kv").fetchone()[0])

    def commit(self) -> None:
        """Make every write so far durable."""
        if self._in_tx:
            self._conn.execute("COMMIT")
            self._in_tx = False

    def rollback(self) -> None:
        """Forget every write since the last commit."""
        if self._in_tx:
            self._conn.execute("ROLLBACK")
            self._in_tx = False

    def close(self) -> None:
        self.rollback()
        self._conn.close()
