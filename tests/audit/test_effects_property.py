"""For every change to any stored effect-log entry, the audit names exactly that entry."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.audit.verify import chain_events, verify_effects
from tests.audit.conftest import CHECKPOINTS, ENTRIES, LOG_ID, opened


def test_any_altered_entry_is_located(tampered_home: Path) -> None:
    db_path = tampered_home / "effects" / "effects.sqlite"
    with opened(tampered_home) as ledger:
        chain = chain_events(ledger.handle, ledger.deployment)

        @settings(
            max_examples=50,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(
            seq=st.integers(min_value=0, max_value=ENTRIES - 1),
            position=st.integers(min_value=0, max_value=10_000),
            byte=st.integers(min_value=0x20, max_value=0x7E),
        )
        def check(seq: int, position: int, byte: int) -> None:
            db = sqlite3.connect(db_path)
            try:
                (old,) = db.execute("SELECT body FROM entries WHERE seq = ?", (seq,)).fetchone()
                at = position % len(old)
                new = old[:at] + bytes([byte]) + old[at + 1 :]
                if new == old:
                    return
                with db:
                    db.execute("UPDATE entries SET body = ? WHERE seq = ?", (new, seq))
                failed = [c for c in verify_effects(ledger.effects, chain) if not c.ok]
                assert failed[0].where == f"{LOG_ID} seq {seq}"
                assert "altered" in failed[0].detail
                # every anchored checkpoint covering the entry fails too; later entries
                # beyond the last checkpoint are only pending, so nothing else does
                covering = [size for size in CHECKPOINTS if size > seq]
                assert len(failed) == 1 + len(covering)
            finally:
                with db:
                    db.execute("UPDATE entries SET body = ? WHERE seq = ?", (old, seq))
                db.close()
            assert all(c.ok for c in verify_effects(ledger.effects, chain))

        check()
