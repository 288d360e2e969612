"""For every single change to any index row, the index audit names exactly that row."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.audit.verify import chain_events, verify_index
from tests.audit.conftest import opened

#: Columns a hand edit may change, and how to change each (given the old value).
FIELDS = ("block_hash", "block_time", "contract", "event", "args")


def _changed(field: str, old: Any, salt: int) -> Any:
    if field == "block_time":
        return int(old) + 1 + salt
    if field == "args":
        args = json.loads(old)
        key = sorted(args)[salt % len(args)]
        value = args[key]
        if isinstance(value, bool):
            args[key] = not value
        elif isinstance(value, int):
            args[key] = value + 1
        elif isinstance(value, list):
            args[key] = [*value, "x"]
        else:
            args[key] = f"{value}x"
        return json.dumps(args, sort_keys=True)
    return f"{old}x"


def test_any_single_change_to_any_row_is_located(tampered_home: Path) -> None:
    db_path = tampered_home / "index.sqlite"
    with opened(tampered_home) as ledger:
        chain = chain_events(ledger.handle, ledger.deployment)
        with sqlite3.connect(db_path) as db:
            keys = db.execute("SELECT tx_hash, log_index, block_number FROM events").fetchall()

        @settings(
            max_examples=60,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(
            row=st.sampled_from(keys),
            field=st.sampled_from(FIELDS),
            salt=st.integers(min_value=0, max_value=1000),
        )
        def check(row: tuple[str, int, int], field: str, salt: int) -> None:
            tx, log, block = row
            db = sqlite3.connect(db_path)
            try:
                (old,) = db.execute(
                    f"SELECT {field} FROM events WHERE tx_hash = ? AND log_index = ?",
                    (tx, log),
                ).fetchone()
                with db:
                    db.execute(
                        f"UPDATE events SET {field} = ? WHERE tx_hash = ? AND log_index = ?",
                        (_changed(field, old, salt), tx, log),
                    )
                checks, _cursor = verify_index(ledger.store, chain)
                failed = [c for c in checks if not c.ok and c.where]
                assert len(failed) == 1, failed
                assert failed[0].where.startswith(f"block {block}, tx {tx}, log {log} (")
                assert field.split("_")[0] in failed[0].detail
            finally:
                with db:
                    db.execute(
                        f"UPDATE events SET {field} = ? WHERE tx_hash = ? AND log_index = ?",
                        (old, tx, log),
                    )
                db.close()
            clean, _ = verify_index(ledger.store, chain)
            assert all(c.ok for c in clean)

        check()
