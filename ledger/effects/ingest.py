"""Bulk ingest of effect-log entries from JSON Lines files.

Each line of the file is one entry (see :mod:`ledger.effects.entries`). Lines are
validated and canonicalised one by one and appended in batches:

- a bad line (not JSON, an unknown or personal-data field, a value out of range)
  is rejected with its 1-based line number and the reason, and the rest of the file
  goes on; blank lines are skipped;
- an entry the log already holds, or one repeated in the file, is a duplicate:
  counted, not stored again;
- after each batch, the byte offset and line number reached are committed in the
  same transaction as the batch's entries, under a key made of the SHA-256 of the
  file's first MiB and its size. A run that stops half-way (a crash, Ctrl-C)
  continues from there next time, and a file ingested in full is not read again.
  A file that has since grown has a new key and is read from the start: the
  entries already stored come back as duplicates.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ledger.effects.entries import EntryFacts, parse_json_entry
from ledger.effects.store import EffectStore
from ledger.errors import LedgerValueError

__all__ = ["MAX_LINE_BYTES", "IngestReport", "file_key", "ingest_jsonl"]

#: A line longer than this (an entry is a few hundred bytes) is rejected unread.
MAX_LINE_BYTES = 64 * 1024

_KEY_PREFIX_BYTES = 1 << 20
_READ_BUFFER = 1 << 20


@dataclass
class IngestReport:
    """What one run of :func:`ingest_jsonl` did.

    ``lines`` counts the lines read in this run (from ``resumed_from``, a byte
    offset); each was added, a duplicate, rejected or blank. ``rejected`` lists
    ``(line number, reason)`` for the first ``max_rejected`` bad lines;
    ``rejected_count`` counts them all.
    """

    path: Path
    lines: int = 0
    added: int = 0
    duplicates: int = 0
    blank: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    rejected_count: int = 0
    resumed_from: int = 0
    bytes_read: int = 0


def file_key(path: Path) -> str:
    """The resume key of a file: SHA-256 of its first MiB, and its size."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        digest.update(handle.read(_KEY_PREFIX_BYTES))
        size = os.fstat(handle.fileno()).st_size
    return f"ingest:{digest.hexdigest()}:{size}"


def ingest_jsonl(
    store: EffectStore,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 10_000,
    *,
    resume: bool = True,
    max_rejected: int = 100_000,
) -> IngestReport:
    """Validate, canonicalise and append every line of a JSONL file to ``store``.

    ``progress(done_bytes, total_bytes)`` is called at the start and after each
    committed batch. With ``resume=False`` the file is read from its first line
    whatever was committed before (duplicates are still skipped).
    """
    if batch < 1:
        raise LedgerValueError(f"batch must be at least 1, got {batch}")
    path = Path(path)
    key = file_key(path)
    total = path.stat().st_size
    offset, line_no = 0, 0
    saved = store.cursor(key) if resume else None
    if saved is not None:
        state = json.loads(saved)
        offset, line_no = int(state["offset"]), int(state["line"])
    first_line = line_no
    report = IngestReport(path=path, resumed_from=offset)
    if progress is not None:
        progress(offset, total)

    pending: list[tuple[bytes, EntryFacts]] = []
    lines_in_batch = 0

    def commit() -> None:
        state = json.dumps({"offset": offset, "line": line_no, "path": str(path)})
        added = store.append_prepared(pending, cursor=(key, state))
        report.added += added
        report.duplicates += len(pending) - added
        pending.clear()
        if progress is not None:
            progress(offset, total)

    with path.open("rb", buffering=_READ_BUFFER) as handle:
        handle.seek(offset)
        readline = handle.readline
        while True:
            raw = readline(MAX_LINE_BYTES + 1)
            if not raw:
                break
            line_no += 1
            offset += len(raw)
            lines_in_batch += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                skipped = _skip_to_line_end(handle)
                offset += skipped
                _reject(report, line_no, f"line longer than {MAX_LINE_BYTES} bytes", max_rejected)
            elif raw.isspace():
                report.blank += 1
            else:
                try:
                    pending.append(parse_json_entry(raw))
                except ValueError as err:
                    _reject(report, line_no, str(err), max_rejected)
            if lines_in_batch >= batch:
                commit()
                lines_in_batch = 0
    if lines_in_batch:
        commit()
    report.lines = line_no - first_line
    report.bytes_read = offset - report.resumed_from
    return report


def _reject(report: IngestReport, line_no: int, reason: str, limit: int) -> None:
    report.rejected_count += 1
    if len(report.rejected) < limit:
        report.rejected.append((line_no, reason))


def _skip_to_line_end(handle: BinaryIO) -> int:
    """Read past the rest of an over-long line; return how many bytes that was."""
    readline = handle.readline
    skipped = 0
    while True:
        chunk = readline(_READ_BUFFER)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped
