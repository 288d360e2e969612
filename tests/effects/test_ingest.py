"""JSONL ingest: bad lines rejected by number and reason, duplicates skipped, resumable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.effects import merkle
from ledger.effects.entries import canonical_entry, parse_entry
from ledger.effects.ingest import MAX_LINE_BYTES, file_key, ingest_jsonl
from ledger.effects.store import EffectStore

T = 1_704_067_200


def call(i: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "call",
        "agreement": f"agr.{i % 3}",
        "system": "sys.civil",
        "at": T + i,
        "records": i,
        "permission": "open",
        "latency_ms": 3.25,
    }
    data.update(changes)
    return data


def line(obj: Any) -> str:
    return json.dumps(obj)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EffectStore]:
    with EffectStore(tmp_path / "log", "calls") as s:
        yield s


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{text}\n" for text in lines), encoding="utf-8")
    return path


MIXED = [
    line(call(1)),  # 1
    '{"kind": "call", "agreement": "agr.1",',  # 2: malformed JSON
    line(call(3, colour="red")),  # 3: unknown field
    line(call(4, permission=5)),  # 4: out-of-range permission
    line(call(5, records=-2)),  # 5: negative records
    line(call(6, name="Zhang San")),  # 6: personal data
    line(call(1)),  # 7: duplicate of line 1
    "",  # 8: blank
    line({"kind": "heartbeat", "system": "sys.his", "at": "2024-01-01T00:00:09Z"}),  # 9
    line(call(10, at="2024-01-01T00:00:10Z")),  # 10
    line(call(10)),  # 11: the same fact as line 10, written with Unix seconds
    line({"kind": "heartbeat", "system": "sys.his", "at": T + 9}),  # 12: same as line 9
    "[1, 2, 3]",  # 13: not an object
    line(call(14, subject="Zhang San")),  # 14: a subject that is not a digest
    line(call(15, request_id="r-15", subject="0x" + "0f" * 32)),  # 15
]
GOOD = [
    call(1),
    {"kind": "heartbeat", "system": "sys.his", "at": T + 9},
    call(10),
    call(15, request_id="r-15", subject="0x" + "0f" * 32),
]
REJECTED = [
    (2, "not JSON: Expecting property name enclosed in double quotes at column 40"),
    (3, "colour: unknown field (allowed: kind, agreement, system, at, records, permission,"),
    (4, "permission: must be open, conditional or restricted (or 1..3), got 5"),
    (5, "records: must be an integer between 0 and 9007199254740991, got -2"),
    (6, "name: personal data is not allowed in the effect log;"),
    (13, "an entry must be a JSON object, got list"),
    (14, "subject: must be a salted digest, 0x followed by 64 hex digits, got 'Zhang San'"),
]


def check_rejected(got: list[tuple[int, str]]) -> None:
    assert [n for n, _ in got] == [n for n, _ in REJECTED]
    for (_, reason), (_, start) in zip(got, REJECTED, strict=True):
        assert reason.startswith(start)


def test_bad_lines_are_rejected_by_number_and_reason(tmp_path: Path, store: EffectStore) -> None:
    path = write(tmp_path / "calls.jsonl", MIXED)
    seen: list[tuple[int, int]] = []
    report = ingest_jsonl(store, path, progress=lambda done, total: seen.append((done, total)))
    check_rejected(report.rejected)
    assert report.rejected_count == len(REJECTED)
    assert (report.lines, report.added, report.duplicates, report.blank) == (15, 4, 3, 1)
    assert report.resumed_from == 0
    assert report.bytes_read == path.stat().st_size
    expected = [canonical_entry(parse_entry(obj)) for obj in GOOD]
    assert list(store.entries()) == expected
    assert store.root() == merkle.root(expected)
    assert seen[0] == (0, path.stat().st_size)
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)


def test_ingesting_a_file_again_adds_nothing(tmp_path: Path, store: EffectStore) -> None:
    path = write(tmp_path / "calls.jsonl", MIXED)
    ingest_jsonl(store, path)
    root = store.root()
    again = ingest_jsonl(store, path)
    assert (again.lines, again.added, again.rejected) == (0, 0, [])
    assert again.resumed_from == path.stat().st_size
    reread = ingest_jsonl(store, path, resume=False)  # dedupe covers it too
    assert (reread.lines, reread.added, reread.duplicates) == (15, 0, 7)
    check_rejected(reread.rejected)
    assert store.root() == root


def test_an_interrupted_ingest_resumes_where_it_stopped(tmp_path: Path) -> None:
    lines = [line(call(i)) for i in range(1, 26)]
    lines[16] = line(call(17, permission="top-secret"))  # line 17
    path = write(tmp_path / "calls.jsonl", lines)

    def stop_after_two_batches(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:  # the start, then two committed batches
            raise KeyboardInterrupt

    calls: list[int] = []
    directory = tmp_path / "log"
    with EffectStore(directory, "calls") as store, pytest.raises(KeyboardInterrupt):
        ingest_jsonl(store, path, progress=stop_after_two_batches, batch=5)
    with EffectStore(directory, "calls") as store:
        assert store.size == 10
        report = ingest_jsonl(store, path, batch=5)
        assert report.resumed_from == calls[-1]
        assert (report.lines, report.added, report.duplicates) == (15, 14, 0)
        assert [n for n, _ in report.rejected] == [17]
        assert store.size == 24
        good = [call(i) for i in range(1, 26) if i != 17]
        assert list(store.entries()) == [canonical_entry(parse_entry(o)) for o in good]


def test_a_crash_inside_a_batch_loses_nothing(tmp_path: Path, store: EffectStore) -> None:
    """Lines read after the last commit are read again; the store never holds half a batch."""
    path = write(tmp_path / "calls.jsonl", [line(call(i)) for i in range(12)])
    original = store.append_prepared
    commits = 0

    def fail_second_commit(*args: Any, **kwargs: Any) -> int:
        nonlocal commits
        commits += 1
        if commits == 2:  # the first batch of 5 went in; the second fails
            raise OSError("disk full")
        return original(*args, **kwargs)

    store.append_prepared = fail_second_commit  # type: ignore[method-assign]
    with pytest.raises(OSError, match="disk full"):
        ingest_jsonl(store, path, batch=5)
    store.append_prepared = original  # type: ignore[method-assign]
    assert store.size == 5
    report = ingest_jsonl(store, path, batch=5)
    assert (report.lines, report.added) == (7, 7)
    assert store.size == 12


def test_a_grown_file_is_read_again_and_only_new_lines_are_added(
    tmp_path: Path, store: EffectStore
) -> None:
    path = write(tmp_path / "calls.jsonl", [line(call(i)) for i in range(6)])
    key = file_key(path)
    ingest_jsonl(store, path)
    with path.open("a") as handle:
        handle.write(line(call(6)) + "\n")
    assert file_key(path) != key
    report = ingest_jsonl(store, path)
    assert (report.lines, report.added, report.duplicates) == (7, 1, 6)


def test_an_over_long_line_is_rejected_and_skipped(tmp_path: Path, store: EffectStore) -> None:
    huge = line(call(2, request_id="x")).replace('"x"', '"' + "x" * MAX_LINE_BYTES + '"')
    path = write(tmp_path / "calls.jsonl", [line(call(1)), huge, line(call(3))])
    report = ingest_jsonl(store, path)
    assert report.rejected == [(2, f"line longer than {MAX_LINE_BYTES} bytes")]
    assert (report.lines, report.added) == (3, 2)


def test_the_last_line_needs_no_newline(tmp_path: Path, store: EffectStore) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text(line(call(1)) + "\n" + line(call(2)), encoding="utf-8")
    report = ingest_jsonl(store, path)
    assert (report.lines, report.added) == (2, 2)


def test_rejections_kept_are_capped_but_all_counted(tmp_path: Path, store: EffectStore) -> None:
    path = write(tmp_path / "bad.jsonl", ["nope"] * 20)
    report = ingest_jsonl(store, path, max_rejected=3)
    assert [n for n, _ in report.rejected] == [1, 2, 3]
    assert report.rejected_count == 20


def test_batch_must_be_positive(tmp_path: Path, store: EffectStore) -> None:
    path = write(tmp_path / "calls.jsonl", [])
    with pytest.raises(ValueError, match="batch must be at least 1"):
        ingest_jsonl(store, path, batch=0)
