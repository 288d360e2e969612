"""The record store: content-addressed, versioned, never edited, tampering visible."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ledger.errors import NotFoundError, RecordError
from ledger.knowledge.canonical import canonical_bytes, keccak_hex, record_digest_hex
from ledger.knowledge.models import PolicyRecord
from ledger.knowledge.store import RecordStore
from tests.knowledge.test_models import record_data


def make(policy_id: str = "dcity.sharing", version: int = 1, text: str = "Share.") -> PolicyRecord:
    """A record with one clause ``c1`` saying ``text``."""
    c1 = record_data()["clauses"][0] | {"text": text}
    return PolicyRecord.model_validate(record_data(id=policy_id, version=version, clauses=[c1]))


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    return RecordStore(tmp_path)


def test_put_stores_exactly_the_canonical_bytes(store: RecordStore, tmp_path: Path) -> None:
    record = make()
    digest = store.put(record)
    assert digest == record_digest_hex(record)
    path = tmp_path / "records" / f"{digest[2:]}.json"
    assert path.read_bytes() == canonical_bytes(record)
    assert store.raw(digest) == store.raw(digest[2:]) == canonical_bytes(record)
    assert keccak_hex(store.raw(digest)) == digest
    assert json.loads((tmp_path / "records" / "index.json").read_text()) == {
        "dcity.sharing": [{"digest": digest, "version": 1}]
    }
    assert not [p.name for p in (tmp_path / "records").iterdir() if p.name.endswith(".tmp")]


def test_put_is_idempotent(store: RecordStore, tmp_path: Path) -> None:
    record = make()
    first = store.put(record)
    files = sorted(p.name for p in (tmp_path / "records").iterdir())
    mtime = (tmp_path / "records" / f"{first[2:]}.json").stat().st_mtime_ns
    assert store.put(make()) == first
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == files
    assert (tmp_path / "records" / f"{first[2:]}.json").stat().st_mtime_ns == mtime
    assert store.versions("dcity.sharing") == [{"version": 1, "digest": first}]


def test_a_version_is_never_edited(store: RecordStore) -> None:
    original = store.put(make(text="Share."))
    edited = make(text="Share, maybe.")
    with pytest.raises(RecordError) as info:
        store.put(edited)
    assert str(info.value) == (
        f"dcity.sharing version 1 is already stored with digest {original};"
        f" this record's digest is {record_digest_hex(edited)}."
        " Versions are never edited: store it as a new version."
    )
    assert store.get("dcity.sharing").clauses[0].text == "Share."
    assert store.versions("dcity.sharing") == [{"version": 1, "digest": original}]


def test_versions_latest_and_lookup(store: RecordStore) -> None:
    d2 = store.put(make(version=2, text="v2"))
    d1 = store.put(make(version=1, text="v1"))
    d3 = store.put(make(version=3, text="v3"))
    other = store.put(make("dcity.hotline"))
    assert store.versions("dcity.sharing") == [
        {"version": 1, "digest": d1},
        {"version": 2, "digest": d2},
        {"version": 3, "digest": d3},
    ]
    assert store.get("dcity.sharing").clauses[0].text == "v3"
    assert store.get("dcity.sharing", 2) == make(version=2, text="v2")
    assert store.get("dcity.hotline") == make("dcity.hotline")
    assert store.policy_ids() == ["dcity.hotline", "dcity.sharing"]
    assert other != d1
    # A fresh instance reads the same from disk.
    again = RecordStore(store.root)
    assert again.get("dcity.sharing", 1) == make(version=1, text="v1")


def test_absent_things_are_not_found(store: RecordStore) -> None:
    assert store.policy_ids() == []
    assert store.versions("nope") == []
    with pytest.raises(NotFoundError, match="policy 'nope' not found"):
        store.get("nope")
    store.put(make())
    with pytest.raises(NotFoundError, match=r"policy version 'dcity\.sharing v2' not found"):
        store.get("dcity.sharing", 2)
    with pytest.raises(NotFoundError) as info:
        store.raw("0x" + "ab" * 32)
    assert (info.value.kind, info.value.ident) == ("record", "0x" + "ab" * 32)


@pytest.mark.parametrize("bad", ["", "0x12", "../index", "0x" + "zz" * 32, "ab" * 32 + "\n"])
def test_digests_are_checked_before_touching_files(store: RecordStore, bad: str) -> None:
    with pytest.raises(RecordError, match="is not a 32-byte hex digest"):
        store.raw(bad)


def test_tampering_is_detectable(store: RecordStore) -> None:
    record = make()
    digest = store.put(record)
    path = store.dir / f"{digest[2:]}.json"
    path.write_bytes(path.read_bytes().replace(b'"target":0.95', b'"target":0.5'))
    raw = store.raw(digest)
    assert b'"target":0.5' in raw
    assert keccak_hex(raw) != digest
    # The hand-edited file still parses, so only the hash shows the change ...
    assert store.load_raw_record(digest).clauses[0].obligation.target == 0.5  # type: ignore[union-attr]
    # ... and get() refuses to hand it out as the record.
    with pytest.raises(RecordError, match="the file was altered"):
        store.get("dcity.sharing")
    # Putting the genuine record again does not paper over the tampering.
    assert store.put(record) == digest
    assert keccak_hex(store.raw(digest)) != digest


def test_a_stored_file_that_no_longer_parses(store: RecordStore) -> None:
    digest = store.put(make())
    path = store.dir / f"{digest[2:]}.json"
    path.write_bytes(path.read_bytes().replace(b'"comparator":">="', b'"comparator":">"'))
    with pytest.raises(RecordError) as info:
        store.load_raw_record(digest)
    assert str(info.value).startswith(f"{path}: not a valid stored record: ")
    assert "clauses.0.obligation.comparator" in str(info.value)
    path.write_bytes(b"{not json")
    with pytest.raises(RecordError, match="not a valid stored record"):
        store.load_raw_record(digest)


def test_a_missing_record_file_is_rewritten_by_put(store: RecordStore) -> None:
    record = make()
    digest = store.put(record)
    os.remove(store.dir / f"{digest[2:]}.json")
    with pytest.raises(NotFoundError):
        store.get("dcity.sharing")
    assert store.put(record) == digest
    assert store.get("dcity.sharing") == record


def test_an_unreadable_index(store: RecordStore) -> None:
    store.put(make())
    store.index_path.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(RecordError, match="the record index is unreadable"):
        store.policy_ids()
